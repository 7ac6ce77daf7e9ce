package metrics

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// GMMOptions configures GMM. Zero values select scikit-learn 1.2's
// GaussianMixture(covariance_type="full", init_params="kmeans") defaults.
type GMMOptions struct {
	// K is the number of components, 1 ≤ K ≤ n. Ignored by SweepGMM.
	K int
	// MaxIter bounds the EM iterations of one run. 0 means 100.
	MaxIter int
	// Tol: a run has converged when the mean log-likelihood changes by less
	// than Tol between iterations. 0 means 1e-3.
	Tol float64
	// RegCovar is added to the diagonal of every covariance. 0 means 1e-6.
	RegCovar float64
	// NInit is the number of runs; the one with the highest final lower
	// bound is kept. 0 means 1.
	NInit int
	// Seed seeds the k-means initialisation (run r uses k-means restart
	// stream r of a seed derived from Seed).
	Seed uint64
	// InitLabels, if set, holds n initial component labels in 0..K−1 used as
	// one-hot responsibilities instead of the k-means labels; then only one
	// run is made. Ignored by SweepGMM.
	InitLabels []int
	// Workers bounds the goroutines that run restarts (and, in a sweep, the
	// k values) in parallel. 0 means runtime.GOMAXPROCS(0).
	Workers int
}

// GMMResult is a fitted Gaussian mixture with full covariances.
type GMMResult struct {
	// Labels holds argmax_j p(j | x_i), the most responsible component of
	// each fitted point under the final parameters.
	Labels []int
	// Weights holds the K mixing weights.
	Weights []float64
	// Means holds the K×D component means, row-major.
	Means []float64
	// Covariances holds the K covariance matrices, each D×D row-major,
	// RegCovar included.
	Covariances []float64
	// LowerBound is the mean log-likelihood (1/n)·Σ_i log p(x_i) computed in
	// the last E-step of the kept run (scikit-learn's lower_bound_).
	LowerBound float64
	// Converged tells whether the kept run met Tol before MaxIter.
	Converged bool
	// NIter is the number of EM iterations of the kept run.
	NIter int
	// K and D are the number of components and the dimension.
	K, D int
}

// GMM fits a K-component Gaussian mixture with full covariances to the n×d
// row-major points x by expectation–maximisation (Dempster, Laird & Rubin
// 1977, "Maximum likelihood from incomplete data via the EM algorithm",
// JRSS B 39(1); Bishop 2006, Pattern Recognition and Machine Learning,
// §9.2.2), as scikit-learn 1.2's GaussianMixture does:
//
//   - initialisation: the labels of KMeans(K, NInit = 1) (or opt.InitLabels)
//     as one-hot responsibilities r_ij, followed by an M-step with weights
//     n_j/n;
//   - E-step: log π_j + log N(x_i | μ_j, Σ_j) = log π_j − ½·d·log 2π +
//     Σ_t log P_j,tt − ½‖P_jᵀ(x_i − μ_j)‖², P_j the Cholesky factor of the
//     precision Σ_j⁻¹ (P_j = L_j⁻ᵀ with Σ_j = L_j L_jᵀ); log p(x_i) by
//     log-sum-exp over j; r_ij = exp(log π_j + log N − log p(x_i));
//   - M-step: n_j = Σ_i r_ij + 10ε, μ_j = Σ_i r_ij x_i / n_j, Σ_j =
//     Σ_i r_ij (x_i − μ_j)(x_i − μ_j)ᵀ / n_j + RegCovar·I, π_j = n_j / Σ n_j;
//   - the lower bound is the mean of log p(x_i) from the E-step; iteration
//     stops when it changes by less than Tol (Converged) or after MaxIter
//     iterations; the returned parameters are those of the last M-step and
//     Labels come from one more E-step.
//
// It returns an error if K < 1, K > n, n < 2, the shape is inconsistent, x
// holds NaN or Inf, or a covariance is not positive definite (scikit-learn's
// "ill-defined empirical covariance").
func GMM(x []float64, n, d int, opt GMMOptions) (GMMResult, error) {
	return GMMContext(context.Background(), x, n, d, opt)
}

