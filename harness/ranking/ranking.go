// Package ranking compares methods (detectors or encoders) over many data
// sets as Demšar (2006) and Benavoli et al. (2016) recommend: the methods
// are ranked on each data set (ties averaged), the average ranks are tested
// with Friedman's χ² and the Iman–Davenport F, every pair of methods with the
// Wilcoxon signed-rank test over the data sets with Holm's correction, and
// the groups of methods not significantly different are drawn as a
// critical-difference diagram, as aeon's plot_critical_difference does with
// test="wilcoxon", correction="holm".
package ranking

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/latentbench/latentbench/harness/grid"
	"github.com/latentbench/latentbench/harness/runner"
	"github.com/latentbench/latentbench/stats"
)

// Options choose what is ranked.
type Options struct {
	// Metric is a cells.jsonl metric with a direction (grid.MetricBetter);
	// default "auc".
	Metric string
	// By is "detector" (default) or "encoder": the axis whose values are
	// the methods compared.
	By string
	// Baseline names the method the win/tie/loss table compares against
	// (default: the first method in cell order).
	Baseline string
	// Alpha is the family-wise significance level (default 0.05).
	Alpha float64
}

// Analysis is the comparison of the methods over the blocks (data sets).
type Analysis struct {
	Options
	// Better is +1 when a higher metric is better, −1 when lower is.
	Better int
	// Methods in cell order; Blocks are the data sets (with the other
	// axis' label when it has several, e.g. "set-a / enc-b").
	Methods, Blocks []string
	// Scores[b][m] is the mean over seeds of the metric of method m on
	// block b, Ranks[b][m] its rank on that block (1 = best).
	Scores, Ranks [][]float64
	// Seeds is the largest number of seeds behind one score.
	Seeds int
	// AvgRanks[m] is the mean of Ranks[·][m].
	AvgRanks []float64
	// Friedman's χ² and the Iman–Davenport F with their p-values.
	Friedman, ImanDavenport stats.TestResult
	// Pairs holds the Wilcoxon test of every pair of methods.
	Pairs []Pair
	// Record holds each other method's wins, ties and losses against the
	// baseline.
	Record []Record
	// Cliques are groups of methods (indices into Methods, best first)
	// whose pairwise differences are not significant at Alpha after Holm.
	Cliques [][]int
	// Dropped lists blocks left out because a method has no value there.
	Dropped []string
	// Datasets counts the distinct data sets among the blocks.
	Datasets int
}

// Pair is the two-sided Wilcoxon signed-rank test of methods A and B over
// the blocks.
type Pair struct {
	A, B int
	// Statistic is min(R⁺, R⁻); P is its p-value (1 when the two agree on
	// every block) and PHolm the Holm-adjusted one.
	Statistic, P, PHolm float64
	Method              stats.WilcoxonMethod
}

// Significant reports whether the pair differs at level alpha after Holm.
func (p Pair) Significant(alpha float64) bool { return p.PHolm <= alpha }

// Record is one method against the baseline: the blocks on which it scores
// better, equal or worse, and the Holm-adjusted p-value of their pair.
type Record struct {
	Method             int
	Wins, Ties, Losses int
	PHolm              float64
}

func (o Options) withDefaults() Options {
	if o.Metric == "" {
		o.Metric = "auc"
	}
	if o.By == "" {
		o.By = "detector"
	}
	if o.Alpha == 0 {
		o.Alpha = 0.05
	}
	return o
}

