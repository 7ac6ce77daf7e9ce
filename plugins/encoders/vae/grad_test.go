package vae

import (
	"math"
	"math/rand"
	"testing"
)

// gradCase is one loss configuration of the finite-difference gradient check.
type gradCase struct {
	name        string
	recon       string // bce, mse or mixed
	sample      bool
	cond        bool
	learned     bool
	reduction   string
	gamma, beta float64
	hidden      []int
}

var gradCases = []gradCase{
	{name: "vae/bce/closed", recon: ReconBCE, gamma: 1, beta: 1, hidden: []int{5, 3}},
	{name: "vae/bce/sample", recon: ReconBCE, sample: true, gamma: 1, beta: 1, hidden: []int{5, 3}},
	{name: "vae/mse/closed/mean", recon: ReconMSE, reduction: ReductionMean, gamma: 0.3, beta: 1.7, hidden: []int{5}},
	{name: "vae/mixed/closed", recon: ReconMixed, gamma: 1, beta: 1, hidden: []int{5, 3}},
	{name: "vae/mixed/sample", recon: ReconMixed, sample: true, gamma: 2, beta: 0.5, hidden: []int{4}},
	{name: "clvae/bce/closed/learned", recon: ReconBCE, cond: true, learned: true, gamma: 0.3, beta: 1, hidden: []int{5, 3}},
	{name: "clvae/bce/sample/learned", recon: ReconBCE, sample: true, cond: true, learned: true, gamma: 1, beta: 1, hidden: []int{5}},
	{name: "clvae/mixed/closed/fixed", recon: ReconMixed, cond: true, gamma: 0.03, beta: 1, hidden: []int{5, 3}},
	{name: "clvae/mse/sample/fixed", recon: ReconMSE, sample: true, cond: true, reduction: ReductionMean, gamma: 1, beta: 1, hidden: []int{4}},
}

// gradFixture builds the tiny network of a case (d = 6, latent 2, 3 classes,
// 4 rows) in precision T with the data, ε and labels filled in. The weights
// and prior means come from a fixed source so that the float32 and float64
// fixtures of a case hold the same values (rounded).
func gradFixture[T float](t *testing.T, c gradCase) (*netSpec, *netParams[T], *graph[T]) {
	t.Helper()
	const d, latent, rows, classes = 6, 2, 4, 3
	s := &netSpec{d: d, latent: latent, hidden: c.hidden, sample: c.sample, gamma: c.gamma, beta: c.beta, scale: 1}
	if c.reduction == ReductionMean {
		s.scale = 1.0 / d
	}
	var err error
	switch c.recon {
	case ReconMixed:
		s.blocks = []block{{0, 2, kindNumeric}, {2, 3, kindCategorical}, {5, 1, kindUnit}}
	default:
		if s.blocks, err = blocksFor(c.recon, d, nil); err != nil {
			t.Fatal(err)
		}
	}
	r := rand.New(rand.NewSource(7))
	var means []float64
	if c.cond {
		s.nClasses, s.learnedMeans = classes, c.learned
		means = make([]float64, classes*latent)
		for i := range means {
			means[i] = r.NormFloat64()
		}
	}
	p := newParams[T](s, r, means)
	for _, l := range p.layers { // non-zero biases exercise their gradient paths fully
		for i := range l.b {
			l.b[i] = T(0.2 * r.NormFloat64())
		}
	}
	G, err := buildGraph(s, p, rows, true)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < rows; i++ {
		row := G.x[i*d : (i+1)*d]
		for j := range row {
			switch {
			case c.recon == ReconBCE:
				row[j] = T(r.Float64())
			case c.recon == ReconMSE:
				row[j] = T(r.NormFloat64())
			case j < 2:
				row[j] = T(r.NormFloat64())
			case j < 5:
				if j-2 == i%3 {
					row[j] = 1
				}
			default:
				row[j] = T(r.Float64())
			}
		}
	}
	for i := range G.eps {
		G.eps[i] = T(r.NormFloat64())
	}
	for i := range G.y {
		G.y[i] = T(i % classes)
	}
	return s, p, G
}