// GMMContext is GMM stopped by ctx: the fit checks it between EM iterations
// and within its E- and M-steps, and the error then wraps ctx.Err().
func GMMContext(ctx context.Context, x []float64, n, d int, opt GMMOptions) (GMMResult, error) {
	data, err := gmPrepare("GMM", x, n, d, opt)
	if err != nil {
		return GMMResult{}, err
	}
	data.km.done = ctx.Done()
	k := opt.K
	if k < 1 || k > n {
		return GMMResult{}, fmt.Errorf("metrics: GMM: need 1 ≤ K ≤ n, got K = %d, n = %d", k, n)
	}
	runs := data.nInit
	if opt.InitLabels != nil {
		runs = 1
		if len(opt.InitLabels) != n {
			return GMMResult{}, fmt.Errorf("metrics: GMM: %d InitLabels for %d points", len(opt.InitLabels), n)
		}
		for i, l := range opt.InitLabels {
			if l < 0 || l >= k {
				return GMMResult{}, fmt.Errorf("metrics: GMM: InitLabels[%d] = %d outside 0..K−1 = 0..%d", i, l, k-1)
			}
		}
	}
	out := make([]gmRun, runs)
	err = kmParallel(ctx, runs, kmWorkers(opt.Workers, runs), func() *gmWork {
		return newGMWork(n, d, k)
	}, func(w *gmWork, job int) {
		out[job] = data.fit(w, k, job, opt.InitLabels)
	})
	if err != nil {
		return GMMResult{}, fmt.Errorf("metrics: GMM: %w", err)
	}
	res, err := gmBest(out)
	if err != nil {
		return GMMResult{}, fmt.Errorf("metrics: GMM: K = %d: %w", k, err)
	}
	return res, nil
}

// Predict returns, for each of the n points of the n×D row-major x, the
// component j maximising log π_j + log N(x | μ_j, Σ_j) (scikit-learn's
// GaussianMixture.predict). Ties go to the lower index.
func (r GMMResult) Predict(x []float64, n int) ([]int, error) {
	k, d := r.K, r.D
	if k < 1 || d < 1 || len(r.Weights) != k || len(r.Means) != k*d || len(r.Covariances) != k*d*d {
		return nil, fmt.Errorf("metrics: GMMResult.Predict: inconsistent result (K = %d, D = %d)", k, d)
	}
	if n < 0 || len(x) != n*d {
		return nil, fmt.Errorf("metrics: GMMResult.Predict: len(x) = %d, want n·D = %d·%d", len(x), n, d)
	}
	if !kmFinite(x) {
		return nil, errors.New("metrics: GMMResult.Predict: input holds NaN or Inf")
	}
	m := &gmModel{
		k: k, d: d,
		weights: r.Weights, means: r.Means, covs: r.Covariances,
		linv: make([]float64, k*d*d), cst: make([]float64, k),
	}
	if err := m.precisions(make([]float64, d*d)); err != nil {
		return nil, fmt.Errorf("metrics: GMMResult.Predict: %w", err)
	}
	labels := make([]int, n)
	m.labels(x, n, make([]float64, k), make([]float64, d), labels)
	return labels, nil
}

// errGMMCovariance is scikit-learn's error for a covariance that is not
// positive definite.
// errGMMCanceled marks a run stopped by the sweep's cancellation; the sweep
// returns ctx's error instead.
var errGMMCanceled = errors.New("canceled")

var errGMMCovariance = errors.New("ill-defined empirical covariance (a singleton or collapsed component): " +
	"decrease the number of components or increase RegCovar")

// gmData is the validated input shared (read-only) by all runs.
type gmData struct {
	x       []float64 // raw n×d
	n, d    int
	km      *kmData // centred copy for the k-means initialisation
	maxIter int
	tol     float64
	reg     float64
	nInit   int
	seed    uint64 // derived k-means seed
}

// canceled reports whether the sweep was cancelled (km.done, see
// kmData.canceled).
func (g *gmData) canceled() bool { return g.km.canceled() }

