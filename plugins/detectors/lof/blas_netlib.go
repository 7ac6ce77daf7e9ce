//go:build netlib

package lof

// Built with -tags netlib (and CGO_LDFLAGS=-lopenblas; `make build` does both when Debian's
// libopenblas-dev is installed), the blocked brute-force search multiplies through OpenBLAS
// via gonum's cgo wrapper.

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

// blasImpl is OpenBLAS, one thread per call: the search splits each product into bands of
// rows over its own workers, which then go on to select the neighbours of their rows, and
// OpenBLAS threads spinning beside them only slow them down.
func blasImpl() (impl blas.Float64, name string, threaded bool) {
	return netlib.Implementation{}, "openblas", false
}

// openblasMu serialises the searches that change OpenBLAS's thread count.
var openblasMu sync.Mutex

// singleThreadedBLAS sets OpenBLAS to one thread for the duration of a search and returns the
// function that restores the previous count. The count is the process's: another OpenBLAS user
// in the same process running at the same time also gets one thread meanwhile.
func singleThreadedBLAS() (restore func()) {
	openblasMu.Lock()
	prev := C.openblas_get_num_threads()
	if prev != 1 {
		C.openblas_set_num_threads(1)
	}
	return func() {
		if prev != 1 {
			C.openblas_set_num_threads(prev)
		}
		openblasMu.Unlock()
	}
}
