package report

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/latentbench/latentbench/harness/dataset"
	"github.com/latentbench/latentbench/harness/figures"
	"github.com/latentbench/latentbench/harness/grid"
	"github.com/latentbench/latentbench/harness/runner"
)

// RunInfo is what the CLI records of a run in run.json beside cells.jsonl.
type RunInfo struct {
	Experiment  string  `json:"experiment"`
	Description string  `json:"description,omitempty"`
	Notes       string  `json:"notes,omitempty"`
	Started     string  `json:"started"`
	WallSeconds float64 `json:"wall_seconds"`
	Cells       int     `json:"cells"`
	Failed      int     `json:"failed"`
	Jobs        int     `json:"jobs"`
	GoMaxProcs  int     `json:"gomaxprocs"`
	Command     string  `json:"command"`
	// Interrupted marks a run stopped before its end: the run that resumes it
	// adds its wall time (as does a run completing a shard: Cells grows).
	Interrupted bool `json:"interrupted,omitempty"`
	// Data summarises each data set of the grid as loaded (rows, splits,
	// features, missing values, warnings), once per data set whatever the
	// number of processes or shards that ran.
	Data []dataset.Summary `json:"data,omitempty"`
}

// ReadRunInfo reads dir/run.json (ok == false when absent).
func ReadRunInfo(dir string) (RunInfo, bool) {
	var ri RunInfo
	b, err := os.ReadFile(filepath.Join(dir, "run.json"))
	if err != nil || json.Unmarshal(b, &ri) != nil {
		return ri, false
	}
	return ri, true
}

// Document writes dir/report.md: the grid's claims checked, the
// configurations closest to its reference figures, every table with its
// caption (the reference figures beside ours first), the figures inline, the
// wall time of each stage, and the configuration and plugin versions that made
// them. The claims and reference figures are those the grid declares
// ([[claim]], [[reference]], [report]) in dir/config.toml, the copy of the grid
// a run leaves there; without it the report has none. Figures computed from
// cells.jsonl alone (V-measure against k, class shares of the flagged
// anomalies) are drawn into dir/figures here; the latent-space figures were
// drawn by the run. With withFigures false the report has tables only.
func Document(dir string, results []runner.Result, withFigures bool) error {
	figDir := filepath.Join(dir, "figures")
	if withFigures {
		if err := os.MkdirAll(figDir, 0o755); err != nil {
			return err
		}
	}
	decl, err := readDeclared(dir)
	if err != nil {
		return err
	}
	info, haveInfo := ReadRunInfo(dir)
	var b strings.Builder
	writeHeader(&b, dir, info, haveInfo, results)
	writeClaims(&b, decl, results)
	if lines := closest(decl.References, results); len(lines) > 0 {
		heading := decl.Report.ClosestHeading
		if heading == "" {
			heading = "Closest to the reference figures"
		}
		fmt.Fprintf(&b, "## %s\n\n%s\n\n", heading, strings.Join(lines, "\n"))
	}
	if notes := strings.TrimSpace(info.Notes); notes != "" {
		fmt.Fprintf(&b, "## Notes\n\n%s\n\n", notes)
	}
	writeData(&b, info.Data)

	tables := append(referenceTables(decl.References, results), Tables(results)...)
	tables = append(tables, runtimeTable(results))
	if t := costTable(results); t != nil { // measured times vary: report.md only, not tables.md
		tables = append(tables, *t)
	}
	for i, t := range tables {
		fmt.Fprintf(&b, "## Table %d. %s\n\n%s\n\n", i+1, t.Title, t.Caption)
		writeMarkdownTable(&b, t)
		b.WriteString("\n")
	}
	if err := writeRanking(&b, figDir, results, withFigures); err != nil {
		return fmt.Errorf("ranking: %w", err)
	}
	if withFigures {
		if err := writeCost(&b, figDir, results); err != nil {
			return fmt.Errorf("cost figure: %w", err)
		}
	}

	if withFigures {
		figs, err := drawResultFigures(figDir, results)
		if err != nil {
			return fmt.Errorf("figures: %w", err)
		}
		if err := writeFigures(&b, figDir, results, figs); err != nil {
			return err
		}
	}
	writeReproducing(&b, dir, results)
	return runner.WriteFileAtomic(filepath.Join(dir, "report.md"), []byte(b.String()))
}