func fixtureLoss[T float](t *testing.T, s *netSpec, G *graph[T]) float64 {
	t.Helper()
	if err := G.run(); err != nil {
		t.Fatal(err)
	}
	r, k := G.lastSums()
	return (s.gamma*r + s.beta*k) / float64(G.rows)
}

// TestGradientsFiniteDifference checks every gradient gorgonia computes through
// the custom ops (dense layers, ReLU, reparameterisation, each reconstruction
// loss, both KL forms, learned prior means) against central differences of the
// loss, in float64 with ε fixed: |analytic − numeric| ≤ 1e-6·max(1, |analytic|).
// With h = 1e-5 the truncation error is O(h²·f‴) ≈ 1e-10 and the rounding
// error O(1e-16·|f|/h) ≈ 1e-10, far inside the tolerance; a wrong factor or
// sign in any backward op shows up as an O(1) error.
func TestGradientsFiniteDifference(t *testing.T) {
	const h = 1e-5
	for _, c := range gradCases {
		t.Run(c.name, func(t *testing.T) {
			s, p, G := gradFixture[float64](t, c)
			fixtureLoss(t, s, G)
			params := p.trainable(s)
			var analytic [][]float64
			for i := range params {
				g, err := G.grad(i)
				if err != nil {
					t.Fatal(err)
				}
				analytic = append(analytic, append([]float64(nil), g...))
			}
			if c.learned != (len(params) == 2*len(p.layers)+1) {
				t.Fatalf("%d trainable tensors for %d layers, learned means %t", len(params), len(p.layers), c.learned)
			}
			checked, worst := 0, 0.0
			for i, v := range params {
				for j := range v {
					old := v[j]
					v[j] = old + h
					fp := fixtureLoss(t, s, G)
					v[j] = old - h
					fm := fixtureLoss(t, s, G)
					v[j] = old
					num := (fp - fm) / (2 * h)
					a := analytic[i][j]
					e := math.Abs(a-num) / math.Max(1, math.Abs(a))
					worst = math.Max(worst, e)
					if e > 1e-6 {
						t.Errorf("tensor %d element %d: analytic %.10g, numeric %.10g", i, j, a, num)
					}
					checked++
				}
			}
			t.Logf("%d partial derivatives, worst relative error %.2g", checked, worst)
		})
	}
}

// TestFloat32MatchesFloat64 runs each gradient-check fixture in float32 (the
// training precision, with the fast exp/log kernels) and float64: the loss must
// agree to 2e-6 relative and every gradient to 1e-4·max(1, |g|), a few float32
// ulps of accumulated rounding over sums of at most a few dozen terms.
func TestFloat32MatchesFloat64(t *testing.T) {
	for _, c := range gradCases {
		t.Run(c.name, func(t *testing.T) {
			s, p64, G64 := gradFixture[float64](t, c)
			_, _, G32 := gradFixture[float32](t, c)
			l64, l32 := fixtureLoss(t, s, G64), fixtureLoss(t, s, G32)
			if math.Abs(l64-l32) > 2e-6*math.Abs(l64) {
				t.Errorf("loss float64 %.9g, float32 %.9g", l64, l32)
			}
			for i := range p64.trainable(s) {
				g64, err := G64.grad(i)
				if err != nil {
					t.Fatal(err)
				}
				g32, err := G32.grad(i)
				if err != nil {
					t.Fatal(err)
				}
				for j := range g64 {
					if e := math.Abs(g64[j] - float64(g32[j])); e > 1e-4*math.Max(1, math.Abs(g64[j])) {
						t.Errorf("gradient %d[%d]: float64 %.9g, float32 %.9g", i, j, g64[j], g32[j])
					}
				}
			}
		})
	}
}

