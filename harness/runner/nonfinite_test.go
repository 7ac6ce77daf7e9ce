package runner_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latentbench/latentbench/harness/cache"
	"github.com/latentbench/latentbench/harness/grid"
	"github.com/latentbench/latentbench/harness/host"
	"github.com/latentbench/latentbench/harness/runner"
	"github.com/latentbench/latentbench/internal/plugintest"
)

// A constant feature column gives the latent box zero volume, so EM and MV
// are NaN: the cells stay OK, the NaN metrics are left out of cells.jsonl
// with a note saying so, and the file holds every cell.
func TestNonFiniteMetricsAreNotedNotFatal(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("a,const,class\n")
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&b, "%d,7,k%d\n", (i*37)%101, i%2)
	}
	out := runGrid(t, dir, "c.csv", b.String(), `
[experiment]
name = "nan"
seeds = [0, 1]

[[dataset]]
name = "const"
format = "csv"
path = "c.csv"
label = "class"

[[encoder]]
plugin = "{passthrough}"

[[detector]]
plugin = "{forest}"

[clustering]
methods = []

[metrics]
uniform_points = 2000
`)
	res, err := runner.ReadJSONL(filepath.Join(out, "cells.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 {
		t.Fatalf("%d cells saved, want 2", len(res))
	}
	for _, r := range res {
		if r.Status != runner.StatusOK {
			t.Errorf("cell %s: %s %s", r.Cell, r.Status, r.Error)
		}
		if _, ok := r.Metrics["em"]; ok {
			t.Errorf("cell %s: em = %v stored", r.Cell, r.Metrics["em"])
		}
		if !strings.Contains(strings.Join(r.Notes, "\n"), "em is NaN") {
			t.Errorf("cell %s: no note on the NaN EM: %q", r.Cell, r.Notes)
		}
	}
}

// A result that cannot be encoded even without its non-finite metrics (a NaN
// parameter value) fails its own cell, and stays encodable.
func TestUnsavableResultFailsItsCell(t *testing.T) {
	r := runner.Result{Cell: "abc", Status: runner.StatusOK, EncoderParams: map[string]any{"x": math.NaN()},
		Metrics: map[string]float64{"auc": 0.9, "em": math.Inf(1)}}
	r.Sanitize()
	if r.Status != runner.StatusError || !strings.Contains(r.Error, "result cannot be saved") {
		t.Fatalf("status %s, error %q", r.Status, r.Error)
	}
	if _, err := json.Marshal(&r); err != nil {
		t.Fatal(err)
	}
}

// runGrid writes a data file and a grid into dir (its plugin names filled in
// by withFixtures), runs the grid with the passthrough encoder and the forest
// detector, and returns its results directory; a run that cannot save its
// results fails the test.
func runGrid(t *testing.T, dir, dataName, data, config string) string {
	return runGridWith(t, dir, dataName, data, config, runner.Options{})
}

// runGridWith is runGrid with options (Jobs, Cache, Host, Registry and
// ResultsDir are set here).
func runGridWith(t *testing.T, dir, dataName, data, config string, opt runner.Options) string {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, dataName), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "grid.toml")
	if err := os.WriteFile(cfg, []byte(withFixtures(config)), 0o644); err != nil {
		t.Fatal(err)
	}
	h := host.New()
	reg, err := host.Discover(context.Background(), h, []string{pluginSubset(t, plugintest.Passthrough().File(), plugintest.Forest().File())}, "")
	if err != nil {
		t.Fatal(err)
	}
	g, err := grid.Load(cfg, reg)
	if err != nil {
		t.Fatal(err)
	}
	c, err := cache.Open(filepath.Join(dir, "cache"))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "results")
	opt.Jobs, opt.Cache, opt.Host, opt.Registry, opt.ResultsDir = 2, c, h, reg, out
	if _, err := runner.Run(context.Background(), g, opt); err != nil {
		t.Fatal(err)
	}
	return out
}

// A k_max above the number of clustered points is clamped, and the cell
// says so.
func TestKMaxClampIsNoted(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("a,b,class\n")
	for i := 0; i < 60; i++ {
		fmt.Fprintf(&b, "%d,%d,k%d\n", i%7, (i*13)%11, i%3)
	}
	out := runGrid(t, dir, "s.csv", b.String(), `
[experiment]
name = "clamp"
seeds = [0]

[[dataset]]
name = "small"
format = "csv"
path = "s.csv"
label = "class"
test = 12

[[encoder]]
plugin = "{passthrough}"

[clustering]
methods = ["kmeans"]
k_max = 20
`)
	res, err := runner.ReadJSONL(filepath.Join(out, "cells.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Status != runner.StatusOK {
		t.Fatalf("want one OK cell, got %+v", res)
	}
	if want := "clustering.k_max = 20 is more than the 12 evaluated points: the sweeps stop at k = 12"; !strings.Contains(strings.Join(res[0].Notes, "\n"), want) {
		t.Errorf("notes %q lack %q", res[0].Notes, want)
	}
}

// A figure that cannot be written (its directory is a file) leaves the cell
// OK, with a note.
func TestFailedFigureIsANote(t *testing.T) {
	dir := t.TempDir()
	blocked := filepath.Join(dir, "figures")
	if err := os.WriteFile(blocked, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("a,b,class\n")
	for i := 0; i < 80; i++ {
		fmt.Fprintf(&b, "%d,%d,k%d\n", i%7, (i*13)%11, i%3)
	}
	out := runGridWith(t, dir, "s.csv", b.String(), `
[experiment]
name = "fig"
seeds = [0]

[[dataset]]
name = "small"
format = "csv"
path = "s.csv"
label = "class"

[[encoder]]
plugin = "{passthrough}"

[[detector]]
plugin = "{forest}"

[clustering]
methods = ["kmeans"]
k_max = 4
`, runner.Options{FiguresDir: blocked})
	res, err := runner.ReadJSONL(filepath.Join(out, "cells.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Status != runner.StatusOK || res[0].Metrics["auc"] == 0 && res[0].Metrics["v_kmeans"] == 0 {
		t.Fatalf("want one OK cell with metrics, got %+v", res)
	}
	if !strings.Contains(strings.Join(res[0].Notes, "\n"), "figures not drawn") {
		t.Errorf("notes %q say nothing of the figures", res[0].Notes)
	}
}
