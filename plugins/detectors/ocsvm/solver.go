package ocsvm

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/latentbench/latentbench/internal/blasimpl"
	"github.com/latentbench/latentbench/internal/parallel"
)

// tau replaces a non-positive curvature in the SMO step (libsvm's TAU).
const tau = 1e-12

// Status of a dual variable, as libsvm's alpha_status.
const (
	lowerBound int8 = iota // alpha = 0
	upperBound             // alpha = C = 1
	free                   // 0 < alpha < 1
)

// solver is libsvm's Solver (Fan, Chen & Lin 2005, JMLR 6:1889–1918; libsvm
// 3.x svm.cpp as vendored by scikit-learn 1.2 in sklearn/svm/src/libsvm) for the
// one-class dual of Schölkopf et al. 2000:
//
//	min_α ½ αᵀQα   subject to   0 ≤ α_i ≤ 1,   Σ α_i = ν·l,   Q_ij = K(x_i, x_j) = exp(−γ‖x_i − x_j‖²).
//
// With every label y_i = +1, linear term p = 0 and every bound C_i = 1 (no sample
// weights), libsvm's general solver reduces to what is written here; every
// comparison, tie-break (≥ keeps the last index) and update order is libsvm's,
// so the iterates follow scikit-learn's up to the last bits of the kernel values.
//
// Positions are permuted by shrinking (swapIndex), so xt (or xr), xsq, qd, g,
// gBar, alpha, status and the kernel cache are all indexed by position, and
// activeSet maps a position back to its original row.
type solver struct {
	l, d       int
	gamma      float64
	eps        float64
	xt         []float64 // d×l: feature c of the point at position j is xt[c·l+j]; nil on the BLAS path
	xr         []float64 // l×d, the point at position j is xr[j·d : j·d+d]; BLAS path only (blocked.go)
	dots       []float64 // l dot products x_i·x_j of the column being filled; BLAS path only
	pq, pc     []float64 // prefetch's rows and dot products (BLAS path, allocated on first use)
	xsq        []float64 // ‖x_i‖² (libsvm's x_square)
	qd         []float64 // Q_ii
	g          []float64 // gradient Qα
	gBar       []float64 // Σ over upper-bound j of C_j·Q_ij
	alpha      []float64
	status     []int8
	activeSet  []int32
	activeSize int
	unshrink   bool
	cache      *kernelCache
	exp        *expTable
	workers    int
}

// solveResult is what Fit keeps from a solve.
type solveResult struct {
	alpha     []float64 // in original row order
	rho       float64
	iter      int
	converged bool
}

// solveOneClass runs SMO on the l×d rows x (row-major, not modified).
// shrinking and maxIter (≤ 0: unlimited) as libsvm's -h and scikit-learn's
// max_iter; cacheBytes is libsvm's cache_size in bytes; useBLAS chooses the
// BLAS path (blocked.go), which Fit takes for d ≥ blasMinDim.
func solveOneClass(ctx context.Context, x []float64, l, d int, gamma, nu, eps float64,
	cacheBytes int64, shrinking bool, maxIter, workers int, useBLAS bool) (solveResult, error) {
	s := newSolver(x, l, d, gamma, nu, eps, cacheBytes, workers, useBLAS)
	initGradient := s.initialGradient
	if s.xr != nil {
		initGradient = s.initialGradientBlocked
	}
	if err := initGradient(ctx); err != nil {
		return solveResult{}, fmt.Errorf("ocsvm: initial gradient: %w", err)
	}

	iter := 0
	counter := min(l, 1000) + 1
	converged := false
	for {
		if maxIter > 0 && iter >= maxIter {
			break
		}
		if iter%2048 == 0 {
			if err := ctx.Err(); err != nil {
				return solveResult{}, fmt.Errorf("ocsvm: SMO iteration %d: %w", iter, err)
			}
		}
		counter--
		if counter == 0 {
			counter = min(l, 1000)
			if shrinking {
				s.doShrinking()
			}
		}
		i, j, ok := s.selectWorkingSet()
		if !ok {
			s.reconstructGradient()
			s.activeSize = l
			if i, j, ok = s.selectWorkingSet(); !ok {
				converged = true
				break
			}
			counter = 1 // shrink at the next iteration
		}
		iter++
		s.step(i, j)
	}
	if !converged && s.activeSize < l {
		// libsvm 3.x on reaching its iteration limit: rebuild the whole gradient
		// so that rho is computed over every variable.
		s.reconstructGradient()
		s.activeSize = l
	}

	res := solveResult{
		alpha:     make([]float64, l),
		rho:       s.calculateRho(),
		iter:      iter,
		converged: converged,
	}
	for p := 0; p < l; p++ {
		res.alpha[s.activeSet[p]] = s.alpha[p]
	}
	return res, nil
}