// gmCheckRows is how many rows the d > 2 E- and M-steps process between two
// cancellation checks: a row costs O(k·d²), so for MNIST's 784 pixels and
// k = 20 about 16 rows take a few milliseconds.
const gmCheckRows = 16

func gmPrepare(fn string, x []float64, n, d int, opt GMMOptions) (*gmData, error) {
	if opt.NInit < 0 || opt.MaxIter < 0 || opt.Tol < 0 || opt.RegCovar < 0 || opt.Workers < 0 {
		return nil, fmt.Errorf("metrics: %s: negative option (NInit %d, MaxIter %d, Tol %g, RegCovar %g, Workers %d)",
			fn, opt.NInit, opt.MaxIter, opt.Tol, opt.RegCovar, opt.Workers)
	}
	if n < 2 {
		return nil, fmt.Errorf("metrics: %s: need at least 2 points, got %d", fn, n)
	}
	// The k-means initialisation is KMeans(n_clusters=K, n_init=1) with
	// scikit-learn's other defaults.
	km, err := kmPrepare(fn, x, n, d, KMeansOptions{NInit: 1})
	if err != nil {
		return nil, err
	}
	g := &gmData{x: x, n: n, d: d, km: km, maxIter: opt.MaxIter, tol: opt.Tol, reg: opt.RegCovar,
		nInit: opt.NInit, seed: kmSeedMix(opt.Seed ^ 0x47617573734d6978)}
	if g.maxIter == 0 {
		g.maxIter = 100
	}
	if g.tol == 0 {
		g.tol = 1e-3
	}
	if g.reg == 0 {
		g.reg = 1e-6
	}
	if g.nInit == 0 {
		g.nInit = 1
	}
	return g, nil
}

// gmModel holds mixture parameters and their precision Cholesky factors.
type gmModel struct {
	k, d    int
	weights []float64 // k
	means   []float64 // k×d
	covs    []float64 // k×d×d
	linv    []float64 // k×d×d: L_j⁻¹ (lower triangular), P_j = L_j⁻ᵀ
	cst     []float64 // k: log π_j − ½·d·log 2π + log det P_j
}

// gmWork is one goroutine's scratch space.
type gmWork struct {
	km     *kmWork
	model  gmModel
	resp   []float64 // n×k responsibilities
	nk     []float64 // k: Σ_i r_ij (+ 10ε after mStep)
	sx     []float64 // k×d: Σ_i r_ij x_i
	chol   []float64 // d×d
	diff   []float64 // d
	rowBuf []float64 // k
}

func newGMWork(n, d, kmax int) *gmWork {
	return &gmWork{
		km: newKMWork(n, d, kmax),
		model: gmModel{
			weights: make([]float64, kmax),
			means:   make([]float64, kmax*d),
			covs:    make([]float64, kmax*d*d),
			linv:    make([]float64, kmax*d*d),
			cst:     make([]float64, kmax),
		},
		resp:   make([]float64, n*kmax),
		nk:     make([]float64, kmax),
		sx:     make([]float64, kmax*d),
		chol:   make([]float64, d*d),
		diff:   make([]float64, d),
		rowBuf: make([]float64, kmax),
	}
}

// gmRun is the outcome of one EM run.
type gmRun struct {
	res GMMResult
	err error
}

// gmBest keeps the run with the highest lower bound, the first on ties (as
// scikit-learn's BaseMixture.fit_predict), or the first run's error.
func gmBest(runs []gmRun) (GMMResult, error) {
	b := -1
	for r, run := range runs {
		if run.err != nil {
			return GMMResult{}, run.err
		}
		if b < 0 || run.res.LowerBound > runs[b].res.LowerBound {
			b = r
		}
	}
	return runs[b].res, nil
}

// view sets the model slices to the first k components of the buffers.
func (w *gmWork) view(k, d int) *gmModel {
	m := &w.model
	m.k, m.d = k, d
	m.weights = m.weights[:k]
	m.means = m.means[:k*d]
	m.covs = m.covs[:k*d*d]
	m.linv = m.linv[:k*d*d]
	m.cst = m.cst[:k]
	return m
}