// readDeclared reads the claims and reference figures of dir/config.toml
// (none when it is absent).
func readDeclared(dir string) (grid.Declared, error) {
	path := filepath.Join(dir, "config.toml")
	if _, err := os.Stat(path); err != nil {
		return grid.Declared{}, nil
	}
	return grid.ReadDeclared(path)
}

// writeHeader writes the title, the description and what the run cost.
func writeHeader(b *strings.Builder, dir string, info RunInfo, haveInfo bool, results []runner.Result) {
	name := filepath.Base(filepath.Clean(dir))
	if haveInfo {
		name = info.Experiment
	}
	fmt.Fprintf(b, "# %s — latentbench report\n\n", name)
	if info.Description != "" {
		fmt.Fprintf(b, "%s.\n\n", strings.TrimSuffix(info.Description, "."))
	}
	failed := 0
	for _, r := range results {
		if r.Status != runner.StatusOK {
			failed++
		}
	}
	fmt.Fprintf(b, "%d cells, %d failed.", len(results), failed)
	if haveInfo {
		fmt.Fprintf(b, " Run started %s; wall time %s on %d cores (`%s`; %d cells at once). Stage times below are those of the run that computed each result (a cached stage keeps its original time).",
			info.Started, human(info.WallSeconds), info.GoMaxProcs, info.Command, info.Jobs)
	}
	b.WriteString("\n\n")
	if haveInfo && info.Interrupted {
		b.WriteString("**Partial results:** the run was interrupted before every cell had finished; the tables " +
			"hold the finished cells only. Run the same command again to complete them (finished stages are cached).\n\n")
	}
	writeCellNotes(b, results)
}

// writeCellNotes lists what cells left out of their results and why (a NaN
// metric, a figure not drawn, a clamped k_max), one line per note.
func writeCellNotes(b *strings.Builder, results []runner.Result) {
	first := true
	for _, r := range results {
		for _, n := range r.Notes {
			if first {
				b.WriteString("Notes on cells:\n\n")
				first = false
			}
			det := r.DetectorLabel
			if det == "" {
				det = "no detector"
			}
			fmt.Fprintf(b, "- %s (%s / %s / %s, seed %d): %s\n", r.Cell, r.Dataset, r.EncoderLabel, det, r.Seed, n)
		}
	}
	if !first {
		b.WriteString("\n")
	}
}

// writeClaims writes the grid's claims checked on the results, one a line.
func writeClaims(b *strings.Builder, decl grid.Declared, results []runner.Result) {
	checks := CheckClaims(decl.Claims, results)
	if len(checks) == 0 {
		return
	}
	heading, intro := decl.Report.ClaimsHeading, decl.Report.ClaimsIntro
	if heading == "" {
		heading = "Claims"
	}
	if intro == "" {
		intro = "The grid's claims (`[[claim]]` in `config.toml`), checked on these results:"
	}
	fmt.Fprintf(b, "## %s\n\n%s\n\n", heading, strings.TrimSpace(intro))
	for _, c := range checks {
		mark := "✅ " + c.Verdict()
		switch {
		case !c.Holds:
			mark = "❌ " + c.Verdict()
		case c.Verdict() != "holds":
			mark = "➖ " + c.Verdict()
		}
		fmt.Fprintf(b, "- %s — %s: %s.\n", c.Text, mark, c.Detail)
	}
	b.WriteString("\n")
}

// writeReproducing lists the plugin versions and the grid that made the
// results.
func writeReproducing(b *strings.Builder, dir string, results []runner.Result) {
	b.WriteString("## Reproducing\n\n")
	b.WriteString("| plugin | kind | version |\n| --- | --- | --- |\n")
	for _, v := range pluginVersions(results) {
		fmt.Fprintf(b, "| %s | %s | %s |\n", v[0], v[1], v[2])
	}
	if cfg, err := os.ReadFile(filepath.Join(dir, "config.toml")); err == nil {
		b.WriteString("\nThe grid that made these results (`config.toml` beside this report):\n\n<details><summary>config.toml</summary>\n\n```toml\n")
		b.Write(cfg)
		b.WriteString("\n```\n\n</details>\n")
	}
}