// newSolver returns the solver of the l×d rows x at libsvm's initial point,
// before the initial gradient: the dot products of its kernel columns from BLAS
// (blocked.go) if useBLAS, else summed feature by feature (fillRange).
func newSolver(x []float64, l, d int, gamma, nu, eps float64, cacheBytes int64, workers int, useBLAS bool) *solver {
	s := &solver{
		l: l, d: d, gamma: gamma, eps: eps,
		xsq:       make([]float64, l),
		qd:        make([]float64, l),
		g:         make([]float64, l),
		gBar:      make([]float64, l),
		alpha:     make([]float64, l),
		status:    make([]int8, l),
		activeSet: make([]int32, l),
		cache:     newKernelCache(l, cacheBytes),
		exp:       newExpTable(),
		workers:   workers,
	}
	if useBLAS {
		s.xr = slices.Clone(x[:l*d])
		s.dots = make([]float64, l)
	} else {
		s.xt = make([]float64, d*l)
	}
	for i := 0; i < l; i++ {
		xi := x[i*d : i*d+d]
		if s.xt != nil {
			for c, v := range xi {
				s.xt[c*l+i] = v
			}
		}
		s.xsq[i] = dot(xi, xi)
		// libsvm: QD[i] = kernel_function(i, i), in double
		s.qd[i] = math.Exp(-gamma * (s.xsq[i] + s.xsq[i] - 2*dot(xi, xi)))
	}

	// Initial point, scikit-learn's solve_one_class: ν·l accumulated as Σ_i C_i·ν,
	// then α_i = min(C_i, rest) while rest > 0, i.e. the first ⌊ν·l⌋ points at 1,
	// the next one at the fractional remainder, the others at 0.
	nuL := 0.0
	for i := 0; i < l; i++ {
		nuL += nu
	}
	for i := 0; i < l && nuL > 0; i++ {
		s.alpha[i] = math.Min(1, nuL)
		nuL -= s.alpha[i]
	}
	for i := 0; i < l; i++ {
		s.updateStatus(i)
		s.activeSet[i] = int32(i)
	}
	s.activeSize = l
	return s
}

// initialGradient sets G = Qα (p = 0) and G_bar = Σ_{upper j} Q_:j, taking the
// columns of the variables with α_i > 0 in increasing order through the cache, as
// libsvm does.
func (s *solver) initialGradient(ctx context.Context) error {
	for i := 0; i < s.l; i++ {
		if s.status[i] == lowerBound {
			continue
		}
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		s.addColumn(i, s.getQ(i, s.l))
	}
	return nil
}

// addColumn adds α_i times the kernel column qi (all l positions) to G, and
// the column itself to G_bar when α_i is at the upper bound.
func (s *solver) addColumn(i int, qi []float32) {
	l := s.l
	ai := s.alpha[i]
	g := s.g[:l]
	for j, q := range qi[:l] {
		g[j] += ai * float64(q)
	}
	if s.status[i] == upperBound {
		gb := s.gBar[:l]
		for j, q := range qi[:l] {
			gb[j] += float64(q) // C_i = 1
		}
	}
}

func dot(a, b []float64) float64 {
	b = b[:len(a)]
	sum := 0.0
	for k, v := range a {
		sum += v * b[k]
	}
	return sum
}

func (s *solver) updateStatus(i int) {
	switch a := s.alpha[i]; {
	case a >= 1:
		s.status[i] = upperBound
	case a <= 0:
		s.status[i] = lowerBound
	default:
		s.status[i] = free
	}
}

