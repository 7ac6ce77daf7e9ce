package stats

import (
	"errors"
	"fmt"
	"math"
)

// ZeroMethod says how the Wilcoxon test treats zero differences.
type ZeroMethod string

// Zero methods, as scipy.stats.wilcoxon's zero_method.
const (
	// ZeroWilcox drops zero differences (Wilcoxon 1945); SciPy's default.
	ZeroWilcox ZeroMethod = "wilcox"
	// ZeroPratt ranks zeros with the others, then drops them (Pratt 1959),
	// with Cureton's (1967) correction of the normal approximation.
	ZeroPratt ZeroMethod = "pratt"
	// ZeroSplit ranks zeros with the others and splits their ranks evenly
	// between the positive and the negative sums.
	ZeroSplit ZeroMethod = "zsplit"
)

// Alternative is the alternative hypothesis of a test.
type Alternative string

// Alternatives, as SciPy's alternative argument.
const (
	TwoSided Alternative = "two-sided"
	Less     Alternative = "less"    // x tends to be below y
	Greater  Alternative = "greater" // x tends to be above y
)

// WilcoxonMethod chooses between the exact null distribution and the
// normal approximation.
type WilcoxonMethod string

// Wilcoxon methods, as scipy.stats.wilcoxon's method (formerly mode).
const (
	// Auto is Exact for at most 50 differences, Approx beyond.
	Auto   WilcoxonMethod = "auto"
	Exact  WilcoxonMethod = "exact"
	Approx WilcoxonMethod = "approx"
)

// WilcoxonOptions are the test's settings; the zero value is SciPy's
// default (ZeroWilcox, no continuity correction, TwoSided, Auto).
type WilcoxonOptions struct {
	ZeroMethod  ZeroMethod
	Correction  bool // continuity correction of the normal approximation
	Alternative Alternative
	Method      WilcoxonMethod
}

// WilcoxonResult is the outcome of a Wilcoxon signed-rank test.
type WilcoxonResult struct {
	// Statistic is min(R⁺, R⁻) for TwoSided, R⁺ otherwise.
	Statistic float64
	P         float64
	// Z is the standardised statistic of the normal approximation (NaN when
	// the exact distribution was used).
	Z float64
	// Method is Exact or Approx: the one used.
	Method WilcoxonMethod
	// N is the number of differences the test ranked.
	N int
}

// Wilcoxon is the Wilcoxon signed-rank test (Wilcoxon 1945) of the paired
// samples x and y (y nil: of the differences x), reproducing
// scipy.stats.wilcoxon of SciPy 1.10.1 step by step:
//
//   - Method Auto picks Exact for n ≤ 50 differences, Approx beyond; any zero
//     difference switches Exact to Approx (SciPy warns).
//   - Exact: the null distribution of R⁺ by the recursion over n of
//     scipy's _get_wilcoxon_distr; R⁺ is truncated to an integer first, so
//     with tied |differences| (half-integer R⁺) the exact p-value is that of
//     the integer below, as SciPy 1.10 does (later SciPy versions switch to
//     the approximation on ties). TwoSided doubles the smaller tail, and is 1
//     when R⁺ is the distribution's centre.
//   - Approx: z = (T − n(n+1)/4 − d)/σ with σ² = [n(n+1)(2n+1) −
//     ½Σ(t³ − t)]/24 over groups of tied ranks, d the continuity
//     correction (±½, only with Correction); ZeroWilcox first drops the
//     zeros, ZeroPratt keeps them in n and subtracts their share from the
//     mean and variance (Cureton 1967), ZeroSplit keeps them and gives half
//     their rank sum to each side.
//
// All differences zero is an error for ZeroWilcox and ZeroPratt, as in
// SciPy.
func Wilcoxon(x, y []float64, o WilcoxonOptions) (WilcoxonResult, error) {
	o = o.withDefaults()
	d := append([]float64(nil), x...)
	if y != nil {
		if len(x) != len(y) {
			return WilcoxonResult{}, fmt.Errorf("wilcoxon: %d values against %d", len(x), len(y))
		}
		for i := range d {
			d[i] = x[i] - y[i]
		}
	}
	nan := math.NaN()
	if len(d) == 0 {
		return WilcoxonResult{Statistic: nan, P: nan, Z: nan, Method: o.Method}, nil
	}
	for _, v := range d {
		if math.IsNaN(v) {
			return WilcoxonResult{}, errors.New("wilcoxon: NaN difference")
		}
	}
	mode := o.Method
	if mode == Auto {
		mode = Exact
		if len(d) > 50 {
			mode = Approx
		}
	}
	nZero := 0
	for _, v := range d {
		if v == 0 {
			nZero++
		}
	}
	if nZero > 0 && mode == Exact {
		mode = Approx
	}
	if mode == Approx {
		if nZero == len(d) && o.ZeroMethod != ZeroSplit {
			return WilcoxonResult{}, fmt.Errorf("wilcoxon: zero method %q needs a non-zero difference", o.ZeroMethod)
		}
		if o.ZeroMethod == ZeroWilcox {
			nz := d[:0:0]
			for _, v := range d {
				if v != 0 {
					nz = append(nz, v)
				}
			}
			d = nz
		}
	}
	count := len(d)
	abs := make([]float64, count)
	for i, v := range d {
		abs[i] = math.Abs(v)
	}
	r := Rank(abs)
	var rPlus, rMinus, rZero float64
	for i, v := range d {
		switch {
		case v > 0:
			rPlus += r[i]
		case v < 0:
			rMinus += r[i]
		default:
			rZero += r[i]
		}
	}
	if o.ZeroMethod == ZeroSplit {
		rPlus += rZero / 2
		rMinus += rZero / 2
	}
	t := rPlus
	if o.Alternative == TwoSided {
		t = math.Min(rPlus, rMinus)
	}
	res := WilcoxonResult{Statistic: t, Z: nan, Method: mode, N: count}
	if mode == Approx {
		res.Z, res.P = wilcoxonApprox(d, r, t, nZero, o)
		return res, nil
	}
	res.P = wilcoxonExact(count, int(rPlus), o.Alternative)
	return res, nil
}