// TestKLSampleIsUnbiased checks the one-sample KL against the closed form: the
// mean over many ε of the sample form equals the closed form (they are equal
// in expectation), within 4 standard errors.
func TestKLSampleIsUnbiased(t *testing.T) {
	const rows, L, draws = 3, 2, 20000
	h := []float64{0.3, -0.2, 0.5, -1.1, 1.2, 0.7, 0.1, 0.4, -0.3, 0.9, 0.2, -0.6}
	means := []float64{1, -1, 0.5, 2}
	y := []float64{0, 1, 1}
	closed := klInputs[float64]{h: h, r: rows, l: L, y: y, m: means}
	var want float64
	for i := 0; i < rows; i++ {
		for j := 0; j < L; j++ {
			mu, lv := h[i*2*L+j], h[i*2*L+L+j]
			d := mu - closed.prior(i, j)
			want += (math.Exp(lv) + d*d - 1 - lv) / 2
		}
	}
	r := rand.New(rand.NewSource(3))
	var sum, sum2 float64
	eps := make([]float64, rows*L)
	for k := 0; k < draws; k++ {
		for i := range eps {
			eps[i] = r.NormFloat64()
		}
		var s float64
		for i := 0; i < rows; i++ {
			for j := 0; j < L; j++ {
				mu, lv := h[i*2*L+j], h[i*2*L+L+j]
				dz := mu + math.Exp(lv/2)*eps[i*L+j] - closed.prior(i, j)
				s += (dz*dz - lv - 1) / 2
			}
		}
		sum += s
		sum2 += s * s
	}
	mean := sum / draws
	se := math.Sqrt((sum2/draws - mean*mean) / draws)
	if math.Abs(mean-want) > 4*se {
		t.Errorf("mean one-sample KL %.4f ± %.4f, closed form %.4f", mean, se, want)
	}
}

// TestFastMath bounds the float32 kernels against float64 math.
func TestFastMath(t *testing.T) {
	worst := func(f func(float64) (float64, float64), lo, hi float64, steps int) (float64, float64) {
		w, at := 0.0, 0.0
		for i := 0; i <= steps; i++ {
			x := lo + (hi-lo)*float64(i)/float64(steps)
			got, want := f(x)
			if e := math.Abs(got-want) / math.Abs(want); e > w {
				w, at = e, x
			}
		}
		return w, at
	}
	cases := []struct {
		name   string
		f      func(float64) (float64, float64)
		lo, hi float64
		steps  int
		tol    float64
	}{
		// float32 ulp is 2^-23 ≈ 1.19e-7 relative; the inputs are rounded to
		// float32 first so only the kernel's error is measured.
		{"expf", func(x float64) (float64, float64) {
			x = float64(float32(x))
			return float64(expf(float32(x))), math.Exp(x)
		}, -87, 88, 200001, 3e-7},
		{"log1pUnitf", func(u float64) (float64, float64) {
			u = float64(float32(u))
			return float64(log1pUnitf(float32(u))), math.Log1p(u)
		}, 1e-12, 1, 200001, 3e-7},
		{"softplus32", func(l float64) (float64, float64) {
			l = float64(float32(l))
			sp, _ := softplusSigmoid(float32(l))
			spw, _ := softplusSigmoid(l)
			return float64(sp), spw
		}, -80, 80, 200001, 5e-7},
		{"sigmoid32", func(l float64) (float64, float64) {
			l = float64(float32(l))
			return float64(sigmoid(float32(l))), sigmoid(l)
		}, -80, 80, 200001, 5e-7},
	}
	for _, c := range cases {
		w, at := worst(c.f, c.lo, c.hi, c.steps)
		if w > c.tol {
			t.Errorf("%s: relative error %.3g at %g exceeds %.1g", c.name, w, at, c.tol)
		} else {
			t.Logf("%s: worst relative error %.3g", c.name, w)
		}
	}
	if v := expf(float32(math.NaN())); v == v {
		t.Errorf("expf(NaN) = %v", v)
	}
	if v := expf(100); !math.IsInf(float64(v), 1) {
		t.Errorf("expf(100) = %v, want +Inf", v)
	}
	if v := expf(-100); v != 0 {
		t.Errorf("expf(-100) = %v, want 0", v)
	}
}