func human(sec float64) string {
	if sec < 120 {
		return fmt.Sprintf("%.1f s", sec)
	}
	return fmt.Sprintf("%.1f min", sec/60)
}

func writeMarkdownTable(b *strings.Builder, t Table) {
	b.WriteString("| " + strings.Join(escape(t.Header), " | ") + " |\n")
	b.WriteString("|" + strings.Repeat(" --- |", len(t.Header)) + "\n")
	for _, row := range t.Rows {
		b.WriteString("| " + strings.Join(escape(row), " | ") + " |\n")
	}
}

// runtimeTable gives the mean seconds of each stage per (dataset, encoder,
// detector).
func runtimeTable(results []runner.Result) Table {
	stages := []string{"fit", "encode", "cluster", "detect", "score", "emmv"}
	t := Table{ID: "runtime", Title: "Wall time of each stage (seconds)",
		Caption: "Mean over seeds of the seconds each stage took when it was computed: encoder fit, encoding, clustering sweeps, detector fit, scoring (test and uniform points), EM/MV over feature subsets (latent_dim > 5 only). Encoder stages are shared by the detectors of one encoding.",
		Header:  append([]string{"dataset", "encoder", "detector"}, stages...)}
	keys, groups := group(results, true, func(*runner.Result) bool { return true })
	for _, k := range keys {
		row := []string{k.dataset, k.encoder, k.detector}
		for _, s := range stages {
			var vals []float64
			for _, r := range groups[k] {
				if v, ok := r.Timings[s]; ok {
					vals = append(vals, v)
				}
			}
			sum := Summarize(vals)
			if sum.N == 0 {
				row = append(row, "—")
			} else {
				row = append(row, fmt.Sprintf("%.2f", sum.Mean))
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func pluginVersions(results []runner.Result) [][3]string {
	seen := map[[3]string]bool{}
	var out [][3]string
	for _, r := range results {
		for _, v := range [][3]string{{r.Encoder, "encoder", r.EncoderVersion}, {r.Detector, "detector", r.DetectorVersion}} {
			if v[0] != "" && !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][1]+out[i][0] < out[j][1]+out[j][0] })
	return out
}

// figure is one image of the report and its caption.
type figure struct {
	section, file, caption string
}

// drawResultFigures draws the figures cells.jsonl suffices for: V-measure
// against k per data set, and the class shares of the flagged anomalies per
// (data set, encoder, detector), from each group's first seed.
func drawResultFigures(dir string, results []runner.Result) ([]figure, error) {
	var figs []figure
	firstSeed := map[string]int64{}
	for _, r := range results {
		if s, ok := firstSeed[r.Dataset]; !ok || r.Seed < s {
			firstSeed[r.Dataset] = r.Seed
		}
	}
	var datasets []string
	series := map[string][]figures.Series{}
	seenEnc := map[string]bool{}
	for _, r := range results {
		if r.Status != runner.StatusOK || r.Seed != firstSeed[r.Dataset] || len(r.Sweeps) == 0 {
			continue
		}
		key := r.Dataset + "\x00" + r.EncoderLabel
		if seenEnc[key] {
			continue
		}
		seenEnc[key] = true
		if _, ok := series[r.Dataset]; !ok {
			datasets = append(datasets, r.Dataset)
		}
		for _, m := range []string{"kmeans", "gmm"} {
			sw := r.Sweeps[m]
			if len(sw) == 0 {
				continue
			}
			s := figures.Series{Label: r.EncoderLabel + ", " + methodName(m)}
			for _, p := range sw {
				s.K = append(s.K, p.K)
				s.V = append(s.V, p.V)
			}
			series[r.Dataset] = append(series[r.Dataset], s)
		}
	}
	for _, ds := range datasets {
		file := runner.FigureName("vmeasure", ds)
		if err := figures.VersusK(filepath.Join(dir, file), series[ds], figures.Options{Title: "V-measure against k on " + ds, Width: 7, Height: 5, DPI: runner.FigureDPI}); err != nil {
			return nil, err
		}
		figs = append(figs, figure{"V-measure against the number of clusters", file,
			fmt.Sprintf("V-measure of the k-means and EM-GMM clusterings of %s's test-set latent points against the classes, for k over the sweep (seed %d); the ring marks each curve's best k.", ds, firstSeed[ds])})
	}
	for _, r := range results {
		if r.Status != runner.StatusOK || r.Seed != firstSeed[r.Dataset] || r.Classes == nil {
			continue
		}
		file := runner.FigureName("classes", r.Dataset, r.EncoderLabel, r.DetectorLabel)
		o := figures.Options{Title: fmt.Sprintf("Flagged anomalies by class: %s, %s, %s", r.DetectorLabel, r.EncoderLabel, r.Dataset), DPI: runner.FigureDPI}
		if err := figures.ClassShareBars(filepath.Join(dir, file), r.Classes.Names, r.Classes.All, r.Classes.Flagged, r.Metrics["rmse"], o); err != nil {
			return nil, err
		}
		figs = append(figs, figure{"Class distribution of the flagged anomalies", file,
			fmt.Sprintf("Share of each class among all test points and among the anomalies %s flags in %s's latent space of %s (seed %d); RMSE %.4f.", r.DetectorLabel, r.EncoderLabel, r.Dataset, r.Seed, r.Metrics["rmse"])})
	}
	return figs, nil
}

// writeFigures writes the figure sections: those the run drew (found by
// name, for each encoding and detector of the results, in cell order) and
// those just drawn.
func writeFigures(b *strings.Builder, dir string, results []runner.Result, drawn []figure) error {
	exists := func(name string) bool {
		_, err := os.Stat(filepath.Join(dir, name))
		return err == nil
	}
	var encodings, pairs [][]string
	seen := map[string]bool{}
	for _, r := range results {
		if r.Status != runner.StatusOK {
			continue
		}
		if k := r.Dataset + "\x00" + r.EncoderLabel; !seen[k] {
			seen[k] = true
			encodings = append(encodings, []string{r.Dataset, r.EncoderLabel})
		}
		if k := r.Dataset + "\x00" + r.EncoderLabel + "\x00" + r.DetectorLabel; r.DetectorLabel != "" && !seen[k] {
			seen[k] = true
			pairs = append(pairs, []string{r.Dataset, r.EncoderLabel, r.DetectorLabel})
		}
	}
	var figs []figure
	for _, e := range encodings {
		if f := runner.FigureName(runner.FigLatent, e...); exists(f) {
			figs = append(figs, figure{"Latent spaces", f, fmt.Sprintf("The test set in %s's latent space of %s, coloured by class (paper Fig. 2).", e[1], e[0])})
		}
	}
	for _, e := range encodings {
		if f := runner.FigureName(runner.FigClusters, e...); exists(f) {
			figs = append(figs, figure{"EM-GMM clusters", f, fmt.Sprintf("The best EM-GMM clustering of %s's latent space of %s (paper Fig. 3).", e[1], e[0])})
		}
	}
	figs = append(figs, drawn...)
	for _, p := range pairs {
		if f := runner.FigureName(runner.FigMarked, p...); exists(f) {
			figs = append(figs, figure{"Most anomalous points", f, fmt.Sprintf("The 15 test points %s finds most anomalous, marked in %s's latent space of %s (paper Fig. 5).", p[2], p[1], p[0])})
		}
		if f := runner.FigureName(runner.FigGallery, p...); exists(f) {
			figs = append(figs, figure{"Most anomalous points", f, fmt.Sprintf("Their images, most anomalous first, with class and score (%s on %s, %s).", p[2], p[1], p[0])})
		}
	}
	if len(figs) == 0 {
		return nil
	}
	b.WriteString("## Figures\n")
	section := ""
	for i, f := range figs {
		if f.section != section {
			section = f.section
			fmt.Fprintf(b, "\n### %s\n", section)
		}
		fmt.Fprintf(b, "\n![Figure %d](figures/%s)\n\n*Figure %d. %s*\n", i+1, f.file, i+1, f.caption)
	}
	b.WriteString("\n")
	return nil
}