// getQ returns column i of Q on positions [0, length), from the cache or
// computed into it (libsvm's ONE_CLASS_Q::get_Q).
func (s *solver) getQ(i, length int) []float32 {
	col, start := s.cache.get(i, length)
	if start < length {
		s.fillColumn(i, col, start, length)
	}
	return col
}

// parallelFillMin is the number of kernel entries below which a column is
// filled by the calling goroutine alone.
const parallelFillMin = 4096

// fillColumn computes Q_ij = float32(exp(−γ(‖x_i‖² + ‖x_j‖² − 2 x_i·x_j))) for j
// in [start, end), libsvm's kernel_rbf formula and float32 storage, splitting the
// range over the solver's workers when it is long. The values do not depend on
// the split. Unlike libsvm, an exponent made positive by cancellation is
// clamped to 0 (this changes the float32 value only when cancellation exceeds
// 6e-8 of the exponent's scale, and keeps a huge γ from producing +Inf).
func (s *solver) fillColumn(i int, col []float32, start, end int) {
	n := end - start
	w := s.workers
	if w > 1 && n*(s.d+8) >= parallelFillMin*10 {
		if maxW := n / (parallelFillMin / 4); w > maxW {
			w = maxW
		}
	} else {
		w = 1
	}
	fill := s.fillRange
	if s.xr != nil {
		fill = s.fillRangeBLAS
	}
	if w <= 1 {
		fill(i, col, start, end)
		return
	}
	if s.xr != nil {
		defer blasimpl.SingleThreaded()()
	}
	chunk := (n + w - 1) / w
	parallel.For(context.Background(), n, chunk, w, func(_, lo, hi int) {
		fill(i, col, start+lo, start+hi)
	})
}

// fillBlock is the number of kernel arguments exponentiated per batch.
const fillBlock = 256

func (s *solver) fillRange(i int, col []float32, start, end int) {
	var buf [fillBlock]float64
	l, d := s.l, s.d
	xsqi := s.xsq[i]
	ng := -s.gamma
	for lo := start; lo < end; lo += fillBlock {
		hi := min(lo+fillBlock, end)
		b := buf[:hi-lo]
		xsq := s.xsq[lo:hi]
		xsq = xsq[:len(b)]
		if d == 2 {
			// The general loop below, fused: (0 + x0·y0) + x1·y1 = x0·y0 + x1·y1.
			x0, x1 := s.xt[i], s.xt[l+i]
			c0 := s.xt[lo:hi]
			c1 := s.xt[l+lo : l+hi]
			c0, c1 = c0[:len(b)], c1[:len(b)]
			for k := range b {
				dp := x0*c0[k] + x1*c1[k]
				a := ng * (xsqi + xsq[k] - 2*dp)
				if a > 0 { // only cancellation gets here; a kernel value is ≤ 1
					a = 0
				}
				b[k] = a
			}
		} else {
			// x_i·x_j accumulated feature by feature, in the order of dot().
			clear(b)
			for c := 0; c < d; c++ {
				xc := s.xt[c*l+i]
				xs := s.xt[c*l+lo : c*l+hi]
				xs = xs[:len(b)]
				for k, v := range xs {
					b[k] += xc * v
				}
			}
			for k, dp := range b {
				a := ng * (xsqi + xsq[k] - 2*dp)
				if a > 0 {
					a = 0
				}
				b[k] = a
			}
		}
		s.exp.expInPlace(b)
		c := col[lo:hi]
		c = c[:len(b)]
		for k, v := range b {
			c[k] = float32(v)
		}
	}
}

