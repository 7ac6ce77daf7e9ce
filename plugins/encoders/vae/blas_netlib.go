//go:build netlib

package vae

// Built with -tags netlib, gorgonia (and so this package) uses OpenBLAS
// through gonum's cgo wrapper:
//
//	CGO_LDFLAGS=-lopenblas go build -tags netlib ./...
//
// (Debian: libopenblas-dev). Run with OPENBLAS_NUM_THREADS=1 for speed: gemm
// then splits each product over GOMAXPROCS goroutines itself, and no OpenBLAS
// threads spin beside the goroutines of the elementwise kernels
// (spinning OpenBLAS threads starve the goroutines on a small machine). Without it gemm leaves the threading to
// OpenBLAS.

import (
	"gonum.org/v1/netlib/blas/netlib"
	"gorgonia.org/gorgonia"
)

func init() { gorgonia.Use(netlib.Implementation{}) }
