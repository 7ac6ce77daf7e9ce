// Package regress compares the cells of a run with committed results, metric
// by metric, each within its tolerance, so that CI notices when a change moves
// a number (configs/ci.toml, results/ci/).
package regress

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/latentbench/latentbench/harness/grid"
	"github.com/latentbench/latentbench/harness/runner"
)

// Diff is one difference between the baseline and the new results.
type Diff struct {
	Cell  string // cell id
	Label string // dataset / encoder / detector seed N
	// Metric is the metric's name, or "status" or "cell" for a changed status
	// or a cell present on one side only.
	Metric    string
	Old, New  string
	Delta     float64
	Tolerance float64
}

// Compare returns the differences between baseline and current results that
// exceed the tolerances, in cell order. Cells are matched by where they sit in
// the grid (dataset, encoder and detector labels, seed), not by id, so that a
// changed default shows as the metrics it moved (and a "params" line), not as
// a cell that vanished. Timings and cache use are ignored.
func Compare(baseline, current []runner.Result, tol grid.Regression) []Diff {
	old := map[string]*runner.Result{}
	for i := range baseline {
		old[describe(&baseline[i])] = &baseline[i]
	}
	var diffs []Diff
	seen := map[string]bool{}
	for i := range current {
		c := &current[i]
		label := describe(c)
		seen[label] = true
		o, ok := old[label]
		if ok && o.Cell != c.Cell {
			for _, p := range paramChanges(o, c) {
				diffs = append(diffs, Diff{Cell: c.Cell, Label: label, Metric: p[0], Old: p[1], New: p[2]})
			}
		}
		if !ok {
			diffs = append(diffs, Diff{Cell: c.Cell, Label: label, Metric: "cell", Old: "absent", New: c.Status})
			continue
		}
		if o.Status != c.Status {
			diffs = append(diffs, Diff{Cell: c.Cell, Label: label, Metric: "status", Old: o.Status, New: c.Status})
			continue
		}
		names := map[string]bool{}
		for k := range o.Metrics {
			names[k] = true
		}
		for k := range c.Metrics {
			names[k] = true
		}
		for _, k := range sortedKeys(names) {
			ov, okOld := o.Metrics[k]
			nv, okNew := c.Metrics[k]
			t := tol.For(k)
			switch {
			case !okOld:
				diffs = append(diffs, Diff{Cell: c.Cell, Label: label, Metric: k, Old: "absent", New: format(nv), Tolerance: t})
			case !okNew:
				diffs = append(diffs, Diff{Cell: c.Cell, Label: label, Metric: k, Old: format(ov), New: "absent", Tolerance: t})
			case math.Abs(nv-ov) > t || math.IsNaN(nv) != math.IsNaN(ov):
				diffs = append(diffs, Diff{Cell: c.Cell, Label: label, Metric: k, Old: format(ov), New: format(nv), Delta: nv - ov, Tolerance: t})
			}
		}
	}
	for i := range baseline {
		if b := &baseline[i]; !seen[describe(b)] {
			diffs = append(diffs, Diff{Cell: b.Cell, Label: describe(b), Metric: "cell", Old: b.Status, New: "absent"})
		}
	}
	return diffs
}

func describe(r *runner.Result) string {
	s := r.Dataset + " / " + r.EncoderLabel
	if r.DetectorLabel != "" {
		s += " / " + r.DetectorLabel
	}
	return fmt.Sprintf("%s seed %d", s, r.Seed)
}

// paramChanges lists the parameters that differ between two cells at the
// same place, as (encoder.NAME or detector.NAME, old, new).
func paramChanges(o, c *runner.Result) [][3]string {
	var out [][3]string
	for _, side := range []struct {
		prefix   string
		old, new map[string]any
	}{{"encoder.", o.EncoderParams, c.EncoderParams}, {"detector.", o.DetectorParams, c.DetectorParams}} {
		names := map[string]bool{}
		for k := range side.old {
			names[k] = true
		}
		for k := range side.new {
			names[k] = true
		}
		for _, k := range sortedKeys(names) {
			ov, nv := jsonString(side.old, k), jsonString(side.new, k)
			if ov != nv {
				out = append(out, [3]string{"param " + side.prefix + k, ov, nv})
			}
		}
	}
	if len(out) == 0 { // same parameters: a plugin version or data change
		out = append(out, [3]string{"cell id", o.Cell, c.Cell})
	}
	return out
}

func jsonString(m map[string]any, k string) string {
	v, ok := m[k]
	if !ok {
		return "absent"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func format(v float64) string { return fmt.Sprintf("%.10g", v) }

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// Format renders the differences as a readable aligned table.
func Format(diffs []Diff) string {
	if len(diffs) == 0 {
		return "no metric moved beyond its tolerance\n"
	}
	rows := [][]string{{"cell", "where", "metric", "old", "new", "delta", "tolerance"}}
	for _, d := range diffs {
		delta, tol := "", ""
		if d.Delta != 0 {
			delta = fmt.Sprintf("%+.3g", d.Delta)
		}
		if d.Delta != 0 || d.Tolerance != 0 {
			tol = fmt.Sprintf("%.3g", d.Tolerance)
		}
		rows = append(rows, []string{d.Cell, d.Label, d.Metric, d.Old, d.New, delta, tol})
	}
	width := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d metrics moved beyond their tolerance:\n", len(diffs))
	for _, r := range rows {
		for i, c := range r {
			fmt.Fprintf(&b, "%-*s  ", width[i], c)
		}
		b.WriteString("\n")
	}
	return b.String()
}
