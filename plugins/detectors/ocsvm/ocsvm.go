// Package ocsvm is the ν-one-class support vector machine of Schölkopf, Platt,
// Shawe-Taylor, Smola & Williamson ("Estimating the support of a
// high-dimensional distribution", Neural Computation 13, 2001; NIPS 2000) with
// the RBF kernel K(x, y) = exp(−γ‖x − y‖²), trained the way libsvm 3.x does it
// and scikit-learn's OneClassSVM calls it, so that the solution is libsvm's.
//
// Training solves the dual
//
//	min_α ½ Σ_ij α_i α_j K(x_i, x_j)   subject to   0 ≤ α_i ≤ 1,   Σ_i α_i = ν·l
//
// by SMO with the second-order working-set selection of Fan, Chen & Lin 2005
// (JMLR 6:1889–1918, "WSS 3"), libsvm's shrinking heuristic, an LRU cache of
// float32 kernel columns, and libsvm's stopping rule m(α) − M(α) < tol. ρ is
// libsvm's (the mean gradient over free α_i). The score is scikit-learn's
// decision_function,
//
//	f(x) = Σ_i α_i K(x_i, x) − ρ,
//
// higher = more normal (the score contract of docs/method.md); f < 0 flags an outlier.
// Note scikit-learn's α are libsvm's unscaled ones (upper bound 1, Σα = ν·l), so
// f has the scale of ν·l, not of a density.
//
// Where this package deliberately differs from scikit-learn 1.2.1:
//   - ν = 1 (every α_i = 1): libsvm's ρ is +Inf and scikit-learn raises; here
//     ρ = max_i (Qα)_i, the smallest value the optimality conditions allow.
//   - γ = "scale" with data whose entries are all equal: scikit-learn's numpy
//     variance may come out as rounding noise (e.g. 1e-34) instead of 0 and give
//     γ ≈ 1e33; here equal entries always give Var = 0 and γ = 1.0, scikit-learn's
//     fallback.
//   - Above Options.MaxTrain points the model is fitted on a seeded subsample;
//     γ = "scale" is still computed from all points.
//   - On reaching MaxIter the whole gradient is rebuilt before ρ is computed
//     (libsvm 3.x does this; scikit-learn's copy computes ρ over the active set).
//   - A training kernel exponent made positive by cancellation in libsvm's
//     ‖x‖² + ‖y‖² − 2x·y is clamped to 0, and rows whose squared norm would
//     overflow are rejected; neither happens on data of sane magnitude.
//   - From 32 features on (blocked.go) the dot products come from BLAS
//     (OpenBLAS in a netlib build, gonum otherwise), in blocks where libsvm
//     computes them one by one: the kernel columns of the initial gradient
//     by matrix products, later columns with those the next iterations are
//     likely to request, and the decision function as ‖x‖² + ‖sv‖² − 2x·sv
//     on coordinates centred on the support vectors (libsvm: Σ(x − sv)²).
//     Only the last bits of a kernel value change; below 32 features the
//     values are those of the loops here, bit for bit.
//
// On the golden data sets (testdata/gen_golden.py) the iterates follow
// scikit-learn's exactly: same support vectors and iteration counts, ρ and
// decision values to about 1e-14 relative (also on the 2000×1500 and 7600×100
// mixtures of the bench command).
package ocsvm

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"

	"github.com/latentbench/latentbench/internal/parallel"
)

// Default option values (scikit-learn's OneClassSVM defaults where it has one).
const (
	DefaultNu       = 0.5
	DefaultTol      = 1e-3
	DefaultCacheMB  = 200
	DefaultMaxTrain = 10000
)