// fit makes EM run `run` with k components and returns a copy of its result.
func (g *gmData) fit(w *gmWork, k, run int, initLabels []int) gmRun {
	n, d := g.n, g.d
	m := w.view(k, d)
	resp := w.resp[:n*k]
	clear(resp)
	if initLabels != nil {
		for i, l := range initLabels {
			resp[i*k+l] = 1
		}
	} else {
		g.km.plusPlus(w.km, k, kmRNG(g.seed, uint64(run)))
		g.km.lloydInPlace(w.km, k)
		if g.canceled() {
			return gmRun{err: errGMMCanceled}
		}
		for i, l := range w.km.labels {
			resp[i*k+int(l)] = 1
		}
	}
	g.gmSums(w, k, resp)
	g.mStep(w, m, resp)
	// scikit-learn's _initialize divides n_j by n, not by Σ n_j.
	for j := range k {
		m.weights[j] = w.nk[j] / float64(n)
	}
	if err := m.precisions(w.chol); err != nil {
		return gmRun{err: err}
	}
	lower := math.Inf(-1)
	converged := false
	iter := 0
	for iter = 1; iter <= g.maxIter; iter++ {
		prev := lower
		lower = g.eStep(w, m, resp)
		if g.canceled() {
			return gmRun{err: errGMMCanceled}
		}
		g.mStep(w, m, resp)
		if g.canceled() {
			return gmRun{err: errGMMCanceled}
		}
		if err := m.precisions(w.chol); err != nil {
			return gmRun{err: err}
		}
		if math.Abs(lower-prev) < g.tol {
			converged = true
			break
		}
	}
	nIter := min(iter, g.maxIter)
	res := GMMResult{
		Labels:      make([]int, n),
		Weights:     append([]float64(nil), m.weights...),
		Means:       append([]float64(nil), m.means...),
		Covariances: append([]float64(nil), m.covs...),
		LowerBound:  lower,
		Converged:   converged,
		NIter:       nIter,
		K:           k,
		D:           d,
	}
	m.labels(g.x, n, w.rowBuf[:k], w.diff, res.Labels)
	return gmRun{res: res}
}

// precisions computes, for every component, the Cholesky factor L_j of Σ_j,
// its inverse L_j⁻¹ (so that P_j = L_j⁻ᵀ is scikit-learn's
// precisions_cholesky_) and the constant log π_j − ½·d·log 2π + Σ_t log P_j,tt.
func (m *gmModel) precisions(chol []float64) error {
	k, d := m.k, m.d
	halfLog2Pi := 0.5 * float64(d) * math.Log(2*math.Pi)
	for j := range k {
		cov := m.covs[j*d*d : (j+1)*d*d]
		li := m.linv[j*d*d : (j+1)*d*d]
		if !gmCholesky(cov, chol, d) {
			return errGMMCovariance
		}
		// L⁻¹ by forward substitution, column by column.
		clear(li)
		logDet := 0.0
		for c := range d {
			li[c*d+c] = 1 / chol[c*d+c]
			logDet += math.Log(li[c*d+c])
			for r := c + 1; r < d; r++ {
				s := 0.0
				for t := c; t < r; t++ {
					s += chol[r*d+t] * li[t*d+c]
				}
				li[r*d+c] = -s / chol[r*d+r]
			}
		}
		m.cst[j] = math.Log(m.weights[j]) - halfLog2Pi + logDet
	}
	return nil
}

// gmCholesky writes the lower Cholesky factor of the symmetric d×d matrix a
// into l and reports whether a is positive definite.
func gmCholesky(a, l []float64, d int) bool {
	clear(l)
	for r := range d {
		for c := 0; c <= r; c++ {
			s := a[r*d+c]
			for t := range c {
				s -= l[r*d+t] * l[c*d+t]
			}
			if r == c {
				if !(s > 0) {
					return false
				}
				l[r*d+r] = math.Sqrt(s)
			} else {
				l[r*d+c] = s / l[c*d+c]
			}
		}
	}
	return true
}

