// Package blasimpl chooses the float64 BLAS of the numerical plugins at build time: gonum's
// pure-Go BLAS by default, OpenBLAS through gonum's cgo wrapper when built with -tags netlib
// (and CGO_LDFLAGS=-lopenblas; `make build` does both when Debian's libopenblas-dev is
// installed).
//
// Callers split their products into bands over their own goroutines (internal/parallel). With
// OpenBLAS they first call SingleThreaded, so that OpenBLAS's own threads do not compete with
// those goroutines; for gonum it does nothing.
//
// DotsNT is the matrix product for callers that need every entry of a product to be the same
// number wherever it is computed: in a product of any shape, by any split into bands.
package blasimpl
