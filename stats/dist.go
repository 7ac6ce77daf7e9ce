package stats

import (
	"math"

	"gonum.org/v1/gonum/mathext"
)

// NormalSurvival returns P(Z > z) for a standard normal Z, computed as
// Cephes' ndtr does (erf near 0, erfc in the tails), which is what
// scipy.stats.norm.sf calls.
func NormalSurvival(z float64) float64 { return ndtr(-z) }

// NormalCDF returns P(Z ≤ z) for a standard normal Z (Cephes ndtr).
func NormalCDF(z float64) float64 { return ndtr(z) }

func ndtr(a float64) float64 {
	if math.IsNaN(a) {
		return math.NaN()
	}
	x := a / math.Sqrt2
	z := math.Abs(x)
	if z < 1/math.Sqrt2 {
		return 0.5 + 0.5*math.Erf(x)
	}
	y := 0.5 * math.Erfc(z)
	if x > 0 {
		y = 1 - y
	}
	return y
}

// ChiSquaredSurvival returns P(X > x) for X ~ χ²(df): the regularised upper
// incomplete gamma function Q(df/2, x/2) (Cephes chdtrc, as
// scipy.stats.chi2.sf).
func ChiSquaredSurvival(x, df float64) float64 {
	if x < 0 {
		return 1
	}
	return mathext.GammaIncRegComp(df/2, x/2)
}

// FSurvival returns P(X > x) for X ~ F(d1, d2), computed as Cephes fdtrc
// does (scipy.stats.f.sf): I_{d2/(d2+d1·x)}(d2/2, d1/2), without the
// cancellation of 1 − CDF in the far tail.
func FSurvival(x, d1, d2 float64) float64 {
	if x <= 0 {
		return 1
	}
	return mathext.RegIncBeta(d2/2, d1/2, d2/(d2+d1*x))
}

// StudentTCDF returns P(T ≤ t) for T ~ Student's t with df degrees of
// freedom: ½·I_{df/(df+t²)}(df/2, ½) for t < 0 (scipy.special.stdtr).
// An infinite df gives the standard normal.
func StudentTCDF(t, df float64) float64 {
	switch {
	case math.IsNaN(t) || math.IsNaN(df):
		return math.NaN()
	case math.IsInf(df, 1):
		return ndtr(t)
	case t == 0:
		return 0.5
	case math.IsInf(t, -1):
		return 0
	case math.IsInf(t, 1):
		return 1
	}
	p := 0.5 * mathext.RegIncBeta(df/2, 0.5, df/(df+t*t))
	if t > 0 {
		return 1 - p
	}
	return p
}
