package vae

import "sync"

// sgemm's blocks: 256 along the inner dimension, and at most 240 rows of A
// (240×256 floats, 240 KB, stay in L2 while the B panels sweep them).
const (
	gemmKC = 256
	gemmMC = 240
)

// gemmKernel is a register-tiled GEMM kernel: it computes an mr×nr tile of C
// from a packed (kc×mr) A panel and kc rows of nr floats of B.
type gemmKernel struct {
	mr, nr int
	fn     func(kc int, a, b *float32, ldb int, c *float32, ldc int, acc bool)
}

// gemmKernels are the kernels this CPU can run, fastest first: 12×32 with
// AVX-512 (24 accumulators of 16 floats), 6×16 with AVX2 and FMA (12 of 8).
func gemmKernels() []gemmKernel {
	var ks []gemmKernel
	if haveAVX512() {
		ks = append(ks, gemmKernel{12, 32, kern12x32})
	}
	if haveFMA() {
		ks = append(ks, gemmKernel{6, 16, kern6x16})
	}
	return ks
}

// sgemmKernel is the kernel sgemm uses.
var sgemmKernel = sync.OnceValue(func() gemmKernel { return gemmKernels()[0] })

// gemmScratch recycles the packing buffers of sgemm across calls.
var gemmScratch = sync.Pool{New: func() any { return new([]float32) }}

func scratch(n int) *[]float32 {
	p := gemmScratch.Get().(*[]float32)
	if cap(*p) < n {
		*p = make([]float32, n)
	}
	*p = (*p)[:n]
	return p
}

// sgemm computes C = op(A)·op(B) for row-major float32 matrices (C is m×n,
// the inner dimension k) with the fastest kernel of gemmKernels. It replaces
// gonum's pure-Go SGEMM (SSE dot and axpy loops, about 4× slower here) in
// builds without OpenBLAS. The layout is the GEBP scheme of Goto & van de
// Geijn (2008, "Anatomy of high-performance matrix multiplication"): for each
// block of 256 along k and 240 along m, op(A) is packed into mr-row panels;
// then each worker takes a range of nr-column panels of op(B), packs one
// (256×nr floats, in L1; an untransposed B is read in place) and sweeps it
// against every A panel. Every element of C is accumulated in the same order
// whatever the number of workers.
func sgemm(tA, tB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	sgemmWith(sgemmKernel(), tA, tB, m, n, k, a, lda, b, ldb, c, ldc)
}

func sgemmWith(kern gemmKernel, tA, tB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	mr, nr := kern.mr, kern.nr
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		for i := 0; i < m; i++ {
			clear(c[i*ldc : i*ldc+n])
		}
		return
	}
	np := (n + nr - 1) / nr
	mcMax := gemmMC / mr * mr
	apBuf := scratch(0) // grown below
	defer gemmScratch.Put(apBuf)
	w := min(workers(), np)
	for pc := 0; pc < k; pc += gemmKC {
		kc := min(gemmKC, k-pc)
		acc := pc > 0
		for ic := 0; ic < m; ic += mcMax {
			mc := min(mcMax, m-ic)
			mp := (mc + mr - 1) / mr
			if cap(*apBuf) < mp*mr*kc {
				*apBuf = make([]float32, mp*mr*kc)
			}
			ap := (*apBuf)[:mp*mr*kc]
			parallelRange(mp, 4, func(lo, hi int) {
				for ip := lo; ip < hi; ip++ {
					packA(ap[ip*kc*mr:(ip+1)*kc*mr], mr, tA, a, lda, ic+mc, ic+ip*mr, pc, kc)
				}
			})
			parallelChunks(w, func(wk int) {
				bpBuf := scratch(gemmKC*nr + mr*nr)
				defer gemmScratch.Put(bpBuf)
				bp, tile := (*bpBuf)[:kc*nr], (*bpBuf)[gemmKC*nr:]
				for jp := wk * np / w; jp < (wk+1)*np/w; jp++ {
					j0 := jp * nr
					cols := min(nr, n-j0)
					// A whole panel of an untransposed B is read in place (its
					// rows of nr floats are contiguous); anything else is packed.
					pb, ldp := &bp[0], nr
					if !tB && cols == nr {
						pb, ldp = &b[pc*ldb+j0], ldb
					} else {
						packB(bp, nr, tB, b, ldb, n, j0, pc, kc)
					}
					for ip := 0; ip < mp; ip++ {
						i0 := ic + ip*mr
						rows := min(mr, m-i0)
						pa := &ap[ip*kc*mr]
						if rows == mr && cols == nr {
							kern.fn(kc, pa, pb, ldp, &c[i0*ldc+j0], ldc, acc)
							continue
						}
						kern.fn(kc, pa, pb, ldp, &tile[0], nr, false)
						for r := 0; r < rows; r++ {
							dst, src := c[(i0+r)*ldc+j0:(i0+r)*ldc+j0+cols], tile[r*nr:r*nr+cols]
							if acc {
								for j, v := range src {
									dst[j] += v
								}
							} else {
								copy(dst, src)
							}
						}
					}
				}
			})
		}
	}
}

// packA writes rows i0..i0+mr-1 of op(A), columns pc..pc+kc-1, as
// dst[kk*mr+r] (zero past row m).
func packA(dst []float32, mr int, tA bool, a []float32, lda, m, i0, pc, kc int) {
	rows := min(mr, m-i0)
	if rows < mr {
		clear(dst)
	}
	if tA { // op(A)[i][kk] = a[kk*lda+i]
		for kk := 0; kk < kc; kk++ {
			copy(dst[kk*mr:kk*mr+rows], a[(pc+kk)*lda+i0:(pc+kk)*lda+i0+rows])
		}
		return
	}
	// Gather column kk of the rows, writing dst sequentially (12 or 6 read
	// streams are cheaper than strided writes).
	var src [16][]float32
	for r := 0; r < rows; r++ {
		src[r] = a[(i0+r)*lda+pc : (i0+r)*lda+pc+kc]
	}
	for kk := 0; kk < kc; kk++ {
		d := dst[kk*mr : kk*mr+rows]
		for r := range d {
			d[r] = src[r][kk]
		}
	}
}

// packB writes columns j0..j0+nr-1 of op(B), rows pc..pc+kc-1, as
// dst[kk*nr+j] (zero past column n).
func packB(dst []float32, nr int, tB bool, b []float32, ldb, n, j0, pc, kc int) {
	cols := min(nr, n-j0)
	if cols < nr {
		clear(dst)
	}
	if tB { // op(B)[kk][j] = b[j*ldb+kk]
		for j := 0; j < cols; j++ {
			src := b[(j0+j)*ldb+pc : (j0+j)*ldb+pc+kc]
			for kk, v := range src {
				dst[kk*nr+j] = v
			}
		}
		return
	}
	for kk := 0; kk < kc; kk++ {
		copy(dst[kk*nr:kk*nr+cols], b[(pc+kk)*ldb+j0:(pc+kk)*ldb+j0+cols])
	}
}