func (o WilcoxonOptions) withDefaults() WilcoxonOptions {
	if o.ZeroMethod == "" {
		o.ZeroMethod = ZeroWilcox
	}
	if o.Alternative == "" {
		o.Alternative = TwoSided
	}
	if o.Method == "" {
		o.Method = Auto
	}
	return o
}

// wilcoxonApprox is the normal approximation with tie correction
// (scipy.stats.wilcoxon, mode "approx").
func wilcoxonApprox(d, r []float64, t float64, nZero int, o WilcoxonOptions) (z, p float64) {
	n := float64(len(d))
	mn := n * (n + 1) * 0.25
	se := n * (n + 1) * (2*n + 1)
	if o.ZeroMethod == ZeroPratt {
		var nonzero []float64
		for i, v := range d {
			if v != 0 {
				nonzero = append(nonzero, r[i])
			}
		}
		r = nonzero
		z0 := float64(nZero)
		mn -= z0 * (z0 + 1) * 0.25
		se -= z0 * (z0 + 1) * (2*z0 + 1)
	}
	for _, tie := range tieSizes(r) {
		ft := float64(tie)
		se -= 0.5 * ft * (ft*ft - 1)
	}
	se = math.Sqrt(se / 24)
	corr := 0.0
	if o.Correction {
		switch o.Alternative {
		case TwoSided:
			if t > mn {
				corr = 0.5
			} else if t < mn {
				corr = -0.5
			}
		case Less:
			corr = -0.5
		default:
			corr = 0.5
		}
	}
	z = (t - mn - corr) / se
	switch o.Alternative {
	case TwoSided:
		p = 2 * NormalSurvival(math.Abs(z))
	case Greater:
		p = NormalSurvival(z)
	default:
		p = NormalCDF(z)
	}
	return z, p
}

// wilcoxonExact is the exact p-value of R⁺ = rPlus among n differences.
func wilcoxonExact(n, rPlus int, alt Alternative) float64 {
	pmf := wilcoxonPMF(n)
	sum := func(lo, hi int) float64 { // Σ pmf[lo:hi]
		s := 0.0
		for i := max(lo, 0); i < min(hi, len(pmf)); i++ {
			s += pmf[i]
		}
		return s
	}
	var p float64
	switch alt {
	case TwoSided:
		if rPlus == (len(pmf)-1)/2 {
			return 1
		}
		p = 2 * math.Min(sum(rPlus, len(pmf)), sum(0, rPlus+1))
	case Greater:
		p = sum(rPlus, len(pmf))
	default:
		p = sum(0, rPlus+1)
	}
	return math.Min(math.Max(p, 0), 1)
}

// wilcoxonPMF returns P(R⁺ = r) for r = 0 … n(n+1)/2 under the null
// hypothesis: each rank 1 … n joins R⁺ with probability ½, so the
// distribution for k ranks is the one for k − 1 halved, plus itself shifted
// by k and halved. Every value is a multiple of 2⁻ⁿ, exact in float64 for
// the n ≤ 50 the exact test is used for, so the order of summation of the
// tails does not matter.
func wilcoxonPMF(n int) []float64 {
	c := []float64{1}
	for k := 1; k <= n; k++ {
		next := make([]float64, k*(k+1)/2+1)
		m := len(c)
		for i, v := range c {
			next[i] = v * 0.5
		}
		off := len(next) - m
		for i, v := range c {
			next[off+i] += v * 0.5
		}
		c = next
	}
	return c
}