// Options configures Fit. The zero value means scikit-learn's defaults:
// OneClassSVM(kernel="rbf", gamma="scale", nu=0.5, tol=1e-3, cache_size=200,
// shrinking=True, max_iter=-1), plus a 10 000-point training cap.
type Options struct {
	// Gamma is the RBF coefficient γ. 0 means "scale": γ = 1/(d·Var(X)) with
	// Var over all n·d entries of X (numpy's X.var(), as scikit-learn), or 1.0 if
	// that variance is 0. Negative, NaN or Inf is an error.
	Gamma float64
	// Nu bounds the fraction of outliers from above and of support vectors from
	// below; 0 means 0.5. It must lie in (0, 1].
	Nu float64
	// Tol is the stopping tolerance on the maximal KKT violation m(α) − M(α)
	// (libsvm's eps); 0 means 1e-3. Negative or NaN is an error.
	Tol float64
	// CacheMB is the kernel-column cache size in MiB (libsvm's cache_size); 0
	// means 200. The cache never holds less than two full columns.
	CacheMB float64
	// MaxTrain caps the training set: with more points than this, Fit trains
	// on MaxTrain rows drawn without replacement with Seed (kept in their
	// original order). 0 means 10000; negative means no cap; 1 is an error.
	MaxTrain int
	// Seed drives the subsample; it is unused when n ≤ MaxTrain.
	Seed uint64
	// MaxIter caps the SMO iterations; 0 or negative means unlimited
	// (scikit-learn's max_iter = -1). A capped fit returns a model with
	// Converged() == false, as scikit-learn returns one with a warning.
	MaxIter int
	// NoShrinking turns libsvm's shrinking heuristic off (scikit-learn's
	// shrinking=False). It changes the iteration path, not the tolerance.
	NoShrinking bool
}

// resolved returns o with defaults filled in, or an error for invalid values.
func (o Options) resolved() (Options, error) {
	if o.Nu == 0 {
		o.Nu = DefaultNu
	}
	if !(o.Nu > 0 && o.Nu <= 1) {
		return o, fmt.Errorf("ocsvm: nu = %v outside (0, 1]", o.Nu)
	}
	if o.Tol == 0 {
		o.Tol = DefaultTol
	}
	if !(o.Tol > 0) || math.IsInf(o.Tol, 1) {
		return o, fmt.Errorf("ocsvm: tol = %v, want a finite value > 0", o.Tol)
	}
	if !(o.Gamma >= 0) || math.IsInf(o.Gamma, 1) {
		return o, fmt.Errorf("ocsvm: gamma = %v, want 0 (\"scale\") or a finite value > 0", o.Gamma)
	}
	if o.CacheMB == 0 {
		o.CacheMB = DefaultCacheMB
	}
	if !(o.CacheMB > 0) || o.CacheMB > 1<<30 {
		return o, fmt.Errorf("ocsvm: cache size %v MiB, want a value in (0, 2^30]", o.CacheMB)
	}
	if o.MaxTrain == 0 {
		o.MaxTrain = DefaultMaxTrain
	}
	if o.MaxTrain == 1 {
		return o, errors.New("ocsvm: MaxTrain = 1, want ≥ 2 (or ≤ 0 for the default / no cap)")
	}
	return o, nil
}

// Model is a fitted one-class SVM: its support vectors, their dual
// coefficients α_i, ρ and γ. It is safe for concurrent use by Decision.
type Model struct {
	d         int
	gamma     float64
	rho       float64
	nu        float64
	sv        []float64 // nSV×d, row-major, in increasing training-row order
	svt       []float64 // the same transposed, d×nSV (feature-major), for Decision
	coef      []float64 // α_i of each support vector
	index     []int64   // row of each support vector in the x given to Fit
	iter      int
	converged bool
}