// logProbRow writes log π_j + log N(p | μ_j, Σ_j) for every component into
// row and returns the largest value and its first index.
func (m *gmModel) logProbRow(p, row, diff []float64) (float64, int) {
	k, d := m.k, m.d
	best, bestV := 0, math.Inf(-1)
	if d == 2 {
		x0, x1 := p[0], p[1]
		for j := range k {
			li := m.linv[4*j : 4*j+4]
			d0, d1 := x0-m.means[2*j], x1-m.means[2*j+1]
			y0 := li[0] * d0
			y1 := li[2]*d0 + li[3]*d1
			v := m.cst[j] - 0.5*(y0*y0+y1*y1)
			row[j] = v
			if v > bestV {
				best, bestV = j, v
			}
		}
		return bestV, best
	}
	for j := range k {
		mu := m.means[j*d : (j+1)*d]
		li := m.linv[j*d*d : (j+1)*d*d]
		for t := range d {
			diff[t] = p[t] - mu[t]
		}
		sq := 0.0
		for r := range d {
			y := 0.0
			lr := li[r*d : r*d+r+1]
			for t, v := range lr {
				y += v * diff[t]
			}
			sq += y * y
		}
		v := m.cst[j] - 0.5*sq
		row[j] = v
		if v > bestV {
			best, bestV = j, v
		}
	}
	return bestV, best
}

// eStep fills resp with the responsibilities under the current parameters
// (log-sum-exp over components) and returns the mean log-likelihood. It also
// accumulates the first M-step sums, n_j = Σ_i r_ij into w.nk and Σ_i r_ij x_i
// into w.sx, in the order gmSums would.
func (g *gmData) eStep(w *gmWork, m *gmModel, resp []float64) float64 {
	n, d, k := g.n, g.d, m.k
	nk, sx := w.nk[:k], w.sx[:k*d]
	clear(nk)
	clear(sx)
	if d == 2 {
		return g.eStep2D(m, resp, nk, sx)
	}
	total := 0.0
	for i := range n {
		if i%gmCheckRows == 0 && g.canceled() {
			return math.NaN()
		}
		row := resp[i*k : (i+1)*k]
		p := g.x[i*d : (i+1)*d]
		mx, _ := m.logProbRow(p, row, w.diff)
		logSum, s := gmExpRow(row, mx)
		total += logSum
		inv := 1 / s
		for j := range row {
			row[j] *= inv
		}
		gmAccumulate(row, p, nk, sx)
	}
	return total / float64(n)
}

// eStep2D is eStep for d = 2 with the per-component work inlined.
func (g *gmData) eStep2D(m *gmModel, resp, nk, sx []float64) float64 {
	n, k := g.n, m.k
	x := g.x[:2*n]
	means, linv, cst := m.means[:2*k], m.linv[:4*k], m.cst[:k]
	total := 0.0
	for i := range n {
		row := resp[i*k : (i+1)*k]
		x0, x1 := x[2*i], x[2*i+1]
		mx := math.Inf(-1)
		for j := range row {
			d0, d1 := x0-means[2*j], x1-means[2*j+1]
			y0 := linv[4*j] * d0
			y1 := linv[4*j+2]*d0 + linv[4*j+3]*d1
			v := cst[j] - 0.5*(y0*y0+y1*y1)
			row[j] = v
			mx = max(mx, v)
		}
		logSum, s := gmExpRow(row, mx)
		total += logSum
		inv := 1 / s
		for j, e := range row {
			if e == 0 {
				continue
			}
			r := e * inv
			row[j] = r
			nk[j] += r
			sx[2*j] += r * x0
			sx[2*j+1] += r * x1
		}
	}
	return total / float64(n)
}

// gmExpRow replaces a row of log-probabilities v_j by exp(v_j − mx), mx
// being their maximum, and returns the row's log-sum-exp and the sum of the
// new values (the log-sum-exp trick; a row that is all −Inf counts mx as 0).
func gmExpRow(row []float64, mx float64) (logSum, s float64) {
	if math.IsInf(mx, 0) || math.IsNaN(mx) {
		mx = 0
	}
	for j, v := range row {
		// exp underflows to exactly 0 below −745.2: skip the call.
		e := 0.0
		if v-mx > gmExpUnderflow {
			e = math.Exp(v - mx)
		}
		row[j] = e
		s += e
	}
	return mx + math.Log(s), s
}

