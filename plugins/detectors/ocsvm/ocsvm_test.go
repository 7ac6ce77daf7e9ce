package ocsvm

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// mixture returns n points of a 2-D three-component Gaussian mixture.
func mixture(n int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	means := [3][2]float64{{0, 0}, {4, 1}, {-2, 5}}
	sd := [3]float64{1, 0.5, 1.5}
	x := make([]float64, 2*n)
	for i := 0; i < n; i++ {
		c := r.IntN(3)
		x[2*i] = means[c][0] + sd[c]*r.NormFloat64()
		x[2*i+1] = means[c][1] + sd[c]*r.NormFloat64()
	}
	return x
}

func mustFit(t *testing.T, x []float64, n, d int, opt Options) *Model {
	t.Helper()
	m, err := Fit(context.Background(), x, n, d, opt)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// sameModel reports whether two models are bit-for-bit equal.
func sameModel(a, b *Model) bool {
	return a.d == b.d && a.gamma == b.gamma && a.rho == b.rho &&
		slices.Equal(a.coef, b.coef) && slices.Equal(a.sv, b.sv) && slices.Equal(a.index, b.index)
}

func TestBadInputs(t *testing.T) {
	good := mixture(50, 1)
	withNaN := slices.Clone(good)
	withNaN[2*17+1] = math.NaN()
	withInf := slices.Clone(good)
	withInf[2*3] = math.Inf(-1)
	cases := []struct {
		name string
		x    []float64
		n, d int
		opt  Options
		want string // substring of the error
	}{
		{"nan", withNaN, 50, 2, Options{}, "NaN at row 17, column 1"},
		{"inf", withInf, 50, 2, Options{}, "-Inf at row 3, column 0"},
		{"n=1", good[:2], 1, 2, Options{}, "n = 1 rows"},
		{"n=0", nil, 0, 2, Options{}, "n = 0 rows"},
		{"n<0", good, -3, 2, Options{}, "n = -3 rows"},
		{"d=0", good, 50, 0, Options{}, "d = 0 columns"},
		{"short", good[:99], 50, 2, Options{}, "len(x) = 99"},
		{"long", good, 20, 2, Options{}, "len(x) = 100"},
		{"overflow", good, math.MaxInt/2 + 1, 4, Options{}, "len(x) = 100"},
		{"nu<0", good, 50, 2, Options{Nu: -0.1}, "nu = -0.1 outside (0, 1]"},
		{"nu>1", good, 50, 2, Options{Nu: 1.0000001}, "outside (0, 1]"},
		{"nu NaN", good, 50, 2, Options{Nu: math.NaN()}, "nu = NaN"},
		{"tol<0", good, 50, 2, Options{Tol: -1e-3}, "tol"},
		{"tol Inf", good, 50, 2, Options{Tol: math.Inf(1)}, "tol"},
		{"gamma<0", good, 50, 2, Options{Gamma: -1}, "gamma = -1"},
		{"gamma NaN", good, 50, 2, Options{Gamma: math.NaN()}, "gamma = NaN"},
		{"gamma Inf", good, 50, 2, Options{Gamma: math.Inf(1)}, "gamma = +Inf"},
		{"cache<0", good, 50, 2, Options{CacheMB: -1}, "cache size"},
		{"maxtrain=1", good, 50, 2, Options{MaxTrain: 1}, "MaxTrain = 1"},
		{"norm overflow", []float64{1, 2, 1e300, -1e300}, 2, 2, Options{}, "row 1: squared norm +Inf"},
		{"scale overflow", []float64{1e-160, 2e-160, 1e-160, 2e-160}, 2, 2, Options{}, "gamma \"scale\""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Fit(context.Background(), c.x, c.n, c.d, c.opt)
			if err == nil || m != nil {
				t.Fatalf("Fit = %v, %v; want an error containing %q", m, err, c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not contain %q", err, c.want)
			}
		})
	}
}

// TestExtremeValues: finite inputs whose squares overflow must give an error
// or a model, never a panic or a hang.
func TestExtremeValues(t *testing.T) {
	x := []float64{1e200, 0, -1e200, 1, 3e199, 2, 0, 0}
	for _, opt := range []Options{{}, {Gamma: 1e-300}, {Gamma: 1}} {
		m, err := Fit(context.Background(), x, 4, 2, opt)
		if err == nil {
			if s := m.Decision(x, 4); len(s) != 4 {
				t.Errorf("opt %+v: %d scores", opt, len(s))
			}
		}
	}
}

// TestConstantFeatures: Var(X) = 0 gives gamma = 1 (scikit-learn's fallback)
// even where a summed mean of the entries is not exactly the constant: for
// this very x numpy's X.var() is 1.9e-34 and scikit-learn 1.2.1 ends up with
// gamma = 1.7e33 (the golden "constant" set uses 2.0, where numpy's variance is
// exactly 0 and both give 1). A constant column among varying ones changes
// nothing but the variance.
func TestConstantFeatures(t *testing.T) {
	x := make([]float64, 3*33)
	for i := range x {
		x[i] = 0.1
	}
	m := mustFit(t, x, 33, 3, Options{})
	if m.Gamma() != 1 {
		t.Errorf("gamma = %v, want 1", m.Gamma())
	}
	// All points identical: K = 1 everywhere, the optimum is the initial point,
	// every training score is Σα − ρ = 0.
	for i, s := range m.Decision(x, 33) {
		if math.Abs(s) > 1e-12 {
			t.Fatalf("score %d = %v, want 0", i, s)
		}
	}
	if got, want := m.NSupport(), int(math.Ceil(0.5*33)); got != want {
		t.Errorf("NSupport = %d, want %d", got, want)
	}

	base := mixture(200, 3)
	withConst := make([]float64, 0, 3*200)
	for i := 0; i < 200; i++ {
		withConst = append(withConst, base[2*i], 7, base[2*i+1])
	}
	m2 := mustFit(t, base, 200, 2, Options{Gamma: 0.3})
	m3 := mustFit(t, withConst, 200, 3, Options{Gamma: 0.3})
	a, b := m2.Decision(base, 200), m3.Decision(withConst, 200)
	if d := maxAbsDiff(a, b); d > 1e-12 {
		t.Errorf("a constant column changed the scores by %v", d)
	}
}

// TestDuplicates: every point repeated gives zero curvature (Q_ii + Q_jj −
// 2Q_ij = 0 → tau) on duplicate pairs; the fit must still converge and score
// duplicates identically.
func TestDuplicates(t *testing.T) {
	b := mixture(60, 4)
	x := append(append(slices.Clone(b), b...), b...)
	for _, nu := range []float64{0.05, 0.5, 0.9} {
		m := mustFit(t, x, 180, 2, Options{Nu: nu})
		if !m.Converged() {
			t.Errorf("nu %v: not converged", nu)
		}
		s := m.Decision(x, 180)
		for i := 0; i < 60; i++ {
			if s[i] != s[i+60] || s[i] != s[i+120] {
				t.Fatalf("nu %v: duplicates of row %d score %v %v %v", nu, i, s[i], s[i+60], s[i+120])
			}
		}
	}
}

// TestNuOne: ν = 1 puts every α_i at 1; libsvm's ρ would be +Inf. Here ρ =
// max_i (Qα)_i, so every training score is ≤ 0 and the best is 0.
func TestNuOne(t *testing.T) {
	x := mixture(150, 5)
	m := mustFit(t, x, 150, 2, Options{Nu: 1})
	if m.NSupport() != 150 {
		t.Errorf("NSupport = %d, want 150", m.NSupport())
	}
	for _, a := range m.DualCoef() {
		if a != 1 {
			t.Fatalf("alpha = %v, want 1", a)
		}
	}
	s := m.Decision(x, 150)
	// ρ comes from the solver's float32 kernel columns, the scores from float64
	// kernels: they agree to float32 precision.
	hi := slices.Max(s)
	if math.Abs(hi) > 1e-6*m.Rho() {
		t.Errorf("max training score = %v, want 0 (rho %v)", hi, m.Rho())
	}
}

// TestNuProperty checks Schölkopf's ν-property on a fit with many points:
// the fraction of training outliers (f < 0) is at most ν, the fraction of
// support vectors at least ν, and Σα = ν·l.
func TestNuProperty(t *testing.T) {
	x := mixture(2000, 6)
	for _, nu := range []float64{0.02, 0.1, 0.5} {
		m := mustFit(t, x, 2000, 2, Options{Nu: nu})
		out := 0
		for _, s := range m.Decision(x, 2000) {
			if s < -1e-3*m.Rho() { // strictly outside, beyond the tolerance
				out++
			}
		}
		sum := 0.0
		for _, a := range m.DualCoef() {
			sum += a
		}
		if math.Abs(sum-nu*2000) > 1e-9*nu*2000 {
			t.Errorf("nu %v: Σα = %v, want %v", nu, sum, nu*2000)
		}
		if float64(out) > nu*2000 || float64(m.NSupport()) < nu*2000 {
			t.Errorf("nu %v: %d outliers, %d SVs of 2000", nu, out, m.NSupport())
		}
	}
}

// TestCacheSizeInvariance: the kernel cache only saves work; a cache of two
// columns (constant eviction, swaps dropping columns) must give the same
// model bit for bit, with and without shrinking.
func TestCacheSizeInvariance(t *testing.T) {
	g := loadGolden(t, "mix2d")
	for _, shrink := range []bool{true, false} {
		opt := Options{Nu: 0.5, NoShrinking: !shrink}
		big := mustFit(t, g.X, g.N, g.D, opt)
		opt.CacheMB = 1e-9
		small := mustFit(t, g.X, g.N, g.D, opt)
		if !sameModel(big, small) {
			t.Errorf("shrinking %v: a two-column cache changed the model", shrink)
		}
	}
}

// TestNoShrinking: without shrinking the path differs but the solution is
// within the tolerance of scikit-learn's.
func TestNoShrinking(t *testing.T) {
	g := loadGolden(t, "mix2d")
	for _, gf := range g.Fits {
		m := mustFit(t, g.X, g.N, g.D, Options{Nu: gf.Nu, NoShrinking: true})
		scale := math.Abs(gf.Rho)
		if d := maxAbsDiff(m.Decision(g.XTest, g.NTest), gf.DecisionTest); d > decisionTol*scale {
			t.Errorf("nu %v: max |Δf| %v > %v", gf.Nu, d, decisionTol*scale)
		}
	}
}

// TestParallelDeterminism: the result does not depend on GOMAXPROCS (the
// parallel column fill and decision only split independent work).
func TestParallelDeterminism(t *testing.T) {
	g := loadGolden(t, "mix10k")
	n := 4000 // long enough columns for the parallel fill
	x := g.X[:n*g.D]
	prev := runtime.GOMAXPROCS(1)
	m1 := mustFit(t, x, n, g.D, Options{Nu: 0.05})
	s1 := m1.Decision(x, n)
	runtime.GOMAXPROCS(4)
	m4 := mustFit(t, x, n, g.D, Options{Nu: 0.05})
	s4 := m4.Decision(x, n)
	runtime.GOMAXPROCS(prev)
	if !sameModel(m1, m4) || !slices.Equal(s1, s4) {
		t.Error("GOMAXPROCS 1 and 4 gave different results")
	}
}

// TestMaxTrain: above MaxTrain the model is the one fitted on the seeded
// subsample, support indices refer to the full input, gamma "scale" comes
// from all points, and the same seed gives the same model.
func TestMaxTrain(t *testing.T) {
	n := 1500
	x := mixture(n, 7)
	opt := Options{Nu: 0.1, MaxTrain: 400, Seed: 42}
	m := mustFit(t, x, n, 2, opt)
	again := mustFit(t, x, n, 2, opt)
	if !sameModel(m, again) {
		t.Error("same seed, different models")
	}
	rows := subsample(n, 400, 42)
	if len(rows) != 400 || !slices.IsSorted(rows) || len(slices.Compact(slices.Clone(rows))) != 400 {
		t.Fatal("subsample is not 400 distinct sorted rows")
	}
	sub := make([]float64, 0, 800)
	for _, r := range rows {
		sub = append(sub, x[2*r], x[2*r+1])
	}
	direct := mustFit(t, sub, 400, 2, Options{Nu: 0.1, Gamma: m.Gamma()})
	if !slices.Equal(direct.coef, m.coef) || direct.rho != m.rho || !slices.Equal(direct.sv, m.sv) {
		t.Error("MaxTrain model differs from a fit on the subsample")
	}
	for k, idx := range m.SupportIndices() {
		if x[2*idx] != m.sv[2*k] || x[2*idx+1] != m.sv[2*k+1] {
			t.Fatalf("support index %d (row %d) does not point at its support vector", k, idx)
		}
	}
	full, err := scaleGamma(x, n, 2)
	if err != nil || m.Gamma() != full {
		t.Errorf("gamma %v, want %v from all rows", m.Gamma(), full)
	}
	other := mustFit(t, x, n, 2, Options{Nu: 0.1, MaxTrain: 400, Seed: 43})
	if sameModel(m, other) {
		t.Error("different seeds, same subsample")
	}
	if m2 := mustFit(t, x, n, 2, Options{Nu: 0.1, MaxTrain: -1}); m2.NSupport() < 150 {
		t.Errorf("MaxTrain < 0 should fit all %d rows; NSupport %d", n, m2.NSupport())
	}
}

func TestMaxIter(t *testing.T) {
	g := loadGolden(t, "mix2d")
	m := mustFit(t, g.X, g.N, g.D, Options{Nu: 0.5, MaxIter: 7})
	if m.Converged() || m.Iterations() != 7 {
		t.Errorf("MaxIter 7: converged %v after %d iterations", m.Converged(), m.Iterations())
	}
	if s := m.Decision(g.X, g.N); len(s) != g.N || math.IsNaN(s[0]) {
		t.Error("capped model does not score")
	}
	full := mustFit(t, g.X, g.N, g.D, Options{Nu: 0.5})
	if !full.Converged() || full.Iterations() <= 7 {
		t.Errorf("default: converged %v after %d iterations", full.Converged(), full.Iterations())
	}
}

// countdownCtx reports cancellation from its n-th Err call on, which
// reaches a given cancellation check deterministically.
type countdownCtx struct {
	context.Context
	n int
}

func (c *countdownCtx) Err() error {
	if c.n--; c.n < 0 {
		return context.Canceled
	}
	return nil
}

func TestCancellation(t *testing.T) {
	g := loadGolden(t, "mix10k")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Fit(ctx, g.X, g.N, g.D, Options{Nu: 0.05}); !errors.Is(err, context.Canceled) {
		t.Errorf("pre-cancelled: err = %v", err)
	}
	// The initial gradient of ν = 0.05 has 506 columns, checked every 64:
	// 8 checks pass, the 9th Err call is the SMO loop's first check.
	cctx := &countdownCtx{Context: context.Background(), n: 8}
	_, err := Fit(cctx, g.X, g.N, g.D, Options{Nu: 0.05})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "SMO iteration 0") {
		t.Errorf("in SMO: err = %v", err)
	}
	m := mustFit(t, g.X[:2000], 1000, 2, Options{})
	if _, err := m.DecisionContext(ctx, g.X, g.N); !errors.Is(err, context.Canceled) {
		t.Errorf("decision: err = %v", err)
	}
	// A deadline long past must not leave goroutines running or panic.
	dctx, dcancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer dcancel()
	time.Sleep(time.Millisecond)
	if _, err := Fit(dctx, g.X, g.N, g.D, Options{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("deadline: err = %v", err)
	}
}

func TestDecisionShapes(t *testing.T) {
	x := mixture(100, 8)
	m := mustFit(t, x, 100, 2, Options{})
	if s := m.Decision(x[:7], 4); s != nil {
		t.Error("len(x) ≠ n·d should give nil")
	}
	if s := m.Decision(x, -1); s != nil {
		t.Error("n < 0 should give nil")
	}
	if _, err := m.DecisionContext(context.Background(), x[:7], 4); err == nil {
		t.Error("len(x) ≠ n·d should be an error")
	}
	if s := m.Decision(nil, 0); s == nil || len(s) != 0 {
		t.Error("n = 0 should give an empty slice")
	}
	if s := m.Decision([]float64{math.NaN(), 0}, 1); !math.IsNaN(s[0]) {
		t.Errorf("NaN input scored %v", s[0])
	}
	var zero Model
	if zero.Decision(x, 100) != nil {
		t.Error("zero Model should not score")
	}
	if _, err := zero.MarshalBinary(); err == nil {
		t.Error("zero Model should not marshal")
	}
	// Far from the data every kernel underflows: f = −ρ.
	if s := m.Decision([]float64{1e6, -1e6}, 1); s[0] != -m.Rho() {
		t.Errorf("far point scored %v, want −ρ = %v", s[0], -m.Rho())
	}
}

func TestExpInPlace(t *testing.T) {
	et := newExpTable()
	r := rand.New(rand.NewPCG(9, 10))
	v := make([]float64, 1<<16)
	for round := 0; round < 8; round++ {
		for i := range v {
			switch i % 3 {
			case 0:
				v[i] = -750 * r.Float64()
			case 1:
				v[i] = -3 * r.Float64()
			default:
				v[i] = 1420*r.Float64() - 710
			}
		}
		want := make([]float64, len(v))
		for i, x := range v {
			want[i] = math.Exp(x)
		}
		et.expInPlace(v)
		for i, got := range v {
			w := want[i]
			if w == 0 || math.IsInf(w, 1) {
				if got != w {
					t.Fatalf("exp: got %v, want %v", got, w)
				}
				continue
			}
			ulp := math.Nextafter(w, math.Inf(1)) - w
			if math.Abs(got-w) > 4*ulp {
				t.Fatalf("exp: got %v, math.Exp %v (%.1f ulp)", got, w, math.Abs(got-w)/ulp)
			}
		}
	}
	special := []float64{0, math.Copysign(0, -1), 1e-300, -1e-300, -708, 709, -745.2, -1000,
		710, math.Inf(-1), math.Inf(1), math.NaN()}
	got := slices.Clone(special)
	et.expInPlace(got)
	for i, x := range special {
		w := math.Exp(x)
		if !(got[i] == w || (math.IsNaN(w) && math.IsNaN(got[i]))) && math.Abs(got[i]-w) > 4*(math.Nextafter(w, math.Inf(1))-w) {
			t.Errorf("exp(%v) = %v, math.Exp %v", x, got[i], w)
		}
	}
}

// FuzzFit: any small matrix (entries from raw float64 bits, so NaN, ±Inf,
// subnormals and huge values occur) and any options give an error or a model
// that scores, never a panic. `go test` runs the seed corpus.
func FuzzFit(f *testing.F) {
	f.Add([]byte("0123456789abcdef0123456789abcdef"), uint8(2), 0.5, 0.0, false)
	f.Add(make([]byte, 64), uint8(1), 1.0, 0.0, true)
	f.Add([]byte("\x00\x00\x00\x00\x00\x00\xf0\x7f0123456789abcdef01234567"), uint8(3), 0.05, 1e300, false)
	f.Fuzz(func(t *testing.T, raw []byte, dRaw uint8, nu, gamma float64, noShrink bool) {
		d := int(dRaw%4) + 1
		x := make([]float64, len(raw)/8)
		for i := range x {
			x[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
		}
		n := min(len(x)/d, 300)
		x = x[:n*d]
		m, err := Fit(context.Background(), x, n, d, Options{Nu: nu, Gamma: gamma, NoShrinking: noShrink, MaxIter: 100000})
		if err != nil {
			return
		}
		s := m.Decision(x, n)
		if len(s) != n {
			t.Fatalf("%d scores for %d rows", len(s), n)
		}
		if math.IsNaN(m.Rho()) || m.NSupport() < 1 {
			t.Fatalf("rho %v, %d SVs", m.Rho(), m.NSupport())
		}
	})
}

// TestDecisionRowGrouping: rows scored four at a time (decision4) get exactly
// the value they get alone (decisionOne), for d = 2 and the general path.
func TestDecisionRowGrouping(t *testing.T) {
	for _, name := range []string{"mix2d", "mix6d"} {
		g := loadGolden(t, name)
		m := mustFit(t, g.X, g.N, g.D, Options{Nu: 0.5})
		all := m.Decision(g.XTest, g.NTest)
		for i := 0; i < g.NTest; i++ {
			one := m.Decision(g.XTest[i*g.D:(i+1)*g.D], 1)
			if one[0] != all[i] {
				t.Fatalf("%s row %d: %v alone, %v in a group", name, i, one[0], all[i])
			}
		}
	}
}