// Fit trains a one-class SVM on the n×d matrix x (row-major, len(x) = n·d;
// x is not modified or retained). It returns an error, never panics, on n < 2,
// d < 1, a length mismatch, a NaN or ±Inf entry (the error names its row and
// column), a row whose squared norm overflows, invalid options, or when ctx is
// cancelled (checked every 2048 SMO iterations and every 64 kernel columns of
// the initial gradient; a nil ctx means context.Background()).
//
// Long kernel columns (entries·(d+8) ≥ 40960, e.g. 4096 entries for d = 2) and
// blocks of columns are computed by GOMAXPROCS goroutines. The result does not
// depend on GOMAXPROCS or on CacheMB, except, from 32 features on with OpenBLAS,
// in the last bits (OpenBLAS rounds a product by its shape; see
// blasimpl.StableDots). Memory: the kernel cache (at most Options.CacheMB, as
// libsvm) plus O(l·d), and from 32 features on a block of at most 256 columns
// of l float64 and float32 values for the initial gradient.
func Fit(ctx context.Context, x []float64, n, d int, opt Options) (*Model, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	o, err := opt.resolved()
	if err != nil {
		return nil, err
	}
	if err := checkMatrix(x, n, d, 2); err != nil {
		return nil, fmt.Errorf("ocsvm: fit: %w", err)
	}
	// libsvm's kernel form ‖x_i‖² + ‖x_j‖² − 2x_i·x_j must stay finite.
	for i := 0; i < n; i++ {
		xi := x[i*d : i*d+d]
		if sq := dot(xi, xi); sq > math.MaxFloat64/4 {
			return nil, fmt.Errorf("ocsvm: fit: row %d: squared norm %v overflows the kernel", i, sq)
		}
	}
	gamma := o.Gamma
	if gamma == 0 {
		if gamma, err = scaleGamma(x, n, d); err != nil {
			return nil, fmt.Errorf("ocsvm: fit: %w", err)
		}
	}

	train, l := x[:n*d], n
	var rows []int
	if o.MaxTrain > 0 && n > o.MaxTrain {
		rows = subsample(n, o.MaxTrain, o.Seed)
		l = len(rows)
		train = make([]float64, l*d)
		for k, r := range rows {
			copy(train[k*d:k*d+d], x[r*d:r*d+d])
		}
	}

	res, err := solveOneClass(ctx, train, l, d, gamma, o.Nu, o.Tol,
		int64(o.CacheMB*(1<<20)), !o.NoShrinking, o.MaxIter, runtime.GOMAXPROCS(0), d >= blasMinDim)
	if err != nil {
		return nil, err
	}
	if math.IsNaN(res.rho) || math.IsInf(res.rho, 0) {
		return nil, fmt.Errorf("ocsvm: fit: rho = %v is not finite", res.rho)
	}

	m := &Model{d: d, gamma: gamma, rho: res.rho, nu: o.Nu, iter: res.iter, converged: res.converged}
	for i, a := range res.alpha {
		if a == 0 { // libsvm keeps every α_i with |α_i| > 0
			continue
		}
		row := i
		if rows != nil {
			row = rows[i]
		}
		m.sv = append(m.sv, train[i*d:i*d+d]...)
		m.coef = append(m.coef, a)
		m.index = append(m.index, int64(row))
	}
	m.transposeSV()
	return m, nil
}

// checkMatrix validates an n×d row-major matrix with at least minRows rows.
func checkMatrix(x []float64, n, d, minRows int) error {
	if n < minRows {
		return fmt.Errorf("n = %d rows, want ≥ %d", n, minRows)
	}
	if d < 1 {
		return fmt.Errorf("d = %d columns, want ≥ 1", d)
	}
	if n > math.MaxInt/d || len(x) != n*d {
		return fmt.Errorf("len(x) = %d, want n·d = %d·%d", len(x), n, d)
	}
	for k, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("non-finite value %v at row %d, column %d", v, k/d, k%d)
		}
	}
	return nil
}

