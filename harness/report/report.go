// Package report turns cell results into comparison tables: mean ± standard
// deviation over seeds, rendered in the terminal (olekukonko/tablewriter),
// as Markdown (tables.md) and as CSV (tables.csv, one statistic a row).
package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/latentbench/latentbench/harness/runner"
)

// Table is one rendered comparison table.
type Table struct {
	// ID is a short machine name (table1, emmv, rmse, auc, status).
	ID      string
	Title   string
	Caption string
	Header  []string
	Rows    [][]string
	// Stats holds the numbers behind the cells, for the CSV.
	Stats []Stat
}

// Stat is one aggregated number: a metric over the seeds of one group.
type Stat struct {
	Table, Dataset, Encoder, Detector, Metric string
	Mean, Std                                 float64
	N                                         int
}

// Summary aggregates values over seeds.
type Summary struct {
	Mean, Std float64
	N         int
}

// Summarize returns the mean and the sample standard deviation (n − 1; 0 for
// one value) of the finite values.
func Summarize(vals []float64) Summary {
	var s Summary
	for _, v := range vals {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			s.Mean += v
			s.N++
		}
	}
	if s.N == 0 {
		return Summary{Mean: math.NaN(), Std: math.NaN()}
	}
	s.Mean /= float64(s.N)
	if s.N > 1 {
		for _, v := range vals {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				s.Std += (v - s.Mean) * (v - s.Mean)
			}
		}
		s.Std = math.Sqrt(s.Std / float64(s.N-1))
	}
	return s
}

// format renders "mean ± std" with digits significant decimals.
func (s Summary) format(digits int) string {
	if s.N == 0 {
		return "—"
	}
	if s.Mean == math.Trunc(s.Mean) && s.Std == 0 && digits <= 1 {
		return strconv.FormatFloat(s.Mean, 'f', 0, 64) // a k that every seed agrees on
	}
	if s.N == 1 {
		return strconv.FormatFloat(s.Mean, 'f', digits, 64)
	}
	return strconv.FormatFloat(s.Mean, 'f', digits, 64) + " ± " + strconv.FormatFloat(s.Std, 'f', digits, 64)
}

type groupKey struct{ dataset, encoder, detector string }

// group collects metric values per (dataset, encoder, detector), in first-seen
// (cell) order. With detector == false the detector is ignored and each
// (dataset, encoder, seed) counts once, since its metrics repeat across
// detectors.
func group(results []runner.Result, detector bool, has func(*runner.Result) bool) ([]groupKey, map[groupKey][]*runner.Result) {
	var keys []groupKey
	groups := map[groupKey][]*runner.Result{}
	seen := map[string]bool{}
	for i := range results {
		r := &results[i]
		if r.Status != runner.StatusOK || !has(r) {
			continue
		}
		k := groupKey{dataset: r.Dataset, encoder: r.EncoderLabel}
		if detector {
			k.detector = r.DetectorLabel
		} else {
			id := fmt.Sprint(r.Dataset, "\x00", r.EncoderLabel, "\x00", r.Seed)
			if seen[id] {
				continue
			}
			seen[id] = true
		}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], r)
	}
	return keys, groups
}

func values(rs []*runner.Result, metric string) []float64 {
	var out []float64
	for _, r := range rs {
		if v, ok := r.Metrics[metric]; ok {
			out = append(out, v)
		}
	}
	return out
}

func seeds(rs []*runner.Result) string { return strconv.Itoa(len(rs)) }

type column struct {
	metric, header string
	digits         int
}

// metricTable builds a table with one row per group and one column per metric.
func metricTable(id, title, caption string, results []runner.Result, detector bool, cols []column) *Table {
	return metricTableRequiring("", id, title, caption, results, detector, cols)
}

// metricTableRequiring is metricTable over the cells that have the metric
// require (any of the columns' when "").
func metricTableRequiring(require, id, title, caption string, results []runner.Result, detector bool, cols []column) *Table {
	has := func(r *runner.Result) bool {
		if require != "" {
			_, ok := r.Metrics[require]
			return ok
		}
		for _, c := range cols {
			if _, ok := r.Metrics[c.metric]; ok {
				return true
			}
		}
		return false
	}
	keys, groups := group(results, detector, has)
	if len(keys) == 0 {
		return nil
	}
	cols = slices.DeleteFunc(slices.Clone(cols), func(c column) bool {
		for _, rs := range groups {
			if len(values(rs, c.metric)) > 0 {
				return false
			}
		}
		return true
	})
	t := &Table{ID: id, Title: title, Caption: caption, Header: []string{"dataset", "encoder"}}
	if detector {
		t.Header = append(t.Header, "detector")
	}
	for _, c := range cols {
		t.Header = append(t.Header, c.header)
	}
	t.Header = append(t.Header, "seeds")
	for _, k := range keys {
		row := []string{k.dataset, k.encoder}
		if detector {
			row = append(row, k.detector)
		}
		for _, c := range cols {
			s := Summarize(values(groups[k], c.metric))
			row = append(row, s.format(c.digits))
			if s.N > 0 {
				t.Stats = append(t.Stats, Stat{Table: id, Dataset: k.dataset, Encoder: k.encoder, Detector: k.detector,
					Metric: c.metric, Mean: s.Mean, Std: s.Std, N: s.N})
			}
		}
		row = append(row, seeds(groups[k]))
		t.Rows = append(t.Rows, row)
	}
	return t
}

