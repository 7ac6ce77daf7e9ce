//go:build !unix

package vae

func cpuSeconds() float64 { return 0 }
