package report

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/latentbench/latentbench/harness/grid"
	"github.com/latentbench/latentbench/harness/runner"
)

// metricInfo is how reports show a metric: a column header and the decimals
// of its values.
var metricInfo = map[string]struct {
	name   string
	digits int
}{
	"v_kmeans": {"V k-means", 4}, "v_gmm": {"V EM-GMM", 4},
	"k_kmeans": {"k k-means", 1}, "k_gmm": {"k EM-GMM", 1},
	"misclassified_kmeans": {"misclassified, k-means", 0}, "misclassified_gmm": {"misclassified, EM-GMM", 0},
	"em": {"EM", 5}, "mv": {"MV", 4}, "emmv_subsets": {"EM/MV subsets", 0},
	"rmse": {"RMSE", 4}, "auc": {"ROC-AUC", 4}, "ap": {"AP", 4},
}

// metricName is a metric's display name (its own name when unknown).
func metricName(m string) string {
	if i, ok := metricInfo[m]; ok {
		return i.name
	}
	return m
}

func metricDigits(m string) int {
	if i, ok := metricInfo[m]; ok {
		return i.digits
	}
	return 4
}

// formatMetric renders a summary of metric m: "mean ± std".
func formatMetric(m string, s Summary) string { return s.format(metricDigits(m)) }

// refGroup is the results one row of a reference table is about: a data set,
// an encoder configuration and, when the reference names detectors, a
// detector configuration.
type refGroup struct {
	dataset, encoder, detector string
	row                        *grid.ReferenceRow
	results                    []*runner.Result
}

// referenceGroups groups the successful results that a row of ref selects,
// in cell order; each group takes the first row that selects it.
func referenceGroups(ref *grid.Reference, results []runner.Result) []*refGroup {
	byDetector := false
	for _, row := range ref.Rows {
		byDetector = byDetector || row.Detector != "" || row.DetectorLabel != ""
	}
	var order []*refGroup
	groups := map[[3]string]*refGroup{}
	for i := range results {
		r := &results[i]
		if r.Status != runner.StatusOK {
			continue
		}
		for j := range ref.Rows {
			row := &ref.Rows[j]
			if !row.Match(r.Dataset, r.Encoder, r.EncoderLabel, r.Detector, r.DetectorLabel) {
				continue
			}
			k := [3]string{r.Dataset, r.EncoderLabel}
			if byDetector {
				k[2] = r.DetectorLabel
			}
			g, ok := groups[k]
			if !ok {
				g = &refGroup{dataset: k[0], encoder: k[1], detector: k[2], row: row}
				groups[k] = g
				order = append(order, g)
			}
			g.results = append(g.results, r)
			break
		}
	}
	return order
}

// referenceTable sets a [[reference]]'s figures beside the results they are
// about: one row per (data set, encoder configuration[, detector], metric),
// our mean ± std over seeds, the published value and, unless the reference
// turns it off, the difference ours − theirs.
func referenceTable(id string, ref *grid.Reference, results []runner.Result) *Table {
	groups := referenceGroups(ref, results)
	if len(groups) == 0 {
		return nil
	}
	byDetector := groups[0].detector != ""
	caption := ref.Caption
	if caption == "" {
		caption = fmt.Sprintf("Our results (mean ± std over seeds) beside the figures of %s.", ref.Source)
	}
	t := &Table{ID: id, Title: ref.Title, Caption: caption, Header: []string{"dataset", "encoder"}}
	if byDetector {
		t.Header = append(t.Header, "detector")
	}
	t.Header = append(t.Header, "metric", "ours", ref.Name)
	if ref.Delta {
		t.Header = append(t.Header, "Δ")
	}
	for _, g := range groups {
		for _, m := range ref.Metrics {
			want, given := g.row.Values[m]
			ours := perSeed(g.results, m)
			if !given || ours.N == 0 {
				continue
			}
			row := []string{g.dataset, g.encoder}
			if byDetector {
				row = append(row, g.detector)
			}
			row = append(row, metricName(m), formatMetric(m, ours), strconv.FormatFloat(want, 'f', -1, 64))
			if ref.Delta {
				row = append(row, fmt.Sprintf("%+.*f", metricDigits(m), ours.Mean-want))
			}
			t.Rows = append(t.Rows, row)
			t.Stats = append(t.Stats, Stat{Table: id, Dataset: g.dataset, Encoder: g.encoder, Detector: g.detector,
				Metric: m, Mean: ours.Mean, Std: ours.Std, N: ours.N})
		}
	}
	if len(t.Rows) == 0 {
		return nil
	}
	return t
}