// Analyze ranks the methods on the OK cells of results.
func Analyze(results []runner.Result, o Options) (*Analysis, error) {
	o = o.withDefaults()
	a := &Analysis{Options: o, Better: grid.MetricBetter(o.Metric)}
	if a.Better == 0 {
		return nil, fmt.Errorf("ranking: metric %q has no direction (rankable: %s)", o.Metric, strings.Join(Rankable(), ", "))
	}
	if o.By != "detector" && o.By != "encoder" {
		return nil, fmt.Errorf("ranking: -by %q: want detector or encoder", o.By)
	}
	if err := a.collect(results); err != nil {
		return nil, err
	}
	a.rank()
	var err error
	if a.Friedman, err = stats.Friedman(a.oriented()); err != nil {
		return nil, fmt.Errorf("ranking: %w", err)
	}
	a.ImanDavenport = stats.ImanDavenport(a.Friedman.Statistic, len(a.Blocks), len(a.Methods))
	if err := a.pairs(); err != nil {
		return nil, err
	}
	if err := a.record(); err != nil {
		return nil, err
	}
	a.cliques()
	return a, nil
}

// Rankable lists the metrics with a direction.
func Rankable() []string {
	var out []string
	for _, m := range grid.MetricNames() {
		if grid.MetricBetter(m) != 0 {
			out = append(out, m)
		}
	}
	return out
}

// collect averages the metric over seeds per (block, method) and keeps the
// blocks on which every method has a value.
func (a *Analysis) collect(results []runner.Result) error {
	other := func(r *runner.Result) string { return r.EncoderLabel }
	method := func(r *runner.Result) string { return r.DetectorLabel }
	if a.By == "encoder" {
		other, method = method, other
	}
	perEncoder := a.By == "encoder" && grid.MetricOfEncoder(a.Metric)
	if perEncoder { // the value repeats across detectors: count each seed once
		other = func(*runner.Result) string { return "" }
	}
	type key struct{ block, method string }
	sums := map[key][]float64{}
	var datasets, others []string
	var ok []*runner.Result
	seen := map[string]bool{}
	for i := range results {
		r := &results[i]
		v, has := r.Metrics[a.Metric]
		if r.Status != runner.StatusOK || !has || math.IsNaN(v) || math.IsInf(v, 0) || method(r) == "" {
			continue
		}
		if perEncoder {
			id := fmt.Sprint(r.Dataset, "\x00", r.EncoderLabel, "\x00", r.Seed)
			if seen[id] {
				continue
			}
			seen[id] = true
		}
		ok = append(ok, r)
		appendNew(&datasets, r.Dataset)
		appendNew(&others, other(r))
		appendNew(&a.Methods, method(r))
	}
	var blocks []string
	for _, r := range ok {
		b := r.Dataset
		if len(others) > 1 {
			b += " / " + other(r)
		}
		appendNew(&blocks, b)
		k := key{b, method(r)}
		sums[k] = append(sums[k], r.Metrics[a.Metric])
	}
	for _, b := range blocks {
		row := make([]float64, len(a.Methods))
		complete := true
		for m, name := range a.Methods {
			vals := sums[key{b, name}]
			if len(vals) == 0 {
				complete = false
				break
			}
			a.Seeds = max(a.Seeds, len(vals))
			for _, v := range vals {
				row[m] += v
			}
			row[m] /= float64(len(vals))
		}
		if !complete {
			a.Dropped = append(a.Dropped, b)
			continue
		}
		a.Blocks = append(a.Blocks, b)
		a.Scores = append(a.Scores, row)
	}
	for _, d := range datasets {
		for _, b := range a.Blocks {
			if b == d || strings.HasPrefix(b, d+" / ") {
				a.Datasets++
				break
			}
		}
	}
	if len(a.Methods) < 2 || len(a.Blocks) < 2 {
		return fmt.Errorf("ranking: %d %ss with %s on %d complete data sets; need at least 2 of each",
			len(a.Methods), a.By, a.Metric, len(a.Blocks))
	}
	if a.Baseline == "" {
		a.Baseline = a.Methods[0]
	}
	if !slices.Contains(a.Methods, a.Baseline) {
		return fmt.Errorf("ranking: baseline %q is not among the %ss %s", a.Baseline, a.By, strings.Join(a.Methods, ", "))
	}
	return nil
}

func appendNew(s *[]string, v string) {
	if !slices.Contains(*s, v) {
		*s = append(*s, v)
	}
}

