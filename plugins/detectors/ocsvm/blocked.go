package ocsvm

import (
	"context"
	"math"

	"github.com/latentbench/latentbench/internal/blasimpl"
	"github.com/latentbench/latentbench/internal/parallel"
)

// The BLAS path, for d ≥ blasMinDim.
//
// Almost all of a fit's time on high-dimensional data is spent in the dot products x_i·x_j of
// the kernel K(x_i, x_j) = exp(−γ(‖x_i‖² + ‖x_j‖² − 2x_i·x_j)), and almost all of a decision's
// in ‖x − sv‖². libsvm (inside scikit-learn) takes each of them from a BLAS dot product, one
// kernel value at a time, reading both rows from memory each time. From blasMinDim features on
// they come here from matrix products (blasimpl.DotsNT: OpenBLAS's Dgemm in a netlib build,
// gonum's assembly dot product otherwise), which read each row once per block:
//
//   - the kernel columns of the initial gradient, those of the ⌈ν·l⌉ variables with α_i > 0
//     (about half of all the columns a fit computes on the bench's 2000×1500 and 7600×100
//     mixtures), a block of up to 256 at a time, split into bands of rows over the workers;
//   - after it nearly every column computed is that of the working set's i, the variable with
//     the largest −G_t, and the next ones are nearly always among the 32 largest −G_t of the
//     moment: prefetch computes a missing i's column together with up to prefetchBlock − 1 of
//     those (222 single columns became 12 blocks of 32 on the 2000×1500 mixture, 46 columns
//     wasted; 687 became 37 on the 7600×100 one, 120 wasted);
//   - the few columns still computed alone (extensions after shrinking, G_bar updates) are a
//     product with one row;
//   - the decision function multiplies decisionRows rows at a time by all support vectors and
//     forms ‖x‖² + ‖sv‖² − 2x·sv on centred coordinates, instead of libsvm's Σ_c (x_c − sv_c)².
//
// The SMO iterations are libsvm's, unchanged (the same counts as scikit-learn's on those
// mixtures). Only the summation order of the dot products changes, and with it the last bits of
// a kernel exponent; the solver stores kernel values in float32 (as libsvm), where such a change
// almost never survives rounding, and decision values move by about 1e-15 of their scale. On
// fewer features, the loops of solver.go and ocsvm.go (the dot products summed feature by
// feature, the decision in libsvm's direct form) give today's values bit for bit, which the
// committed CI results of the two bundled ADBench sets (8 and 21 features) rely on; a single
// column costs about the same either way there (BenchmarkKernelColumn).
const (
	// blasMinDim is the smallest dimension on the BLAS path.
	blasMinDim = 32
	// initBlockEntries bounds the float64 products of one block of the initial gradient.
	initBlockEntries = 1 << 20
	// prefetchBlock is the number of kernel columns prefetch computes at a time.
	prefetchBlock = 32
	// decisionRows is the number of rows a decision worker multiplies at a time.
	decisionRows = 64
)

// initialGradientBlocked is initialGradient on the BLAS path. The columns of the variables with
// α_i > 0 are computed a block at a time, then taken through the cache in increasing order as
// libsvm's get_Q calls do, so that the cache holds what it holds after initialGradient.
func (s *solver) initialGradientBlocked(ctx context.Context) error {
	l, d := s.l, s.d
	var idx []int
	for i := 0; i < l; i++ {
		if s.status[i] != lowerBound {
			idx = append(idx, i)
		}
	}
	bs := min(max(initBlockEntries/l, 16), 256, len(idx))
	if bs == 0 {
		return nil
	}
	q := make([]float64, bs*d)
	c := make([]float64, bs*l)
	k := make([]float32, bs*l)
	dst := make([][]float32, bs)
	for b0 := 0; b0 < len(idx); b0 += bs {
		blk := idx[b0:min(b0+bs, len(idx))]
		for r, i := range blk {
			copy(q[r*d:r*d+d], s.xr[i*d:i*d+d])
			dst[r] = k[r*l : r*l+l]
		}
		if err := s.kernelBlock(ctx, blk, l, q, c, dst); err != nil {
			return err
		}
		for r, i := range blk {
			col, start := s.cache.get(i, l)
			if start < l {
				copy(col[start:l], dst[r][start:])
			}
			s.addColumn(i, col)
		}
	}
	return nil
}

