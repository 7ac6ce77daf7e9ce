package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latentbench/latentbench/internal/fixtures"
)

// An idx data set's path is relative to the grid file, wherever the grid
// lives and whichever directory latentbench runs from; a grid written for
// the old format name gets the usual list of formats.
func TestIDXGridElsewhere(t *testing.T) {
	images, err := filepath.Abs(fixtures.IDXDir(filepath.Join("..", "..")))
	must(t, err)
	if _, err := os.Stat(filepath.Join(images, "train-images-idx3-ubyte.gz")); err != nil {
		t.Fatal("data/mnist is missing: run `make mnist` (make test does)")
	}
	bin := binDir(t)
	gridDir := filepath.Join(t.TempDir(), "grids", "mine")
	must(t, os.MkdirAll(gridDir, 0o755))
	rel, err := filepath.Rel(gridDir, images)
	must(t, err)
	grid := func(format string) string {
		return `[experiment]
name = "elsewhere"
seeds = [0]

[[dataset]]
name = "digits"
format = "` + format + `"
path = "` + rel + `"
train = 200
test = 100

[[encoder]]
plugin = "pca"
`
	}
	must(t, os.WriteFile(filepath.Join(gridDir, "grid.toml"), []byte(grid("idx")), 0o644))
	elsewhere := t.TempDir()
	out, err := cli(bin, elsewhere, "plan", filepath.Join(gridDir, "grid.toml")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "digits") {
		t.Fatalf("plan from %s of a grid in %s: %v\n%s", elsewhere, gridDir, err, out)
	}

	must(t, os.WriteFile(filepath.Join(gridDir, "old.toml"), []byte(grid("mnist")), 0o644))
	out, err = cli(bin, gridDir, "plan", "old.toml").CombinedOutput()
	if want := `old.toml:7: dataset[1].format: "mnist" is not one of "idx", "csv", "npz"`; err == nil || !strings.Contains(string(out), want) {
		t.Fatalf("plan of a grid with the old format name: %v\n%s\nwant %s", err, out, want)
	}
}
