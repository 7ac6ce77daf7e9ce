package adbenchtest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/latentbench/latentbench/harness/cache"
	"github.com/latentbench/latentbench/harness/dataset"
	"github.com/latentbench/latentbench/harness/grid"
	"github.com/latentbench/latentbench/harness/host"
	"github.com/latentbench/latentbench/harness/runner"
	"github.com/latentbench/latentbench/internal/plugintest"
	"github.com/latentbench/latentbench/metrics"
	"github.com/latentbench/latentbench/plugins/detectors/iforest"
	"github.com/latentbench/latentbench/plugins/encoders/identity"
	"github.com/latentbench/latentbench/sdk"
)

// BenchmarkCellOverhead measures what the harness (harness/runner) adds to
// a cell of a Go detector: configs/adbench.toml's identity × iforest cells (the eight
// bundled ADBench sets) run through the runner with a fresh cache and one
// worker, against the same computation in-process (identity fit and
// encode, iforest fit, scores of the test points and of the uniform
// points). "overhead-s/cell" is the mean of (cell wall time − in-process
// compute): plugin processes, transfers, caching, data loading and the
// metrics.
func BenchmarkCellOverhead(b *testing.B) {
	dir := b.TempDir()
	plugintest.Build(b, dir, map[string]string{
		"latentbench-encoder-identity": plugintest.Module + "/plugins/encoders/identity/cmd",
		"latentbench-detector-iforest": plugintest.Module + "/plugins/detectors/iforest/cmd",
		"latentbench-detector-lof":     plugintest.Module + "/plugins/detectors/lof/cmd",
		"latentbench-detector-ocsvm":   plugintest.Module + "/plugins/detectors/ocsvm/cmd",
	})
	ctx := context.Background()
	h := host.New()
	reg, err := host.Discover(ctx, h, []string{dir}, "")
	if err != nil {
		b.Fatal(err)
	}
	g, err := grid.Load(filepath.Join("..", "..", "configs", "adbench.toml"), reg)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var overhead, walls float64
	var cells int
	for range b.N {
		c, err := cache.Open(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		results, err := runner.Run(ctx, g, runner.Options{Jobs: 1, Cache: c, Host: h, Registry: reg,
			Only: func(c *grid.Cell) bool { return c.Detector != nil && c.Detector.Plugin == "iforest" }})
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range results {
			if r.Status != runner.StatusOK {
				b.Fatalf("%s: %s", r.Cell, r.Error)
			}
			cell := cellByID(g, r.Cell)
			compute := inProcess(b, g, cell)
			overhead += r.Wall - compute
			walls += r.Wall
			cells++
		}
	}
	b.ReportMetric(overhead/float64(cells), "overhead-s/cell")
	b.ReportMetric(walls/float64(cells), "wall-s/cell")
}

func cellByID(g *grid.Grid, id string) *grid.Cell {
	for i := range g.Cells {
		if g.Cells[i].ID == id {
			return &g.Cells[i]
		}
	}
	return nil
}

// inProcess times a cell's plugin computation done in-process: only the
// encoder's and the detector's own calls are timed, not the harness's work
// between them (uniform points, projections), which the runner does too.
func inProcess(b *testing.B, g *grid.Grid, c *grid.Cell) float64 {
	ctx := context.Background()
	data, err := dataset.Load(ctx, g.Datasets[c.DatasetIndex], g.Dir)
	if err != nil {
		b.Fatal(err)
	}
	var total time.Duration
	timed := func(f func() error) {
		start := time.Now()
		err := f()
		total += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
	}
	tr, te := data.Train, data.Test
	xtr, xte := float64s(tr.X), float64s(te.X)
	var z []float64
	timed(func() error {
		m, err := identity.Fit(xtr, tr.N, tr.D, c.Encoder.Params.Bool("standardize"))
		if err == nil {
			z, err = m.Encode(xte, te.N, te.D)
		}
		return err
	})
	det, params, seed := iforest.Plugin(), c.Detector.Params, c.Seed
	fitScore := func(x []float64, n, d int, others ...sdk.Matrix) {
		timed(func() error {
			m := sdk.NewMatrix64(n, d, x)
			model, err := det.Fit(ctx, &sdk.DetectorFit{X: m, Params: params, Seed: seed})
			for _, o := range append([]sdk.Matrix{m}, others...) {
				if err == nil {
					_, err = det.Score(ctx, &sdk.ScoreRequest{Model: model, X: o, Params: params})
				}
			}
			return err
		})
	}
	nu := g.Metrics.UniformPoints
	if !g.Metrics.EMMV {
		fitScore(z, te.N, te.D)
		return total.Seconds()
	}
	if te.D <= metrics.HighDimFeatures {
		lo, hi, _ := metrics.BoundingBox(z, te.N, te.D)
		fitScore(z, te.N, te.D, sdk.NewMatrix64(nu, te.D, metrics.UniformPoints(lo, hi, nu, uint64(seed))))
		return total.Seconds()
	}
	// The cell's test scores, then the refits over feature subsets (as the
	// runner's EM/MV protocol beyond metrics.HighDimFeatures dimensions).
	fitScore(z, te.N, te.D)
	used := 0
	for i, cols := range metrics.FeatureSubsets(te.D, metrics.HighDimFeatures, 4*metrics.HighDimSubsets, uint64(seed)) {
		if used == metrics.HighDimSubsets {
			break
		}
		ze := metrics.Project(z, te.N, te.D, cols)
		lo, hi, vol := metrics.BoundingBox(ze, te.N, len(cols))
		if !(vol > 0) {
			continue
		}
		u := metrics.UniformPoints(lo, hi, nu, uint64(seed)+uint64(i)+1)
		fitScore(ze, te.N, len(cols), sdk.NewMatrix64(nu, len(cols), u))
		used++
	}
	return total.Seconds()
}

func float64s(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}
