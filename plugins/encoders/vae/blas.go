package vae

import (
	"os"
	"sync"
	"unsafe"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	"gorgonia.org/gorgonia"
)

// gemm computes C = alpha·op(A)·op(B) + beta·C (row-major, op = transpose when
// tA/tB) with the BLAS gorgonia uses (gorgonia.WhichBLAS: gonum's pure-Go BLAS,
// or OpenBLAS through gonum's netlib wrapper when built with -tags netlib).
//
// In float32 with gonum's pure-Go BLAS on a CPU with AVX2 and FMA (or
// AVX-512), the product runs instead on this package's own kernels (sgemm),
// several times faster than gonum's SGEMM; build with -tags purego to keep
// gonum's.
//
// gonum's BLAS already splits a large product over GOMAXPROCS goroutines. Any
// other implementation (OpenBLAS, see blas_netlib.go) is, when the environment
// sets OPENBLAS_NUM_THREADS=1, called from one goroutine per worker on a band
// of rows of C (each element of C is still computed by one call over the full
// inner dimension), and otherwise left to thread itself.
func gemm[T float](tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if is32[T]() && alpha == 1 && beta == 0 && ownSGEMM() {
		sgemm(tA, tB, m, n, k, f32s(a), lda, f32s(b), ldb, f32s(c), ldc)
		return
	}
	impl := gorgonia.WhichBLAS()
	ta, tb := blas.NoTrans, blas.NoTrans
	if tA {
		ta = blas.Trans
	}
	if tB {
		tb = blas.Trans
	}
	call := func(r0, r1 int) {
		ao := r0 * lda
		if tA {
			ao = r0
		}
		mm := r1 - r0
		if is32[T]() {
			impl.Sgemm(ta, tb, mm, n, k, float32(alpha), f32s(a[ao:]), lda, f32s(b), ldb, float32(beta), f32s(c[r0*ldc:]), ldc)
		} else {
			impl.Dgemm(ta, tb, mm, n, k, float64(alpha), f64s(a[ao:]), lda, f64s(b), ldb, float64(beta), f64s(c[r0*ldc:]), ldc)
		}
	}
	parts := 1
	if splitGEMM() && m*n*k >= 1<<18 {
		parts = min(workers(), m/16)
	}
	if parts <= 1 {
		call(0, m)
		return
	}
	// Bands of rows, aligned to 16 so that every band but the last is a whole
	// number of SIMD-friendly rows.
	band := (m + parts - 1) / parts
	band = (band + 15) &^ 15
	nb := (m + band - 1) / band
	parallelChunks(nb, func(c int) { call(c*band, min((c+1)*band, m)) })
}

// splitGEMM reports whether gemm splits products over goroutines: for a BLAS
// other than gonum's that is told to use one thread.
var splitGEMM = sync.OnceValue(func() bool {
	if _, native := gorgonia.WhichBLAS().(gonum.Implementation); native {
		return false
	}
	return os.Getenv("OPENBLAS_NUM_THREADS") == "1"
})

// ownSGEMM reports whether float32 products run on sgemm: gorgonia uses
// gonum's pure-Go BLAS and the CPU has AVX2 and FMA, or AVX-512.
var ownSGEMM = sync.OnceValue(func() bool {
	_, native := gorgonia.WhichBLAS().(gonum.Implementation)
	return native && len(gemmKernels()) > 0
})

// f32s and f64s view a []T as the concrete slice type it is (checked by is32).
func f32s[T float](s []T) []float32 { return *(*[]float32)(unsafe.Pointer(&s)) }
func f64s[T float](s []T) []float64 { return *(*[]float64)(unsafe.Pointer(&s)) }
