package stats

import (
	"errors"
	"math"
)

// PairedT is Student's paired t-test of x against y (scipy.stats.ttest_rel):
// with d = x − y over n pairs, t = mean(d) / (s_d/√n), s_d the sample
// standard deviation (n − 1), referred to Student's t with n − 1 degrees of
// freedom. Identical differences give t = ±Inf (p = 0) or, all zero, NaN.
func PairedT(x, y []float64, alt Alternative) (TestResult, error) {
	if len(x) != len(y) {
		return TestResult{}, errors.New("paired t: samples of different lengths")
	}
	if len(x) < 2 {
		return TestResult{}, errors.New("paired t: need at least 2 pairs")
	}
	d := make([]float64, len(x))
	for i := range d {
		d[i] = x[i] - y[i]
	}
	m, v := meanVar(d)
	n := float64(len(d))
	t := m / math.Sqrt(v/n)
	return TestResult{Statistic: t, P: tTail(t, n-1, alt), DF: n - 1}, nil
}

// Welch is Welch's unequal-variance two-sample t-test of x against y
// (scipy.stats.ttest_ind with equal_var=False; Welch 1947): t = (x̄ − ȳ) /
// √(s_x²/n_x + s_y²/n_y), with the Welch–Satterthwaite degrees of freedom
// (s_x²/n_x + s_y²/n_y)² / [(s_x²/n_x)²/(n_x − 1) + (s_y²/n_y)²/(n_y − 1)]
// (1 when both variances are zero, as SciPy).
func Welch(x, y []float64, alt Alternative) (TestResult, error) {
	if len(x) < 2 || len(y) < 2 {
		return TestResult{}, errors.New("welch: need at least 2 values in each sample")
	}
	mx, vx := meanVar(x)
	my, vy := meanVar(y)
	nx, ny := float64(len(x)), float64(len(y))
	a, b := vx/nx, vy/ny
	df := (a + b) * (a + b) / (a*a/(nx-1) + b*b/(ny-1))
	if math.IsNaN(df) {
		df = 1
	}
	t := (mx - my) / math.Sqrt(a+b)
	return TestResult{Statistic: t, P: tTail(t, df, alt), DF: df}, nil
}

// tTail is SciPy's _ttest_finish: the p-value of t under Student's t(df).
func tTail(t, df float64, alt Alternative) float64 {
	switch alt {
	case Less:
		return StudentTCDF(t, df)
	case Greater:
		return StudentTCDF(-t, df)
	default:
		return 2 * StudentTCDF(-math.Abs(t), df)
	}
}

// meanVar returns the mean and the sample variance (n − 1), computed as
// NumPy does: the mean first, then the mean squared deviation.
func meanVar(x []float64) (mean, variance float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		variance += (v - mean) * (v - mean)
	}
	return mean, variance / float64(len(x)-1)
}