// referenceTables builds the table of each [[reference]] that selects results.
func referenceTables(refs []grid.Reference, results []runner.Result) []Table {
	var out []Table
	for i := range refs {
		if t := referenceTable(fmt.Sprintf("reference%d", i+1), &refs[i], results); t != nil {
			out = append(out, *t)
		}
	}
	return out
}

// closest names, for each reference row that selects several encoder
// configurations and each reference that lists metrics to compare on
// (closest), the configuration whose values come closest to the row's (mean
// |ours − theirs| over those metrics).
func closest(refs []grid.Reference, results []runner.Result) []string {
	var out []string
	for i := range refs {
		ref := &refs[i]
		if len(ref.Closest) == 0 {
			continue
		}
		byRow := map[*grid.ReferenceRow][]*refGroup{}
		for _, g := range referenceGroups(ref, results) {
			byRow[g.row] = append(byRow[g.row], g)
		}
		for j := range ref.Rows {
			row := &ref.Rows[j]
			if line := closestTo(ref, row, byRow[row]); line != "" {
				out = append(out, line)
			}
		}
	}
	return out
}

func closestTo(ref *grid.Reference, row *grid.ReferenceRow, groups []*refGroup) string {
	if len(groups) < 2 {
		return ""
	}
	// Pool a configuration's detectors: the metrics compared are the
	// encoding's.
	byLabel := map[string][]*runner.Result{}
	for _, g := range groups {
		byLabel[g.encoder] = append(byLabel[g.encoder], g.results...)
	}
	labels := make([]string, 0, len(byLabel))
	for l := range byLabel {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	best, bestD := "", math.Inf(1)
	for _, l := range labels {
		d, n := 0.0, 0
		for _, m := range ref.Closest {
			want, given := row.Values[m]
			if s := perSeed(byLabel[l], m); given && s.N > 0 {
				d += math.Abs(s.Mean - want)
				n++
			}
		}
		if n > 0 && d/float64(n) < bestD {
			best, bestD = l, d/float64(n)
		}
	}
	if best == "" {
		return ""
	}
	names := make([]string, len(ref.Closest))
	for i, m := range ref.Closest {
		names[i] = metricName(m)
	}
	return fmt.Sprintf("- **Closest to %s in %s**: %s, on average %.4f from its figures over %s (its parameters: `config.toml` below).",
		row.Display(), ref.Source, best, bestD, strings.Join(names, " and "))
}

// perSeedValues returns a metric once per seed, in seed order (a clustering
// metric repeats across the detectors of one encoding: the last row's value
// is kept).
func perSeedValues(rs []*runner.Result, metric string) []float64 {
	bySeed := map[int64]float64{}
	for _, r := range rs {
		if v, ok := r.Metrics[metric]; ok {
			bySeed[r.Seed] = v
		}
	}
	seeds := make([]int64, 0, len(bySeed))
	for s := range bySeed {
		seeds = append(seeds, s)
	}
	sort.Slice(seeds, func(i, j int) bool { return seeds[i] < seeds[j] })
	vals := make([]float64, len(seeds))
	for i, s := range seeds {
		vals[i] = bySeed[s]
	}
	return vals
}

// perSeedRows returns the seeds of perSeedValues, in its order, with the
// data digest of each seed's (last) row.
func perSeedRows(rs []*runner.Result, metric string) (seeds []int64, digests []string) {
	digest := map[int64]string{}
	for _, r := range rs {
		if _, ok := r.Metrics[metric]; ok {
			digest[r.Seed] = ""
			if r.Data != nil {
				digest[r.Seed] = r.Data.Digest
			}
		}
	}
	for s := range digest {
		seeds = append(seeds, s)
	}
	sort.Slice(seeds, func(i, j int) bool { return seeds[i] < seeds[j] })
	for _, s := range seeds {
		digests = append(digests, digest[s])
	}
	return seeds, digests
}

// perSeed summarises a metric once per seed.
func perSeed(rs []*runner.Result, metric string) Summary { return Summarize(perSeedValues(rs, metric)) }

func methodName(m string) string {
	if m == "gmm" {
		return "EM-GMM"
	}
	return "k-means"
}
