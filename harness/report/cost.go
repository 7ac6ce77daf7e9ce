package report

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"github.com/latentbench/latentbench/harness/figures"
	"github.com/latentbench/latentbench/harness/runner"
)

// qualityMetric is the metric the cost table and figure set beside the
// cost: ROC-AUC when the cells have ground truth, else EM.
func qualityMetric(results []runner.Result) (metric, header string) {
	for _, r := range results {
		if _, ok := r.Metrics["auc"]; ok {
			return "auc", "ROC-AUC"
		}
	}
	return "em", "EM"
}

func hasCost(r *runner.Result) bool { return len(r.PeakRSS) > 0 }

// costTable sets each method's wall time, CPU time and peak memory of its
// plugin stages beside its quality; nil when no cell recorded its cost.
func costTable(results []runner.Result) *Table {
	metric, header := qualityMetric(results)
	keys, groups := group(results, true, hasCost)
	if len(keys) == 0 {
		return nil
	}
	t := &Table{ID: "cost", Title: "Quality and cost",
		Caption: fmt.Sprintf("%s beside the cost of each plugin stage, mean over seeds: wall seconds, CPU seconds (user + system, all threads) and peak resident memory (MiB) of the plugin process during the stage — encoder fit (shared by the detectors of one encoding), detector fit, and scoring (test and uniform points; peak of the two). A cached stage reports the run that computed it.", header),
		Header:  []string{"dataset", "encoder", "detector", header, "fit s", "fit CPU s", "fit MiB", "detect s", "detect CPU s", "detect MiB", "score s", "score CPU s", "score MiB"}}
	for _, k := range keys {
		rs := groups[k]
		row := []string{k.dataset, k.encoder, k.detector, Summarize(values(rs, metric)).format(4)}
		for _, stage := range []string{"fit", "detect", "score"} {
			var wall, cpu, mem []float64
			for _, r := range rs {
				if v, ok := r.Timings[stage]; ok {
					wall = append(wall, v)
				}
				if v, ok := r.CPU[stage]; ok {
					cpu = append(cpu, v)
				}
				if v, ok := r.PeakRSS[stage]; ok {
					mem = append(mem, float64(v)/(1<<20))
				}
			}
			row = append(row, meanCell(wall, "%.2f"), meanCell(cpu, "%.2f"), meanCell(mem, "%.0f"))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func meanCell(vals []float64, format string) string {
	s := Summarize(vals)
	if s.N == 0 {
		return "—"
	}
	return fmt.Sprintf(format, s.Mean)
}

// drawCostFigure draws quality against training cost (encoder fit +
// detector fit wall seconds), a point per data set and method, into figDir;
// it returns the figure's file name, "" when there is nothing to draw.
func drawCostFigure(figDir string, results []runner.Result) (string, string, error) {
	metric, header := qualityMetric(results)
	keys, groups := group(results, true, hasCost)
	encoders := distinct(results, func(r *runner.Result) (string, bool) { return r.EncoderLabel, r.Status == runner.StatusOK })
	var methods []figures.Points
	index := map[string]int{}
	for _, k := range keys {
		label := k.detector
		if len(encoders) > 1 {
			label = k.encoder + " + " + k.detector
		}
		var cost, quality []float64
		for _, r := range groups[k] {
			q, ok := r.Metrics[metric]
			c := r.Timings["fit"] + r.Timings["detect"]
			if ok && c > 0 && !math.IsNaN(q) {
				cost, quality = append(cost, c), append(quality, q)
			}
		}
		if len(cost) == 0 {
			continue
		}
		i, ok := index[label]
		if !ok {
			i = len(methods)
			index[label] = i
			methods = append(methods, figures.Points{Label: label})
		}
		methods[i].Cost = append(methods[i].Cost, Summarize(cost).Mean)
		methods[i].Quality = append(methods[i].Quality, Summarize(quality).Mean)
	}
	if len(methods) == 0 {
		return "", "", nil
	}
	name := "cost__" + metric + ".png"
	err := figures.QualityCost(filepath.Join(figDir, name), methods, figures.Options{
		Title:  header + " against training time",
		XLabel: "encoder fit + detector fit (s, log scale)", YLabel: header, Width: 7, Height: 4.5})
	caption := fmt.Sprintf("%s of each method on each data set (mean over seeds) against its training wall time, encoder fit plus detector fit, on a logarithmic axis: up and to the left is better and cheaper.", header)
	return name, caption, err
}

// writeCost adds the quality-against-cost figure to the report.
func writeCost(b *strings.Builder, figDir string, results []runner.Result) error {
	name, caption, err := drawCostFigure(figDir, results)
	if err != nil || name == "" {
		return err
	}
	fmt.Fprintf(b, "## Quality against cost\n\n![quality against cost](figures/%s)\n\n*%s*\n\n", name, caption)
	return nil
}