// oriented returns the scores with higher always better.
func (a *Analysis) oriented() [][]float64 {
	out := make([][]float64, len(a.Scores))
	for b, row := range a.Scores {
		out[b] = make([]float64, len(row))
		for m, v := range row {
			out[b][m] = float64(a.Better) * v
		}
	}
	return out
}

// rank ranks the methods on each block, 1 for the best, ties averaged.
func (a *Analysis) rank() {
	a.AvgRanks = make([]float64, len(a.Methods))
	for _, row := range a.oriented() {
		neg := make([]float64, len(row))
		for m, v := range row {
			neg[m] = -v
		}
		r := stats.Rank(neg)
		a.Ranks = append(a.Ranks, r)
		for m, v := range r {
			a.AvgRanks[m] += v / float64(len(a.Scores))
		}
	}
}

// column returns method m's scores over the blocks.
func (a *Analysis) column(m int) []float64 {
	out := make([]float64, len(a.Scores))
	for b, row := range a.Scores {
		out[b] = row[m]
	}
	return out
}

// pairs runs the two-sided Wilcoxon test on every pair, then Holm.
func (a *Analysis) pairs() error {
	var ps []float64
	for i := range a.Methods {
		for j := i + 1; j < len(a.Methods); j++ {
			x, y := a.column(i), a.column(j)
			p := Pair{A: i, B: j, P: 1, Method: stats.Exact}
			if !slices.Equal(x, y) {
				w, err := stats.Wilcoxon(x, y, stats.WilcoxonOptions{})
				if err != nil {
					return fmt.Errorf("ranking: %s against %s: %w", a.Methods[i], a.Methods[j], err)
				}
				p.Statistic, p.P, p.Method = w.Statistic, w.P, w.Method
			}
			a.Pairs = append(a.Pairs, p)
			ps = append(ps, p.P)
		}
	}
	for i, h := range stats.Holm(ps) {
		a.Pairs[i].PHolm = h
	}
	return nil
}

// pair returns the test of methods i and j.
func (a *Analysis) pair(i, j int) Pair {
	for _, p := range a.Pairs {
		if (p.A == i && p.B == j) || (p.A == j && p.B == i) {
			return p
		}
	}
	panic(errors.New("ranking: no such pair"))
}

// record counts wins, ties and losses against the baseline.
func (a *Analysis) record() error {
	base := slices.Index(a.Methods, a.Baseline)
	for m := range a.Methods {
		if m == base {
			continue
		}
		rec := Record{Method: m, PHolm: a.pair(m, base).PHolm}
		for _, row := range a.oriented() {
			switch {
			case row[m] > row[base]:
				rec.Wins++
			case row[m] < row[base]:
				rec.Losses++
			default:
				rec.Ties++
			}
		}
		a.Record = append(a.Record, rec)
	}
	return nil
}

// Order returns the method indices by increasing average rank (best first;
// ties in cell order).
func (a *Analysis) Order() []int {
	order := make([]int, len(a.Methods))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int {
		switch {
		case a.AvgRanks[x] < a.AvgRanks[y]:
			return -1
		case a.AvgRanks[x] > a.AvgRanks[y]:
			return 1
		}
		return 0
	})
	return order
}

// cliques builds aeon's cliques: walking the methods best first, each one
// starts a group extended over the following methods as long as they do
// not differ significantly from it; groups of one and groups inside an
// earlier group are dropped.
func (a *Analysis) cliques() {
	order := a.Order()
	var spans [][2]int // [start, end) in order
	for s := range order {
		e := s + 1
		for e < len(order) && !a.pair(order[s], order[e]).Significant(a.Alpha) {
			e++
		}
		if e-s < 2 {
			continue
		}
		inside := false
		for _, sp := range spans {
			if s >= sp[0] && e <= sp[1] {
				inside = true
			}
		}
		if !inside {
			spans = append(spans, [2]int{s, e})
		}
	}
	for _, sp := range spans {
		a.Cliques = append(a.Cliques, slices.Clone(order[sp[0]:sp[1]]))
	}
}
