//go:build !netlib

package blasimpl

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/gonum/floats"
)

// Float64 returns gonum's pure-Go BLAS, its name, and threaded = true: its large products are
// split over GOMAXPROCS goroutines by gonum itself.
func Float64() (impl blas.Float64, name string, threaded bool) {
	return gonum.Implementation{}, "gonum", true
}

// StableDots reports that an entry of DotsNT does not depend on the shape of the product or on
// its place in it: here each entry is one floats.Dot.
const StableDots = true

// SingleThreaded is a no-op for gonum; see the netlib build.
func SingleThreaded() (restore func()) { return func() {} }

// DotsNT sets c[i·ldc + j] = Σ_l a[i·lda + l]·b[j·ldb + l], i < m, j < n, the row-major product
// A·Bᵀ of an m×k and an n×k matrix, on the calling goroutine. Here each entry is one
// floats.Dot (gonum's assembly dot product, the kernel of its Dgemm), so an entry does not
// depend on m, n or the entry's place. gonum's Dgemm itself sums products of more than a few
// 64×64 blocks in 64-term pieces, so its entries depend on the shape.
func DotsNT(m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	for i := 0; i < m; i++ {
		ai := a[i*lda : i*lda+k]
		ci := c[i*ldc : i*ldc+n]
		for j := range ci {
			ci[j] = floats.Dot(ai, b[j*ldb:j*ldb+k])
		}
	}
}
