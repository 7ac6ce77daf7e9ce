//go:build amd64 && !purego

package vae

import "golang.org/x/sys/cpu"

// haveAVX2 reports whether the AVX2 kernels of simd_amd64.s may run.
func haveAVX2() bool { return cpu.X86.HasAVX2 }

// haveFMA reports whether the FMA GEMM kernel kern6x16 may run.
func haveFMA() bool { return cpu.X86.HasAVX2 && cpu.X86.HasFMA }

// haveAVX512 reports whether the AVX-512 GEMM kernel kern12x32 may run.
func haveAVX512() bool { return cpu.X86.HasAVX512F }

// adamAVX2 is adamKernel on n (a multiple of 8) elements, 8 per instruction,
// with the same IEEE operations in the same order (no FMA), so its results
// are bit-identical to the Go loop's. c = {β1, 1−β1, β2, 1−β2, step, 1/√bc2, eps}.
//
//go:noescape
func adamAVX2(p, grad, m, v *float32, n int, c *[8]float32)

// bceAVX2 is the unit-block loop of reconRow on n (a multiple of 8) elements:
// it writes σ(l) − x to g and returns Σ softplus(l) − x·l, with the
// polynomials of expf and log1pUnitf; tab is bceTable's layout.
//
//go:noescape
func bceAVX2(l, x, grad *float32, n int, tab *bceTab) float32

// kern6x16 is the register-blocked GEMM kernel: for packed a (kc×6, row r of
// the tile at a[k*6+r]) and b (kc rows of 16 floats, row stride ldb), it sets
// the 6×16 tile at c (row stride ldc) to Σ_k a_k·b_k, or adds that to it when
// acc.
//
//go:noescape
func kern6x16(kc int, a, b *float32, ldb int, c *float32, ldc int, acc bool)

// kern12x32 is kern6x16 for AVX-512: a 12×32 tile, a packed 12 floats per k,
// b rows of 32 floats.
//
//go:noescape
func kern12x32(kc int, a, b *float32, ldb int, c *float32, ldc int, acc bool)
