package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latentbench/latentbench/harness/report"
)

// Negative -j and -timeout are refused, not silently read as "the default".
func TestRunFlagsRefuseNegatives(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"g.toml", "-j", "-5"}, "-j -5: the number of cells run at once must be positive"},
		{[]string{"g.toml", "-timeout", "-1s"}, "-timeout -1s: a timeout must be positive"},
	} {
		var stderr bytes.Buffer
		if _, ok := parseRunFlags(tc.args, &stderr); ok || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: accepted = %v, stderr %q, want %q", tc.args, ok, stderr.String(), tc.want)
		}
	}
}

// Seed-independent fits are shared by default; -share-seed-independent=false asks the runner to
// fit every seed (runner.Options.FitEverySeed, whose effect harness/runner's
// TestSeedIndependentStagesRunOnce checks).
func TestRunFlagShareSeedIndependent(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		share bool
	}{
		{[]string{"g.toml"}, true},
		{[]string{"g.toml", "-share-seed-independent=false"}, false},
		{[]string{"-share-seed-independent=true", "g.toml"}, true},
	} {
		var stderr bytes.Buffer
		f, ok := parseRunFlags(tc.args, &stderr)
		if !ok {
			t.Fatalf("%v: refused: %s", tc.args, stderr.String())
		}
		if f.shareSeedIndependent != tc.share {
			t.Errorf("%v: share-seed-independent %v, want %v", tc.args, f.shareSeedIndependent, tc.share)
		}
	}
}

// `run -share-seed-independent=false` reaches the runner: with two seeds, the pca encoder
// (seed-independent fit) is fitted once by default and once per seed with the flag.
func TestRunShareSeedIndependentFits(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	bin := binDir(t)
	dir := workspace(t, 2)
	grid := strings.Replace(mustRead(t, filepath.Join(dir, "grid.toml")), `methods = ["kmeans"]`, "methods = []", 1)
	grid = strings.Replace(grid, "uniform_points = 100000", "emmv = false", 1)
	must(t, os.WriteFile(filepath.Join(dir, "small.toml"), []byte(grid), 0o644))
	for _, tc := range []struct {
		flag string
		fits int
	}{{"-share-seed-independent=true", 1}, {"-share-seed-independent=false", 2}} {
		results := filepath.Join(dir, "results"+tc.flag)
		if out, err := cli(bin, dir, "run", "small.toml", "-no-cache", "-figures=false", "-results", results, tc.flag).CombinedOutput(); err != nil {
			t.Fatalf("run %s: %v\n%s", tc.flag, err, out)
		}
		cells, err := report.Load(filepath.Join(results, "e2e"))
		must(t, err)
		fits := 0
		for _, c := range cells {
			if !c.Cache["fit"] {
				fits++
			}
		}
		if len(cells) != 2 || fits != tc.fits {
			t.Errorf("run %s: %d cells, encoder fitted in %d, want 2 cells and %d fits", tc.flag, len(cells), fits, tc.fits)
		}
	}
}

// A results directory that cannot be written is found before any cell runs.
func TestUnwritableResultsFoundFirst(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	bin := binDir(t)
	dir := workspace(t, 1)
	must(t, os.WriteFile(filepath.Join(dir, "notadir"), nil, 0o644))
	out, err := cli(bin, dir, "run", "grid.toml", "-results", "notadir").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "notadir") || strings.Contains(string(out), "[1/") {
		t.Errorf("want an error naming notadir before any cell ran, got %v:\n%s", err, out)
	}
}