// selectWorkingSet is libsvm's WSS 3 (Fan, Chen & Lin 2005, §3): i maximises
// −G_t over t not at the upper bound; j minimises −(G_i − G_j)²/(Q_ii + Q_jj −
// 2Q_ij) over j not at the lower bound with −G_j < −G_i. It reports false when
// the maximal violation m(α) − M(α) = Gmax + Gmax2 is below eps, or no j exists.
func (s *solver) selectWorkingSet() (int, int, bool) {
	gmax := math.Inf(-1)
	gmax2 := math.Inf(-1)
	gmaxIdx, gminIdx := -1, -1
	objDiffMin := math.Inf(1)
	n := s.activeSize
	g := s.g[:n]
	st := s.status[:n]
	for t, gt := range g {
		if st[t] != upperBound && -gt >= gmax {
			gmax = -gt
			gmaxIdx = t
		}
	}
	i := gmaxIdx
	if i == -1 {
		return -1, -1, false
	}
	if s.xr != nil {
		s.prefetch(i, n)
	}
	qi := s.getQ(i, n)
	qd := s.qd[:n]
	qdi := s.qd[i]
	for j, gj := range g {
		if st[j] == lowerBound {
			continue
		}
		gradDiff := gmax + gj
		if gj >= gmax2 {
			gmax2 = gj
		}
		if gradDiff > 0 {
			quad := qdi + qd[j] - 2.0*float64(qi[j])
			var objDiff float64
			if quad > 0 {
				objDiff = -(gradDiff * gradDiff) / quad
			} else {
				objDiff = -(gradDiff * gradDiff) / tau
			}
			if objDiff <= objDiffMin {
				gminIdx = j
				objDiffMin = objDiff
			}
		}
	}
	if gmax+gmax2 < s.eps || gminIdx == -1 {
		return -1, -1, false
	}
	return gmaxIdx, gminIdx, true
}

// step is one SMO update of α_i, α_j (equal labels branch of libsvm's
// Solver::Solve), then the gradient, status and G_bar updates.
func (s *solver) step(i, j int) {
	n := s.activeSize
	qi := s.getQ(i, n)
	qj := s.getQ(j, n)
	oldAi, oldAj := s.alpha[i], s.alpha[j]

	quad := s.qd[i] + s.qd[j] - 2*float64(qi[j])
	if quad <= 0 {
		quad = tau
	}
	delta := (s.g[i] - s.g[j]) / quad
	sum := s.alpha[i] + s.alpha[j]
	ai := s.alpha[i] - delta
	aj := s.alpha[j] + delta
	if sum > 1 {
		if ai > 1 {
			ai = 1
			aj = sum - 1
		}
	} else if aj < 0 {
		aj = 0
		ai = sum
	}
	if sum > 1 {
		if aj > 1 {
			aj = 1
			ai = sum - 1
		}
	} else if ai < 0 {
		ai = 0
		aj = sum
	}
	s.alpha[i], s.alpha[j] = ai, aj

	dai := ai - oldAi
	daj := aj - oldAj
	g := s.g[:n]
	qi, qj = qi[:n], qj[:n]
	for k := range g {
		g[k] += float64(qi[k])*dai + float64(qj[k])*daj
	}

	ui := s.status[i] == upperBound
	uj := s.status[j] == upperBound
	s.updateStatus(i)
	s.updateStatus(j)
	if ui != (s.status[i] == upperBound) {
		s.updateGBar(i, ui)
	}
	if uj != (s.status[j] == upperBound) {
		s.updateGBar(j, uj)
	}
}

// updateGBar subtracts (wasUpper) or adds column i over all l positions.
func (s *solver) updateGBar(i int, wasUpper bool) {
	q := s.getQ(i, s.l)
	gb := s.gBar[:s.l]
	q = q[:s.l]
	if wasUpper {
		for k := range gb {
			gb[k] -= float64(q[k])
		}
	} else {
		for k := range gb {
			gb[k] += float64(q[k])
		}
	}
}

// reconstructGradient recomputes G on the inactive positions from G_bar and the
// free variables (libsvm's Solver::reconstruct_gradient, with its choice of loop
// order).
func (s *solver) reconstructGradient() {
	l, n := s.l, s.activeSize
	if n == l {
		return
	}
	for j := n; j < l; j++ {
		s.g[j] = s.gBar[j] // + p_j = 0
	}
	nrFree := 0
	for j := 0; j < n; j++ {
		if s.status[j] == free {
			nrFree++
		}
	}
	if int64(nrFree)*int64(l) > 2*int64(n)*int64(l-n) {
		for i := n; i < l; i++ {
			qi := s.getQ(i, n)
			gi := s.g[i]
			for j := 0; j < n; j++ {
				if s.status[j] == free {
					gi += s.alpha[j] * float64(qi[j])
				}
			}
			s.g[i] = gi
		}
	} else {
		for i := 0; i < n; i++ {
			if s.status[i] != free {
				continue
			}
			qi := s.getQ(i, l)
			ai := s.alpha[i]
			g := s.g[n:l]
			for k, q := range qi[n:l] {
				g[k] += ai * float64(q)
			}
		}
	}
}

