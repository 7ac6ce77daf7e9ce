package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latentbench/latentbench/harness/runner"
)

// runTogether starts every command, then waits for all of them.
func runTogether(t *testing.T, cmds ...*exec.Cmd) {
	t.Helper()
	outs := make([]*bytes.Buffer, len(cmds))
	for i, c := range cmds {
		outs[i] = &bytes.Buffer{}
		c.Stdout, c.Stderr = outs[i], outs[i]
	}
	for _, c := range cmds {
		must(t, c.Start())
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Errorf("%v: %v\n%s", c.Args, err, outs[i])
		}
	}
}

// checkWholeGrid checks that dir/results/e2e holds every cell of the grid
// exactly once, with the tables of a single-process run.
func checkWholeGrid(t *testing.T, dir string, cells int, wantTables []byte) {
	t.Helper()
	out := filepath.Join(dir, "results", "e2e")
	rs, err := runner.ReadJSONL(filepath.Join(out, "cells.jsonl"))
	must(t, err)
	seen := map[int]int{}
	for _, r := range rs {
		seen[r.Index]++
	}
	for i := 0; i < cells; i++ {
		if seen[i] != 1 {
			t.Errorf("cell %d appears %d times in cells.jsonl", i, seen[i])
		}
	}
	if len(rs) != cells {
		t.Errorf("cells.jsonl has %d lines, want %d", len(rs), cells)
	}
	got, err := os.ReadFile(filepath.Join(out, "tables.md"))
	must(t, err)
	if !bytes.Equal(got, wantTables) {
		t.Errorf("tables differ from a single-process run:\n--- got\n%s\n--- single process\n%s", got, wantTables)
	}
	var info struct{ Cells int }
	must(t, json.Unmarshal([]byte(mustRead(t, filepath.Join(out, "run.json"))), &info))
	if info.Cells != cells {
		t.Errorf("run.json counts %d cells, want %d", info.Cells, cells)
	}
	if !strings.Contains(mustRead(t, filepath.Join(out, "report.md")), "6 cells, 0 failed.") {
		t.Errorf("report.md does not describe the whole grid")
	}
}

// Two shards started at the same moment into one results directory, and two
// identical runs started together: both end with every cell present
// exactly once and the tables of the whole grid.
func TestConcurrentRunsIntoOneResultsDir(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	t.Parallel()
	bin := binDir(t)
	const seeds = 6
	ref := workspace(t, seeds)
	if out, err := cli(bin, ref, "run", "grid.toml", "-j", "1", "-figures=false").CombinedOutput(); err != nil {
		t.Fatalf("reference run: %v\n%s", err, out)
	}
	want, err := os.ReadFile(filepath.Join(ref, "results", "e2e", "tables.md"))
	must(t, err)

	t.Run("shards", func(t *testing.T) {
		dir := workspace(t, seeds)
		runTogether(t,
			cli(bin, dir, "run", "grid.toml", "-j", "1", "-figures=false", "-shard", "0/2"),
			cli(bin, dir, "run", "grid.toml", "-j", "1", "-figures=false", "-shard", "1/2"))
		checkWholeGrid(t, dir, seeds, want)
		files, _ := filepath.Glob(filepath.Join(dir, "results", "e2e", "cells", "shard*.jsonl"))
		if len(files) != 2 {
			t.Errorf("want one cells file per shard, got %v", files)
		}
	})
	t.Run("slurm-dry-run", func(t *testing.T) { slurmDryRun(t, bin) })
	t.Run("identical", func(t *testing.T) {
		dir := workspace(t, seeds)
		runTogether(t,
			cli(bin, dir, "run", "grid.toml", "-j", "1", "-figures=false"),
			cli(bin, dir, "run", "grid.toml", "-j", "1", "-figures=false"))
		checkWholeGrid(t, dir, seeds, want)
		out, err := cli(bin, dir, "merge", "results/e2e", "-q").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "6 of 6 cells from") {
			t.Errorf("merge: %v\n%s", err, out)
		}
	})
}
