//go:build !amd64 || purego

package vae

func haveAVX2() bool { return false }

func haveFMA() bool { return false }

func haveAVX512() bool { return false }

func adamAVX2(p, grad, m, v *float32, n int, c *[8]float32) {
	panic("vae: no AVX2 kernels in this build")
}

func bceAVX2(l, x, grad *float32, n int, tab *bceTab) float32 {
	panic("vae: no AVX2 kernels in this build")
}

func kern6x16(kc int, a, b *float32, ldb int, c *float32, ldc int, acc bool) {
	panic("vae: no AVX2 kernels in this build")
}

func kern12x32(kc int, a, b *float32, ldb int, c *float32, ldc int, acc bool) {
	panic("vae: no AVX-512 kernels in this build")
}
