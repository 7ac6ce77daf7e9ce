//go:build !netlib

package lof

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// blasImpl is the BLAS of the blocked brute-force search: gonum's pure-Go BLAS, which splits a
// large product over GOMAXPROCS goroutines itself. Build with -tags netlib for OpenBLAS
// (blas_netlib.go).
func blasImpl() (impl blas.Float64, name string, threaded bool) {
	return gonum.Implementation{}, "gonum", true
}

// singleThreadedBLAS is a no-op for gonum, whose products are threaded by goroutines.
func singleThreadedBLAS() (restore func()) { return func() {} }
