package stats

import (
	"errors"
	"fmt"
	"math"
)

// TestResult is a test statistic with its p-value and, where the reference
// distribution has them, its degrees of freedom.
type TestResult struct {
	Statistic float64
	P         float64
	DF        float64 // χ² and t degrees of freedom, or the F numerator's
	DF2       float64 // the F denominator's degrees of freedom
}

// Friedman is Friedman's rank test that k ≥ 2 methods perform alike over N
// blocks (data sets): data[i][j] is method j's score on block i. Each row is
// ranked (ties averaged); the statistic is
//
//	χ²_F = [12/(N·k·(k+1)) · Σ_j R_j² − 3·N·(k+1)] / C,
//	C = 1 − Σ_ties (t³ − t) / (N·(k³ − k)),
//
// with R_j the rank sum of method j and C the tie correction, referred to
// χ² with k − 1 degrees of freedom (Demšar 2006, §3.2.2). This is
// scipy.stats.friedmanchisquare (which requires k ≥ 3; k = 2 is allowed here
// and gives the same formula). The statistic is invariant to the direction
// of the scores. When every row is one tie, C = 0 and the result is NaN.
func Friedman(data [][]float64) (TestResult, error) {
	n := len(data)
	if n < 2 {
		return TestResult{}, errors.New("friedman: need at least 2 blocks")
	}
	k := len(data[0])
	if k < 2 {
		return TestResult{}, errors.New("friedman: need at least 2 methods")
	}
	sums := make([]float64, k)
	ties := 0.0
	for i, row := range data {
		if len(row) != k {
			return TestResult{}, fmt.Errorf("friedman: block %d has %d values, block 0 has %d", i, len(row), k)
		}
		for _, v := range row {
			if math.IsNaN(v) {
				return TestResult{}, fmt.Errorf("friedman: block %d holds NaN", i)
			}
		}
		for j, r := range Rank(row) {
			sums[j] += r
		}
		for _, t := range tieSizes(row) {
			ft := float64(t)
			ties += ft * (ft*ft - 1)
		}
	}
	fn, fk := float64(n), float64(k)
	c := 1 - ties/(fk*(fk*fk-1)*fn)
	ss := 0.0
	for _, s := range sums {
		ss += s * s
	}
	chi := (12.0/(fk*fn*(fk+1))*ss - 3*fn*(fk+1)) / c
	if c == 0 {
		chi = math.NaN()
	}
	return TestResult{Statistic: chi, P: ChiSquaredSurvival(chi, fk-1), DF: fk - 1}, nil
}

// ImanDavenport turns Friedman's χ²_F over n blocks and k methods into
//
//	F_F = (N − 1)·χ²_F / (N·(k − 1) − χ²_F),
//
// referred to the F distribution with k − 1 and (k − 1)(N − 1) degrees of
// freedom (Iman & Davenport 1980; Demšar 2006, eq. after (3)), which is less
// conservative than χ²_F. χ²_F here is the tie-corrected statistic of
// Friedman. When χ²_F reaches its maximum N(k − 1) (every block ranks the
// methods alike), F_F is +Inf and p = 0.
func ImanDavenport(chi2 float64, n, k int) TestResult {
	fn, fk := float64(n), float64(k)
	d1, d2 := fk-1, (fk-1)*(fn-1)
	den := fn*(fk-1) - chi2
	if math.IsNaN(chi2) {
		return TestResult{Statistic: math.NaN(), P: math.NaN(), DF: d1, DF2: d2}
	}
	if den <= 0 {
		return TestResult{Statistic: math.Inf(1), P: 0, DF: d1, DF2: d2}
	}
	f := (fn - 1) * chi2 / den
	return TestResult{Statistic: f, P: FSurvival(f, d1, d2), DF: d1, DF2: d2}
}