// prefetch computes, when the kernel column of position i is not cached at all, that column
// and those of up to prefetchBlock − 1 other uncached positions of the active set by one
// kernelBlock, and caches them all on [0, n), i last (most recently used). The others are the
// positions not at the upper bound with the largest −G_t after i's: the variables the working
// set selection is most likely to pick as its i next (in a one-class SVM nearly every column
// the solver computes after the initial gradient is such an i, and the next ones are nearly
// always among the 32 largest −G_t of the moment). Only the cache's free budget is used, so
// prefetching never evicts a column; with less room than for two columns it does nothing.
func (s *solver) prefetch(i, n int) {
	c := s.cache
	c.flush()
	if c.clen[i] != 0 {
		return // cached, or partly: getQ fills what is missing
	}
	nb := int(min(int64(prefetchBlock), c.size/int64(n)))
	if nb < 2 {
		return
	}
	blk := s.prefetchCandidates(i, n, nb-1)
	blk = append(blk, i)
	nb = len(blk)
	d := s.d
	if len(s.pq) < prefetchBlock*d {
		s.pq = make([]float64, prefetchBlock*d)
		s.pc = make([]float64, prefetchBlock*s.l)
	}
	dst := make([][]float32, nb)
	for r, t := range blk {
		copy(s.pq[r*d:r*d+d], s.xr[t*d:t*d+d])
		dst[r], _ = c.get(t, n)
	}
	s.kernelBlock(context.Background(), blk, n, s.pq, s.pc, dst)
}

// prefetchCandidates returns up to m positions t < n other than i, uncached, not at the upper
// bound, with the largest −G_t (ties: the lower position), in decreasing order of −G_t.
func (s *solver) prefetchCandidates(i, n, m int) []int {
	top := make([]int, 0, m+1)
	g := s.g[:n]
	for t, gt := range g {
		if t == i || s.status[t] == upperBound || s.cache.clen[t] != 0 {
			continue
		}
		if len(top) == m && -gt <= -g[top[m-1]] {
			continue
		}
		// Insert after the entries with −G ≥ −G_t: equal values keep their position order.
		k := len(top)
		for k > 0 && -g[top[k-1]] < -gt {
			k--
		}
		top = append(top, 0)
		copy(top[k+1:], top[k:])
		top[k] = t
		if len(top) > m {
			top = top[:m]
		}
	}
	return top
}

// kernelBlock sets dst[r][j] to the kernel value of the points at positions blk[r] and j, for
// j in [0, length), where q holds the coordinates of the points blk (rows) and c has room for
// len(blk)·l dot products. The positions are split into bands over the workers; each band is
// one Dgemm.
func (s *solver) kernelBlock(ctx context.Context, blk []int, length int, q, c []float64, dst [][]float32) error {
	d, nb := s.d, len(blk)
	workers := s.workers
	if workers > 1 {
		defer blasimpl.SingleThreaded()()
	}
	// Bands of at least 256 positions, four per worker so that a busy core delays little.
	band := max(256, (length+4*workers-1)/(4*workers))
	return parallel.For(ctx, length, band, workers, func(_, a, b int) {
		blasimpl.DotsNT(nb, b-a, d, q, d, s.xr[a*d:], d, c[a:], length)
		for r, i := range blk {
			s.kernelValues(s.xsq[i], s.xsq[a:b], c[r*length+a:r*length+b], dst[r][a:b])
		}
	})
}

// fillRangeBLAS is fillRange on the BLAS path: the dot products of x_i with the points at
// positions [start, end) by one DotsNT (a product with one row; never Dgemv, which OpenBLAS
// sums in yet another order).
func (s *solver) fillRangeBLAS(i int, col []float32, start, end int) {
	d := s.d
	y := s.dots[start:end]
	blasimpl.DotsNT(1, end-start, d, s.xr[i*d:i*d+d], d, s.xr[start*d:], d, y, end-start)
	s.kernelValues(s.xsq[i], s.xsq[start:end], y, col[start:end])
}

