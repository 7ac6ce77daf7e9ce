package main

import (
	"context"
	"fmt"
	"io"

	"github.com/latentbench/latentbench/harness/dataset"
	"github.com/latentbench/latentbench/harness/grid"
)

// checkData loads the grid's data sets once (plan and run, before any cell):
// it prints a two-line summary of each data set with its notes, then each
// data warning as "warning: file:line: key: message", and returns the data
// sets with their summaries, or one error per data set that cannot be
// loaded.
func checkData(ctx context.Context, g *grid.Grid, w io.Writer) ([]*dataset.Loaded, []dataset.Summary, error) {
	loaded, warnings, err := g.CheckData(ctx)
	var sums []dataset.Summary
	for _, l := range loaded {
		if l == nil {
			continue
		}
		s := l.Summary(g.Dir)
		sums = append(sums, s)
		lines := s.Lines()
		fmt.Fprintf(w, "%s\n%s\n", lines[0], lines[1])
		for _, n := range s.Notes {
			fmt.Fprintf(w, "  note: %s\n", n)
		}
	}
	for _, e := range warnings {
		fmt.Fprintf(w, "warning: %v\n", e)
	}
	return loaded, sums, err
}
