package main

import (
	"context"
	"fmt"
	"io"

	"github.com/latentbench/latentbench/harness/dataset"
	"github.com/latentbench/latentbench/harness/grid"
)

// checkData loads the grid's data sets once (plan and run, before any cell):
// it prints each data warning as "warning: file:line: key: message" and
// returns the data sets, or one error per data set that cannot be loaded.
func checkData(ctx context.Context, g *grid.Grid, w io.Writer) ([]*dataset.Loaded, error) {
	loaded, warnings, err := g.CheckData(ctx)
	for _, e := range warnings {
		fmt.Fprintf(w, "warning: %v\n", e)
	}
	return loaded, err
}