// kernelValues sets out[k] = float32(exp(−γ(xsqi + xsq[k] − 2·dots[k]))), the exponent clamped
// to ≤ 0 as in fillRange, overwriting dots.
func (s *solver) kernelValues(xsqi float64, xsq, dots []float64, out []float32) {
	ng := -s.gamma
	xsq = xsq[:len(dots)]
	out = out[:len(dots)]
	for k, dp := range dots {
		a := ng * (xsqi + xsq[k] - 2*dp)
		if a > 0 {
			a = 0
		}
		dots[k] = a
	}
	s.exp.expInPlace(dots)
	for k, v := range dots {
		out[k] = float32(v)
	}
}

// decisionBlocked is DecisionContext on the BLAS path: f(x) = Σ_i α_i exp(−γ‖x − sv_i‖²) − ρ
// summed in support-vector order, with ‖x − sv_i‖² = ‖x̃‖² + ‖s̃v_i‖² − 2x̃·s̃v_i on coordinates
// centred on the support vectors' mean (distances do not change; centring keeps the expansion
// from cancelling on data far from the origin), the exponent clamped to ≤ 0. The dot products
// come decisionRows rows at a time from one DotsNT with every support vector; the last rows are
// padded to decisionRows and the support vectors to a multiple of 8 with zeros, so that every
// product has the same shape and equal rows score equally wherever they are, also on OpenBLAS
// (see blasimpl.StableDots). A row whose centred squared norm is not finite and below
// math.MaxFloat64/4 (NaN, ±Inf, huge values) is evaluated by decisionOne, libsvm's direct form,
// as on the other path.
func (m *Model) decisionBlocked(ctx context.Context, x []float64, n, workers int, out []float64) error {
	d, nsv := m.d, len(m.coef)
	mean := make([]float64, d)
	for k := 0; k < nsv; k++ {
		for c, v := range m.sv[k*d : k*d+d] {
			mean[c] += v
		}
	}
	for c := range mean {
		mean[c] /= float64(nsv)
	}
	np := (nsv + 7) &^ 7
	sv := make([]float64, np*d)
	svsq := make([]float64, nsv)
	for k := range svsq {
		row := sv[k*d : k*d+d]
		for c, v := range m.sv[k*d : k*d+d] {
			row[c] = v - mean[c]
		}
		svsq[k] = dot(row, row)
	}
	if workers > 1 {
		defer blasimpl.SingleThreaded()()
	}
	et := newExpTable()
	type scratch struct{ xc, c []float64 }
	bufs := make([]scratch, parallel.Workers(workers))
	ng := -m.gamma
	return parallel.For(ctx, n, decisionRows, workers, func(w, lo, hi int) {
		if bufs[w].c == nil {
			bufs[w] = scratch{make([]float64, decisionRows*d), make([]float64, decisionRows*np)}
		}
		xc, c := bufs[w].xc, bufs[w].c
		for r := lo; r < hi; r++ {
			row := xc[(r-lo)*d : (r-lo+1)*d]
			for j, v := range x[r*d : r*d+d] {
				row[j] = v - mean[j]
			}
		}
		clear(xc[(hi-lo)*d:])
		blasimpl.DotsNT(decisionRows, np, d, xc, d, sv, d, c, np)
		for r := lo; r < hi; r++ {
			row := xc[(r-lo)*d : (r-lo+1)*d]
			xsq := dot(row, row)
			if !(xsq <= math.MaxFloat64/4) {
				out[r] = m.decisionOne(x[r*d:r*d+d], et)
				continue
			}
			b := c[(r-lo)*np : (r-lo)*np+nsv]
			for k, dp := range b {
				b[k] = min(ng*(xsq+svsq[k]-2*dp), 0)
			}
			et.expInPlace(b)
			sum := 0.0
			coef := m.coef[:len(b)]
			for k, kv := range b {
				sum += coef[k] * kv
			}
			out[r] = sum - m.rho
		}
	})
}
