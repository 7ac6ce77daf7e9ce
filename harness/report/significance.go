package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/latentbench/latentbench/harness/grid"
	"github.com/latentbench/latentbench/harness/runner"
	"github.com/latentbench/latentbench/stats"
)

// Alpha is the significance level the claims' wording uses.
const Alpha = 0.05

// Test is the significance test of one comparison of a claim, this side
// against one side it is compared with, over the seeds: one-sided, in the
// direction the claim states.
//
// The test is Student's paired t-test (stats.PairedT) when both sides have
// one value per seed for the same seeds and each seed evaluated both on the
// same data split (equal data digests in cells.jsonl), so that the seed
// pairs the runs; else Welch's two-sample t-test (stats.Welch). t-tests
// rather than rank tests: with the 3 to 5 seeds of a typical grid, the
// Wilcoxon signed-rank test cannot go below p = 0.125 (one-sided, 3 pairs)
// and the Mann–Whitney U test below p = 0.05 (3 against 3), so a rank test
// could never call such a difference significant.
type Test struct {
	Paired    bool
	N1, N2    int
	Statistic float64
	// P is the one-sided p-value; NaN when a side has fewer than 2 values.
	P float64
}

// Name says which test ran.
func (t Test) Name() string {
	if t.Paired {
		return fmt.Sprintf("paired t over %d seeds", t.N1)
	}
	return fmt.Sprintf("Welch t, %d against %d runs", t.N1, t.N2)
}

// seedRows fills a side's Seeds and Digests from its rows, aligned with
// Values as values(rows, metric) orders them.
func seedRows(rs []*runner.Result, metric string) (seeds []int64, digests []string) {
	for _, r := range rs {
		if _, ok := r.Metrics[metric]; ok {
			seeds = append(seeds, r.Seed)
			d := ""
			if r.Data != nil {
				d = r.Data.Digest
			}
			digests = append(digests, d)
		}
	}
	return seeds, digests
}

// testSides tests a against b on metric values, one-sided in direction
// (grid.Higher: a above b).
func testSides(direction string, a, b Side) Test {
	x, y, paired := pairBySeed(a, b)
	t := Test{Paired: paired, N1: len(x), N2: len(y), P: math.NaN(), Statistic: math.NaN()}
	if len(x) < 2 || len(y) < 2 {
		return t
	}
	alt := stats.Greater
	if direction == grid.Lower {
		alt = stats.Less
	}
	var r stats.TestResult
	var err error
	if paired {
		r, err = stats.PairedT(x, y, alt)
	} else {
		r, err = stats.Welch(x, y, alt)
	}
	if err == nil {
		t.Statistic, t.P = r.Statistic, r.P
	}
	return t
}

// pairBySeed returns the two sides' values, aligned by seed when the seeds
// pair them (the same distinct seeds on both sides, each on one data split).
func pairBySeed(a, b Side) (x, y []float64, paired bool) {
	index := func(s Side) map[int64]int {
		if len(s.Seeds) != len(s.Values) {
			return nil
		}
		m := map[int64]int{}
		for i, seed := range s.Seeds {
			if _, dup := m[seed]; dup {
				return nil
			}
			m[seed] = i
		}
		return m
	}
	ia, ib := index(a), index(b)
	if ia != nil && ib != nil && len(ia) == len(ib) {
		seeds := slices.Sorted(func(yield func(int64) bool) {
			for s := range ia {
				if !yield(s) {
					return
				}
			}
		})
		ok := true
		for _, s := range seeds {
			j, in := ib[s]
			if !in || a.Digests[ia[s]] == "" || a.Digests[ia[s]] != b.Digests[j] {
				ok = false
				break
			}
			x, y = append(x, a.Values[ia[s]]), append(y, b.Values[j])
		}
		if ok {
			return x, y, true
		}
	}
	return a.Values, b.Values, false
}

// Verdict words a check: "holds" when the claim holds and every one of its
// comparisons is significant at Alpha (an intersection–union test, which
// needs no multiplicity correction), "holds but not significant at 0.05"
// when it holds on the means only, "does not hold" otherwise; "holds (one
// run a side: untested)" when a comparison has too few runs for a test.
func (c Check) Verdict() string {
	switch {
	case !c.Holds:
		return "does not hold"
	case len(c.Metrics) == 0: // targets and class shares carry no test
		return "holds"
	}
	untested, significant := false, true
	for _, mc := range c.Metrics {
		for _, t := range mc.Tests {
			untested = untested || math.IsNaN(t.P)
			significant = significant && t.P <= Alpha
		}
	}
	switch {
	case untested:
		return "holds (one run a side: untested)"
	case !significant:
		return "holds but not significant at " + strconv.FormatFloat(Alpha, 'g', -1, 64)
	}
	return "holds"
}

// testsText renders the tests of a check: "p = 0.012 (paired t over 3
// seeds, one-sided)", the largest p and its test when there are several.
func testsText(c Check) string {
	var worst *Test
	n := 0
	for i := range c.Metrics {
		for j := range c.Metrics[i].Tests {
			t := &c.Metrics[i].Tests[j]
			n++
			if worst == nil || math.IsNaN(t.P) || t.P > worst.P {
				worst = t
			}
		}
	}
	if worst == nil || math.IsNaN(worst.P) {
		return ""
	}
	var b strings.Builder
	if n > 1 {
		fmt.Fprintf(&b, "largest of %d p-values: ", n)
	}
	fmt.Fprintf(&b, "p %s (%s, one-sided)", pText(worst.P), worst.Name())
	return b.String()
}

// pText renders "= 0.012" or "< 1e-4".
func pText(p float64) string {
	if p < 1e-4 {
		return "< 1e-4"
	}
	return "= " + strconv.FormatFloat(p, 'g', 2, 64)
}