// Tables builds every table the results support, in a fixed order.
func Tables(results []runner.Result) []Table {
	var out []Table
	add := func(t *Table) {
		if t != nil {
			out = append(out, *t)
		}
	}
	add(metricTable("table1", "Best V-measure over k (and the k reaching it)",
		"V-measure (β = 1) of the test-set latent points against the class labels, best over the k sweep; mean ± std over seeds. Higher is better. Misclassified: test points whose class differs from their cluster's majority class at the best k (paper §4.4).",
		results, false, []column{
			{"v_kmeans", "V k-means", 4}, {"k_kmeans", "k k-means", 1},
			{"v_gmm", "V EM-GMM", 4}, {"k_gmm", "k EM-GMM", 1},
			{"misclassified_kmeans", "misclassified, k-means", 0}, {"misclassified_gmm", "misclassified, EM-GMM", 0},
		}))
	add(metricTable("emmv", "EM and MV (Goix 2016)",
		"Area under the excess-mass curve (EM, higher is better) and the mass-volume curve (MV, lower is better) of the detector's normality scores; mean ± std over seeds. Both are in units of the latent box volume.",
		results, true, []column{{"em", "EM", 5}, {"mv", "MV", 4}}))
	add(metricTable("rmse", "Class-distribution RMSE of the flagged anomalies",
		"RMSE between the class shares of the flagged anomalies (the `contamination` lowest scores) and of all test points (docs/method.md); lower means anomalies are spread like the data.",
		results, true, []column{{"rmse", "RMSE", 4}}))
	add(metricTableRequiring("auc", "auc", "Ground-truth agreement",
		"ROC-AUC and average precision of the normality scores against the dataset's anomaly labels (anomalies are the positive class; higher is better), beside the unsupervised EM (higher is better) and MV (lower is better), to show whether they agree.",
		results, true, []column{{"auc", "ROC-AUC", 4}, {"ap", "AP", 4}, {"em", "EM", 5}, {"mv", "MV", 4}}))
	add(statusTable(results))
	return out
}

func statusTable(results []runner.Result) *Table {
	t := &Table{ID: "status", Title: "Failed cells", Caption: "Cells that did not finish; the error names the stage and shows the plugin's last stderr lines in cells.jsonl.",
		Header: []string{"cell", "dataset", "encoder", "detector", "seed", "status", "error"}}
	for _, r := range results {
		if r.Status == runner.StatusOK {
			continue
		}
		msg := r.Error
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		if len(msg) > 120 {
			msg = msg[:117] + "..."
		}
		t.Rows = append(t.Rows, []string{r.Cell, r.Dataset, r.EncoderLabel, r.DetectorLabel, strconv.FormatInt(r.Seed, 10), r.Status, msg})
	}
	if len(t.Rows) == 0 {
		return nil
	}
	return t
}

// Terminal renders the tables with tablewriter.
func Terminal(w io.Writer, tables []Table) error {
	for _, t := range tables {
		fmt.Fprintf(w, "\n%s\n", t.Title)
		tab := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
		tab.Header(toAny(t.Header)...)
		for _, row := range t.Rows {
			if err := tab.Append(toAny(row)...); err != nil {
				return err
			}
		}
		if err := tab.Render(); err != nil {
			return err
		}
	}
	return nil
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// Markdown renders the tables as GitHub-flavoured Markdown.
func Markdown(w io.Writer, title string, tables []Table) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n", title)
	for _, t := range tables {
		fmt.Fprintf(&b, "\n## %s\n\n%s\n\n", t.Title, t.Caption)
		b.WriteString("| " + strings.Join(escape(t.Header), " | ") + " |\n")
		b.WriteString("|" + strings.Repeat(" --- |", len(t.Header)) + "\n")
		for _, row := range t.Rows {
			b.WriteString("| " + strings.Join(escape(row), " | ") + " |\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func escape(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = strings.ReplaceAll(c, "|", `\|`)
	}
	return out
}

// CSV writes every statistic behind the tables, one a row.
func CSV(w io.Writer, tables []Table) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"table", "dataset", "encoder", "detector", "metric", "mean", "std", "n"})
	for _, t := range tables {
		for _, s := range t.Stats {
			cw.Write([]string{s.Table, s.Dataset, s.Encoder, s.Detector, s.Metric,
				strconv.FormatFloat(s.Mean, 'g', 10, 64), strconv.FormatFloat(s.Std, 'g', 10, 64), strconv.Itoa(s.N)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteFiles writes tables.md and tables.csv into dir.
func WriteFiles(dir, title string, tables []Table) error {
	var md, cs strings.Builder
	if err := Markdown(&md, title, tables); err != nil {
		return err
	}
	if err := CSV(&cs, tables); err != nil {
		return err
	}
	if err := runner.WriteFileAtomic(filepath.Join(dir, "tables.md"), []byte(md.String())); err != nil {
		return fmt.Errorf("write tables.md: %w", err)
	}
	if err := runner.WriteFileAtomic(filepath.Join(dir, "tables.csv"), []byte(cs.String())); err != nil {
		return fmt.Errorf("write tables.csv: %w", err)
	}
	return nil
}

// Load reads dir/cells.jsonl.
func Load(dir string) ([]runner.Result, error) {
	p := filepath.Join(dir, "cells.jsonl")
	if _, err := os.Stat(p); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	rs, err := runner.ReadJSONL(p)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Index < rs[j].Index })
	return rs, nil
}
