package ranking

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/latentbench/latentbench/harness/figures"
)

// Direction says in words which way the metric is better.
func (a *Analysis) Direction() string {
	if a.Better > 0 {
		return "higher is better"
	}
	return "lower is better"
}

// Markdown renders the analysis as a report section body (no heading): the
// per-data-set scores and ranks, the Friedman and Iman–Davenport tests, the
// pairwise Wilcoxon tests with Holm's correction, the record against the
// baseline and, when figure is not empty, the critical-difference diagram
// at that (relative) path.
func (a *Analysis) Markdown(figure string) string {
	var b strings.Builder
	seeds := "one seed"
	if a.Seeds > 1 {
		seeds = fmt.Sprintf("the mean over up to %d seeds", a.Seeds)
	}
	fmt.Fprintf(&b, "%d %ss ranked by `%s` (%s) on each of %s (%s; rank 1 = best, ties share the mean rank).",
		len(a.Methods), a.By, a.Metric, a.Direction(), a.blocksNoun(), seeds)
	if len(a.Dropped) > 0 {
		fmt.Fprintf(&b, " Left out, a %s lacking a value there: %s.", a.By, strings.Join(a.Dropped, ", "))
	}
	b.WriteString("\n\n")
	a.writeRanks(&b)
	fr, id := a.Friedman, a.ImanDavenport
	fmt.Fprintf(&b, "Friedman χ² = %s (%g df), p = %s; Iman–Davenport F = %s (%g, %g df), p = %s (Demšar 2006). ",
		num(fr.Statistic), fr.DF, pval(fr.P), num(id.Statistic), id.DF, id.DF2, pval(id.P))
	if id.P <= a.Alpha {
		fmt.Fprintf(&b, "The %ss do not all perform alike at %g.\n\n", a.By, a.Alpha)
	} else {
		fmt.Fprintf(&b, "No evidence at %g that the %ss differ over these data sets.\n\n", a.Alpha, a.By)
	}
	a.writePairs(&b)
	a.writeRecord(&b)
	if figure != "" {
		fmt.Fprintf(&b, "![critical-difference diagram](%s)\n\n", figure)
		fmt.Fprintf(&b, "Critical-difference diagram: average ranks (1 = best); a bar joins %ss whose pairwise Wilcoxon tests are not significant at %g after Holm's correction (as aeon's `plot_critical_difference`, two-sided tests).\n\n", a.By, a.Alpha)
	}
	return b.String()
}

func (a *Analysis) writeRanks(b *strings.Builder) {
	b.WriteString("| data set |")
	for _, m := range a.Methods {
		fmt.Fprintf(b, " %s |", m)
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(a.Methods)) + "\n")
	for i, blk := range a.Blocks {
		fmt.Fprintf(b, "| %s |", blk)
		for m := range a.Methods {
			fmt.Fprintf(b, " %.4g (%s) |", a.Scores[i][m], strconv.FormatFloat(a.Ranks[i][m], 'f', -1, 64))
		}
		b.WriteString("\n")
	}
	b.WriteString("| **average rank** |")
	for _, r := range a.AvgRanks {
		fmt.Fprintf(b, " **%.2f** |", r)
	}
	b.WriteString("\n\n")
}

func (a *Analysis) writePairs(b *strings.Builder) {
	fmt.Fprintf(b, "Pairwise two-sided Wilcoxon signed-rank tests over the %s (SciPy's defaults: exact for ≤ 50 without zero differences), Holm-corrected for %d comparisons (Benavoli et al. 2016):\n\n", a.blocksNoun(), len(a.Pairs))
	b.WriteString("| A | B | W | p | p (Holm) | differ at " + strconv.FormatFloat(a.Alpha, 'g', -1, 64) + " |\n|---|---|---|---|---|---|\n")
	order := a.Order()
	pos := func(m int) int { return slices.Index(order, m) }
	pairs := slices.Clone(a.Pairs)
	slices.SortStableFunc(pairs, func(x, y Pair) int {
		if c := min(pos(x.A), pos(x.B)) - min(pos(y.A), pos(y.B)); c != 0 {
			return c
		}
		return max(pos(x.A), pos(x.B)) - max(pos(y.A), pos(y.B))
	})
	for _, p := range pairs {
		i, j := p.A, p.B
		if pos(j) < pos(i) {
			i, j = j, i
		}
		differ := "no"
		if p.Significant(a.Alpha) {
			differ = "**yes**"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", a.Methods[i], a.Methods[j], num(p.Statistic), pval(p.P), pval(p.PHolm), differ)
	}
	b.WriteString("\n")
}

func (a *Analysis) writeRecord(b *strings.Builder) {
	fmt.Fprintf(b, "Against the baseline `%s` (data sets on which each %s scores better / equal / worse):\n\n", a.Baseline, a.By)
	b.WriteString("| " + a.By + " | wins | ties | losses | p (Holm) |\n|---|---|---|---|---|\n")
	for _, r := range a.Record {
		fmt.Fprintf(b, "| %s | %d | %d | %d | %s |\n", a.Methods[r.Method], r.Wins, r.Ties, r.Losses, pval(r.PHolm))
	}
	b.WriteString("\n")
}

// num formats a statistic with four significant digits.
func num(v float64) string {
	if math.IsInf(v, 1) {
		return "∞"
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// pval formats a p-value: three significant digits, "< 1e-4" below.
func pval(p float64) string {
	switch {
	case math.IsNaN(p):
		return "—"
	case p < 1e-4:
		return "< 1e-4"
	}
	return strconv.FormatFloat(p, 'g', 3, 64)
}

// DrawCD writes the critical-difference diagram to path (PNG).
func (a *Analysis) DrawCD(path string) error {
	title := fmt.Sprintf("%ss by %s (%s): average rank over %s", a.By, a.Metric, a.Direction(), a.blocksNoun())
	return figures.CriticalDifference(path, a.Methods, a.AvgRanks, a.Cliques, figures.Options{Title: title})
}

// blocksNoun names the blocks: "8 data sets", or "6 data set × encoder
// blocks" when the other axis splits the data sets.
func (a *Analysis) blocksNoun() string {
	if a.Datasets == len(a.Blocks) {
		return fmt.Sprintf("%d data sets", len(a.Blocks))
	}
	other := "encoder"
	if a.By == "encoder" {
		other = "detector"
	}
	return fmt.Sprintf("%d data set × %s blocks", len(a.Blocks), other)
}
