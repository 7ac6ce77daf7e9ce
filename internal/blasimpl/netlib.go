//go:build netlib

package blasimpl

/*
#cgo LDFLAGS: -lopenblas
int openblas_get_num_threads(void);
void openblas_set_num_threads(int);
*/
import "C"

import (
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/netlib/blas/netlib"
)

// Float64 returns OpenBLAS, its name, and threaded = false: callers split the work over their
// own goroutines and call SingleThreaded around it.
func Float64() (impl blas.Float64, name string, threaded bool) {
	return netlib.Implementation{}, "openblas", false
}

// StableDots reports whether an entry of DotsNT is independent of the shape of the product and
// of its place in it. Not with OpenBLAS, which sums small products (a few 8×8 blocks) with other
// kernels, in another order, than large ones: an entry can differ in its last bits between two
// shapes. Within products of one shape whose m and n are multiples of 8, a row of A gives the
// same entries at any place (TestDotsNTRowPlace; not when n is not: the last columns then take
// an edge kernel that treats rows by their place).
const StableDots = false

// mu serialises the sections that change OpenBLAS's thread count. It is the process's one
// lock for that count, shared by every package that uses this one.
var mu sync.Mutex

// SingleThreaded sets OpenBLAS to one thread until the returned function is called, which
// restores the previous count. The count is the process's: another OpenBLAS user in the same
// process running meanwhile also gets one thread, and a second SingleThreaded section waits
// for the first to end (so sections must not nest).
func SingleThreaded() (restore func()) {
	mu.Lock()
	prev := C.openblas_get_num_threads()
	if prev != 1 {
		C.openblas_set_num_threads(1)
	}
	return func() {
		if prev != 1 {
			C.openblas_set_num_threads(prev)
		}
		mu.Unlock()
	}
}

// DotsNT sets c[i·ldc + j] = Σ_l a[i·lda + l]·b[j·ldb + l], i < m, j < n, the row-major product
// A·Bᵀ of an m×k and an n×k matrix, by one OpenBLAS Dgemm on the calling thread's share of
// OpenBLAS (see SingleThreaded); see StableDots for what an entry depends on.
func DotsNT(m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	netlib.Implementation{}.Dgemm(blas.NoTrans, blas.Trans, m, n, k, 1, a, lda, b, ldb, 0, c, ldc)
}