// gmAccumulate adds one point's responsibilities to n_j and r_ij·x_i to the
// sums sx (k×d).
func gmAccumulate(row, p, nk, sx []float64) {
	if len(p) == 2 {
		x0, x1 := p[0], p[1]
		for j, r := range row {
			if r == 0 {
				continue
			}
			nk[j] += r
			sx[2*j] += r * x0
			sx[2*j+1] += r * x1
		}
		return
	}
	d := len(p)
	for j, r := range row {
		if r == 0 {
			continue
		}
		nk[j] += r
		acc := sx[j*d : (j+1)*d]
		for t, v := range p {
			acc[t] += r * v
		}
	}
}

// gmSums sets w.nk and w.sx from resp, as eStep does on the way.
func (g *gmData) gmSums(w *gmWork, k int, resp []float64) {
	n, d := g.n, g.d
	nk, sx := w.nk[:k], w.sx[:k*d]
	clear(nk)
	clear(sx)
	for i := range n {
		gmAccumulate(resp[i*k:(i+1)*k], g.x[i*d:(i+1)*d], nk, sx)
	}
}

// gmExpUnderflow is below the largest x with math.Exp(x) == 0.
const gmExpUnderflow = -746.0

// mStep sets weights, means and covariances from resp and the sums in w.nk
// and w.sx (scikit-learn's _estimate_gaussian_parameters with covariance
// "full": n_j = Σ_i r_ij + 10ε, means, then covariances about the new means).
func (g *gmData) mStep(w *gmWork, m *gmModel, resp []float64) {
	n, d, k := g.n, g.d, m.k
	x := g.x
	nk := w.nk[:k]
	eps := math.Nextafter(1, 2) - 1
	clear(m.covs)
	total := 0.0
	for j := range k {
		nk[j] += 10 * eps
		total += nk[j]
		for t := range d {
			m.means[j*d+t] = w.sx[j*d+t] / nk[j]
		}
	}
	if d == 2 {
		for i := range n {
			row := resp[i*k : (i+1)*k]
			x0, x1 := x[2*i], x[2*i+1]
			for j, r := range row {
				if r == 0 {
					continue
				}
				d0, d1 := x0-m.means[2*j], x1-m.means[2*j+1]
				c := m.covs[4*j : 4*j+4]
				rd0 := r * d0
				c[0] += rd0 * d0
				c[1] += rd0 * d1
				c[3] += r * d1 * d1
			}
		}
		for j := range k {
			c := m.covs[4*j : 4*j+4]
			c[0] = c[0]/nk[j] + g.reg
			c[1] /= nk[j]
			c[2] = c[1]
			c[3] = c[3]/nk[j] + g.reg
		}
	} else {
		diff := w.diff
		for i := range n {
			if i%gmCheckRows == 0 && g.canceled() {
				return
			}
			row := resp[i*k : (i+1)*k]
			p := x[i*d : (i+1)*d]
			for j, r := range row {
				if r == 0 {
					continue
				}
				mu := m.means[j*d : (j+1)*d]
				for t := range d {
					diff[t] = p[t] - mu[t]
				}
				c := m.covs[j*d*d : (j+1)*d*d]
				for a := range d {
					ra := r * diff[a]
					ca := c[a*d : a*d+a+1]
					for b := range ca {
						ca[b] += ra * diff[b]
					}
				}
			}
		}
		for j := range k {
			c := m.covs[j*d*d : (j+1)*d*d]
			for a := range d {
				for b := 0; b <= a; b++ {
					v := c[a*d+b] / nk[j]
					c[a*d+b], c[b*d+a] = v, v
				}
				c[a*d+a] += g.reg
			}
		}
	}
	for j := range k {
		m.weights[j] = nk[j] / total
	}
}

// labels writes argmax_j (log π_j + log N(x_i | μ_j, Σ_j)) of every point.
func (m *gmModel) labels(x []float64, n int, row, diff []float64, out []int) {
	d := m.d
	for i := range n {
		_, best := m.logProbRow(x[i*d:(i+1)*d], row, diff)
		out[i] = best
	}
}
