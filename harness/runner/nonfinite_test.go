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
	if err := os.WriteFile(filepath.Join(dir, "c.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "grid.toml")
	if err := os.WriteFile(cfg, []byte(`
[experiment]
name = "nan"
seeds = [0, 1]

[[dataset]]
name = "const"
format = "csv"
path = "c.csv"
label = "class"

[[encoder]]
plugin = "identity"

[[detector]]
plugin = "iforest"

[clustering]
methods = []

[metrics]
uniform_points = 2000
`), 0o644); err != nil {
		t.Fatal(err)
	}
	h := host.New()
	reg, err := host.Discover(context.Background(), h, []string{pluginSubset(t, "latentbench-encoder-identity", "latentbench-detector-iforest")})
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
	res, err := runner.Run(context.Background(), g, runner.Options{Jobs: 2, Cache: c, Host: h, Registry: reg, ResultsDir: out})
	if err != nil {
		t.Fatal(err)
	}
	saved, err := runner.ReadJSONL(filepath.Join(out, "cells.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(saved) != len(res) || len(res) != 2 {
		t.Fatalf("%d cells ran, %d saved", len(res), len(saved))
	}
	for _, r := range saved {
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