// beShrunk: a bounded variable whose gradient is past the current maximal
// violating pair (libsvm's Solver::be_shrunk with y = +1).
func (s *solver) beShrunk(i int, gmax1, gmax2 float64) bool {
	switch s.status[i] {
	case upperBound:
		return -s.g[i] > gmax1
	case lowerBound:
		return s.g[i] > gmax2
	}
	return false
}

// doShrinking is libsvm's Solver::do_shrinking: once the violation is within
// 10·eps the whole gradient is rebuilt and every variable reactivated (once),
// then bounded variables that cannot enter the working set are moved to the
// end of the active range.
func (s *solver) doShrinking() {
	gmax1 := math.Inf(-1) // max −G_i over i not at the upper bound
	gmax2 := math.Inf(-1) // max G_i over i not at the lower bound
	for i := 0; i < s.activeSize; i++ {
		if s.status[i] != upperBound && -s.g[i] >= gmax1 {
			gmax1 = -s.g[i]
		}
		if s.status[i] != lowerBound && s.g[i] >= gmax2 {
			gmax2 = s.g[i]
		}
	}
	if !s.unshrink && gmax1+gmax2 <= s.eps*10 {
		s.unshrink = true
		s.reconstructGradient()
		s.activeSize = s.l
	}
	for i := 0; i < s.activeSize; i++ {
		if !s.beShrunk(i, gmax1, gmax2) {
			continue
		}
		s.activeSize--
		for s.activeSize > i {
			if !s.beShrunk(s.activeSize, gmax1, gmax2) {
				s.swapIndex(i, s.activeSize)
				break
			}
			s.activeSize--
		}
	}
}

func (s *solver) swapIndex(i, j int) {
	s.cache.swapIndex(i, j)
	if s.xr != nil {
		d := s.d
		xi, xj := s.xr[i*d:i*d+d], s.xr[j*d:j*d+d]
		for c := range xi {
			xi[c], xj[c] = xj[c], xi[c]
		}
	} else {
		for c := 0; c < s.d; c++ {
			o := c * s.l
			s.xt[o+i], s.xt[o+j] = s.xt[o+j], s.xt[o+i]
		}
	}
	s.xsq[i], s.xsq[j] = s.xsq[j], s.xsq[i]
	s.qd[i], s.qd[j] = s.qd[j], s.qd[i]
	s.g[i], s.g[j] = s.g[j], s.g[i]
	s.status[i], s.status[j] = s.status[j], s.status[i]
	s.alpha[i], s.alpha[j] = s.alpha[j], s.alpha[i]
	s.activeSet[i], s.activeSet[j] = s.activeSet[j], s.activeSet[i]
	s.gBar[i], s.gBar[j] = s.gBar[j], s.gBar[i]
}

// calculateRho is libsvm's Solver::calculate_rho with y = +1: the mean gradient
// over free variables, else the midpoint of [max G over upper-bound, min G over
// lower-bound]. libsvm leaves rho = +Inf when no variable is free or at the
// lower bound (ν = 1: every α_i = 1; scikit-learn then raises "The dual
// coefficients or intercepts are not finite"); here rho is then the smallest
// value the KKT conditions allow, max G_i, so that every training point scores
// ≤ 0. Symmetrically, −Inf would become min G_i.
func (s *solver) calculateRho() float64 {
	nrFree := 0
	ub, lb, sumFree := math.Inf(1), math.Inf(-1), 0.0
	for i := 0; i < s.activeSize; i++ {
		g := s.g[i]
		switch s.status[i] {
		case upperBound:
			lb = math.Max(lb, g)
		case lowerBound:
			ub = math.Min(ub, g)
		default:
			nrFree++
			sumFree += g
		}
	}
	switch {
	case nrFree > 0:
		return sumFree / float64(nrFree)
	case math.IsInf(ub, 1):
		return lb
	case math.IsInf(lb, -1):
		return ub
	}
	return (ub + lb) / 2
}