// scaleGamma is scikit-learn's gamma="scale": 1/(d·Var(X)) with the variance
// of all n·d entries (numpy's two-pass X.var()), or 1.0 when it is 0 —
// always when all entries are equal. The entries must be finite (Fit checks
// them first), so plain comparisons find the extremes (math.Min and math.Max,
// which also order NaNs and signed zeros, took 15% of the CPU profile of a
// 2000×1500 fit and decision).
func scaleGamma(x []float64, n, d int) (float64, error) {
	x = x[:n*d]
	lo, hi := x[0], x[0]
	sum := 0.0
	for _, v := range x {
		sum += v
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	if lo == hi {
		return 1.0, nil
	}
	mean := sum / float64(len(x))
	ss := 0.0
	for _, v := range x {
		dv := v - mean
		ss += dv * dv
	}
	v := ss / float64(len(x))
	if v == 0 {
		return 1.0, nil
	}
	g := 1 / (float64(d) * v)
	if math.IsNaN(g) || math.IsInf(g, 0) || g == 0 {
		return 0, fmt.Errorf("gamma \"scale\" = 1/(%d·%v) is not a usable value", d, v)
	}
	return g, nil
}

// subsample draws m of n row indices without replacement (partial
// Fisher–Yates with a PCG seeded by seed) and returns them sorted.
func subsample(n, m int, seed uint64) []int {
	r := rand.New(rand.NewPCG(seed, 0x6f6373766d)) // "ocsvm"
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	for i := 0; i < m; i++ {
		j := i + r.IntN(n-i)
		perm[i], perm[j] = perm[j], perm[i]
	}
	rows := perm[:m:m]
	slices.Sort(rows)
	return rows
}

// Dim is the number of features d.
func (m *Model) Dim() int { return m.d }

// Gamma is the RBF coefficient γ used (after resolving "scale").
func (m *Model) Gamma() float64 { return m.gamma }

// Rho is libsvm's ρ (scikit-learn's offset_ = −intercept_).
func (m *Model) Rho() float64 { return m.rho }

// Nu is the ν the model was trained with.
func (m *Model) Nu() float64 { return m.nu }

// NSupport is the number of support vectors (α_i > 0), scikit-learn's
// n_support_[0].
func (m *Model) NSupport() int { return len(m.coef) }

// DualCoef returns a copy of the α_i of the support vectors, in the order of
// SupportIndices (scikit-learn's dual_coef_[0]).
func (m *Model) DualCoef() []float64 { return slices.Clone(m.coef) }

// SupportIndices returns a copy of the support vectors' row indices in the x
// given to Fit, increasing (scikit-learn's support_; with a MaxTrain subsample
// they still index the full x).
func (m *Model) SupportIndices() []int {
	out := make([]int, len(m.index))
	for k, v := range m.index {
		out[k] = int(v)
	}
	return out
}

// SupportVectors returns a copy of the support vectors, NSupport()×Dim(),
// row-major.
func (m *Model) SupportVectors() []float64 { return slices.Clone(m.sv) }

// Iterations is the number of SMO iterations of the fit (0 for a model read by
// UnmarshalBinary).
func (m *Model) Iterations() int { return m.iter }

// Converged reports whether the fit stopped on the tolerance rather than on
// MaxIter (true for a model read by UnmarshalBinary).
func (m *Model) Converged() bool { return m.converged }

// Decision returns f(x) = Σ_i α_i exp(−γ‖sv_i − x‖²) − ρ for each of the n
// rows of x (row-major, n×Dim()), scikit-learn's decision_function: higher is
// more normal, negative flags an outlier. It evaluates rows in parallel on
// GOMAXPROCS goroutines, from 32 features on in blocks of 64 rows by matrix
// products (decisionBlocked); a row's value does not depend on the other rows. It returns nil, rather than panicking, when n < 0 or
// len(x) ≠ n·Dim(); a NaN entry gives a NaN score. DecisionContext reports
// those cases as errors and can be cancelled.
func (m *Model) Decision(x []float64, n int) []float64 {
	out, err := m.DecisionContext(context.Background(), x, n)
	if err != nil {
		return nil
	}
	return out
}

// decisionBlock is the number of rows a goroutine takes at a time.
const decisionBlock = 64

// DecisionContext is Decision with an error for a malformed x and with
// cancellation (checked every 64 rows per goroutine).
func (m *Model) DecisionContext(ctx context.Context, x []float64, n int) ([]float64, error) {
	if m == nil || m.d < 1 {
		return nil, errors.New("ocsvm: decision on an unfitted model")
	}
	if ctx == nil {
		ctx = context.Background()
	}
	d := m.d
	if n < 0 || n > math.MaxInt/d || len(x) != n*d {
		return nil, fmt.Errorf("ocsvm: decision: len(x) = %d, want n·d = %d·%d", len(x), n, d)
	}
	out := make([]float64, n)
	workers := runtime.GOMAXPROCS(0)
	// Small jobs are not worth a goroutine.
	if n*len(m.coef) < 20000 {
		workers = 1
	}
	decide := m.decisionLoops
	if d >= blasMinDim && len(m.coef) > 0 {
		decide = m.decisionBlocked
	}
	if err := decide(ctx, x, n, workers, out); err != nil {
		return nil, fmt.Errorf("ocsvm: decision: %w", err)
	}
	return out, nil
}

// decisionLoops sets out to the decision values of the n rows of x by
// decision4 and decisionOne, libsvm's direct form, on up to workers goroutines.
func (m *Model) decisionLoops(ctx context.Context, x []float64, n, workers int, out []float64) error {
	d := m.d
	et := newExpTable()
	return parallel.For(ctx, n, decisionBlock, workers, func(_, lo, hi int) {
		i := lo
		for ; i+4 <= hi; i += 4 {
			m.decision4(x[i*d:(i+4)*d], out[i:i+4], et)
		}
		for ; i < hi; i++ {
			out[i] = m.decisionOne(x[i*d:i*d+d], et)
		}
	})
}

// decisionOne is libsvm's svm_predict_values for ONE_CLASS: kernel values
// exp(−γ Σ_c (x_c − sv_c)²) (k_function's squared-difference form, summed over
// features in order), summed in support-vector order, then − ρ.
func (m *Model) decisionOne(xi []float64, et *expTable) float64 {
	var buf [fillBlock]float64
	nsv := len(m.coef)
	sum := 0.0
	for lo := 0; lo < nsv; lo += fillBlock {
		hi := min(lo+fillBlock, nsv)
		b := buf[:hi-lo]
		m.kernelExponents(b, xi, lo)
		et.expInPlace(b)
		coef := m.coef[lo:hi]
		coef = coef[:len(b)]
		for k, kv := range b {
			sum += coef[k] * kv
		}
	}
	return sum - m.rho
}

// kernelExponents sets b[k] = −γ Σ_c (x_c − sv_c)² for the support vectors
// lo .. lo+len(b)−1, the features summed in order as libsvm's k_function does.
func (m *Model) kernelExponents(b, xi []float64, lo int) {
	ng := -m.gamma
	nsv := len(m.coef)
	hi := lo + len(b)
	if m.d == 2 {
		// The general loop below, fused: (0 + d0²) + d1² = d0² + d1².
		x0, x1 := xi[0], xi[1]
		c0 := m.svt[lo:hi]
		c1 := m.svt[nsv+lo : nsv+hi]
		c0, c1 = c0[:len(b)], c1[:len(b)]
		for k := range b {
			d0 := x0 - c0[k]
			d1 := x1 - c1[k]
			b[k] = ng * (d0*d0 + d1*d1)
		}
		return
	}
	clear(b)
	for c := 0; c < m.d; c++ {
		xc := xi[c]
		sv := m.svt[c*nsv+lo : c*nsv+hi]
		sv = sv[:len(b)]
		for k, v := range sv {
			dv := xc - v
			b[k] += dv * dv
		}
	}
	for k, v := range b {
		b[k] = ng * v
	}
}

// decision4 is decisionOne for four rows at once: each row's kernel values
// are computed and summed exactly as there (same order, same result), but the
// four sums are independent dependency chains, which the CPU overlaps.
func (m *Model) decision4(x []float64, out []float64, et *expTable) {
	var buf [4 * fillBlock]float64
	d := m.d
	nsv := len(m.coef)
	var s0, s1, s2, s3 float64
	for lo := 0; lo < nsv; lo += fillBlock {
		hi := min(lo+fillBlock, nsv)
		n := hi - lo
		for r := 0; r < 4; r++ {
			m.kernelExponents(buf[r*n:(r+1)*n], x[r*d:r*d+d], lo)
		}
		et.expInPlace(buf[:4*n])
		coef := m.coef[lo:hi]
		b0, b1, b2, b3 := buf[:n], buf[n:2*n], buf[2*n:3*n], buf[3*n:4*n]
		b0, b1, b2, b3 = b0[:len(coef)], b1[:len(coef)], b2[:len(coef)], b3[:len(coef)]
		for k, c := range coef {
			s0 += c * b0[k]
			s1 += c * b1[k]
			s2 += c * b2[k]
			s3 += c * b3[k]
		}
	}
	out = out[:4]
	out[0], out[1], out[2], out[3] = s0-m.rho, s1-m.rho, s2-m.rho, s3-m.rho
}

// transposeSV fills m.svt, the d×nSV copy of m.sv that decisionOne reads.
func (m *Model) transposeSV() {
	nsv := len(m.coef)
	m.svt = make([]float64, len(m.sv))
	for k := 0; k < nsv; k++ {
		for c := 0; c < m.d; c++ {
			m.svt[c*nsv+k] = m.sv[k*m.d+c]
		}
	}
}
