package vae

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
)

// TestSGEMM compares each GEMM kernel (AVX-512, AVX2/FMA) with a float64
// reference product for every transpose case and sizes that exercise partial
// tiles, several 256-deep blocks and leading dimensions larger than the
// matrices, and more rows than one 240-row block of A:
// |C − C_ref| ≤ 1e-5·Σ_k |a·b| (float32 accumulation over k terms).
func TestSGEMM(t *testing.T) {
	kernels := gemmKernels()
	if len(kernels) == 0 {
		t.Skip("no GEMM kernel on this machine or build")
	}
	for _, kern := range kernels {
		t.Run(fmt.Sprintf("%dx%d", kern.mr, kern.nr), func(t *testing.T) { testSGEMM(t, kern) })
	}
}

func testSGEMM(t *testing.T, kern gemmKernel) {
	r := rand.New(rand.NewSource(9))
	sizes := [][3]int{{1, 1, 1}, {6, 16, 1}, {7, 17, 3}, {12, 32, 5}, {13, 40, 300}, {25, 70, 40}, {128, 50, 513}, {64, 33, 256}, {251, 37, 270}, {5, 3, 0}}
	for _, sz := range sizes {
		m, n, k := sz[0], sz[1], sz[2]
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				// Stored shapes: A is m×k (k×m if tA), B is k×n (n×k if tB),
				// each with 3 spare columns.
				ar, ac := m, k
				if tA {
					ar, ac = k, m
				}
				br, bc := k, n
				if tB {
					br, bc = n, k
				}
				lda, ldb, ldc := ac+3, bc+3, n+3
				a := make([]float32, ar*lda)
				b := make([]float32, br*ldb)
				for i := range a {
					a[i] = float32(r.NormFloat64())
				}
				for i := range b {
					b[i] = float32(r.NormFloat64())
				}
				c := make([]float32, m*ldc)
				for i := range c {
					c[i] = 99 // must be overwritten (beta = 0) within the m×n block
				}
				sgemmWith(kern, tA, tB, m, n, k, a, lda, b, ldb, c, ldc)
				at := func(i, kk int) float64 {
					if tA {
						return float64(a[kk*lda+i])
					}
					return float64(a[i*lda+kk])
				}
				bt := func(kk, j int) float64 {
					if tB {
						return float64(b[j*ldb+kk])
					}
					return float64(b[kk*ldb+j])
				}
				for i := 0; i < m; i++ {
					for j := 0; j < ldc; j++ {
						got := float64(c[i*ldc+j])
						if j >= n {
							if got != 99 {
								t.Fatalf("%v tA=%t tB=%t: C[%d,%d] outside the product was written", sz, tA, tB, i, j)
							}
							continue
						}
						var want, mag float64
						for kk := 0; kk < k; kk++ {
							want += at(i, kk) * bt(kk, j)
							mag += math.Abs(at(i, kk) * bt(kk, j))
						}
						if math.Abs(got-want) > 1e-5*mag+1e-30 {
							t.Fatalf("%v tA=%t tB=%t: C[%d,%d] = %v, want %v", sz, tA, tB, i, j, got, want)
						}
					}
				}
			}
		}
	}
}

// BenchmarkSGEMM times each kernel on the encoder's forward product
// (128×784 · 784×512).
func BenchmarkSGEMM(b *testing.B) {
	const m, n, k = 128, 512, 784
	x, w, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	for i := range x {
		x[i] = float32(i%7) * 0.1
	}
	for i := range w {
		w[i] = float32(i%5) * 0.1
	}
	for _, kern := range gemmKernels() {
		b.Run(fmt.Sprintf("%dx%d", kern.mr, kern.nr), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				sgemmWith(kern, false, false, m, n, k, x, k, w, n, c, n)
			}
			b.ReportMetric(2*m*n*k*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
