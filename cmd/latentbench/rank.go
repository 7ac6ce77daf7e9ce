package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/latentbench/latentbench/harness/ranking"
	"github.com/latentbench/latentbench/harness/report"
)

const rankUsage = "usage: latentbench rank DIR [-metric auc] [-by detector|encoder] [-baseline NAME] [-alpha 0.05] [-png FILE]\n"

// cmdRank ranks the methods of DIR/cells.jsonl over its data sets and
// prints the ranks, the Friedman and Iman–Davenport tests, the pairwise
// Wilcoxon tests with Holm's correction and the record against the
// baseline as Markdown; -png also draws the critical-difference diagram.
func cmdRank(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("rank", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o ranking.Options
	fs.StringVar(&o.Metric, "metric", "auc", "metric to rank by (a metric with a direction)")
	fs.StringVar(&o.By, "by", "detector", "methods compared: detector or encoder")
	fs.StringVar(&o.Baseline, "baseline", "", "method the win/tie/loss table compares with (default: the first)")
	fs.Float64Var(&o.Alpha, "alpha", 0.05, "family-wise significance level")
	png := fs.String("png", "", "write the critical-difference diagram to this PNG file")
	pos, err := parse(fs, args)
	if err != nil || len(pos) != 1 {
		fmt.Fprint(stderr, rankUsage)
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "latentbench rank: %v\n", err)
		return 1
	}
	results, err := report.Load(pos[0])
	if err != nil {
		return fail(err)
	}
	a, err := ranking.Analyze(results, o)
	if err != nil {
		return fail(err)
	}
	if *png != "" {
		if err := a.DrawCD(*png); err != nil {
			return fail(err)
		}
	}
	fmt.Fprint(stdout, a.Markdown(*png))
	return 0
}
