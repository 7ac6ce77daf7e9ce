// Package citest reruns the CI grids (configs/ci.toml, configs/ci-adbench.toml)
// and compares their metrics with the results committed in results/ci and
// results/ci-adbench, within the tolerances of each grid's [regression] table. After an intended change, `make ci-accept`
// rewrites the committed results.
package citest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/latentbench/latentbench/harness/grid"
	"github.com/latentbench/latentbench/harness/host"
	"github.com/latentbench/latentbench/harness/regress"
	"github.com/latentbench/latentbench/harness/report"
	"github.com/latentbench/latentbench/internal/plugintest"
)

// root is the repository root (the test runs in internal/citest).
const root = "../.."

// grids are the CI grids, configs/<name>.toml with results in results/<name>
// (the Makefile's CI_GRIDS).
var grids = []string{"ci", "ci-adbench"}

func TestCIResultsUnchanged(t *testing.T) {
	if testing.Short() {
		t.Skip("reruns the CI grids")
	}
	if _, err := os.Stat(filepath.Join(root, "data", "mnist", "train-images-idx3-ubyte.gz")); err != nil {
		t.Fatal("data/mnist is missing: run `make mnist` (make test does)")
	}
	bin := t.TempDir()
	plugintest.Build(t, bin, plugintest.All(t, root))
	h := host.New()
	defer h.KillAll()
	reg, err := host.Discover(context.Background(), h, []string{bin}, "")
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	for _, name := range grids {
		t.Run(name, func(t *testing.T) {
			config := filepath.Join("configs", name+".toml")
			cmd := exec.Command(filepath.Join(bin, "latentbench"), "run", config,
				"-results", out, "-cache", filepath.Join(out, "cache"), "-j", "2", "-figures=false")
			cmd.Dir = root
			cmd.Env = append(os.Environ(), "LATENTBENCH_PLUGIN_PATH=")
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("latentbench run %s: %v\n%s", config, err, b)
			}
			g, err := grid.Load(filepath.Join(root, config), reg)
			if err != nil {
				t.Fatal(err)
			}
			committed := filepath.Join("results", name)
			base, err := report.Load(filepath.Join(root, committed))
			if err != nil {
				t.Fatalf("committed results: %v (run `make ci-accept` to create them)", err)
			}
			cur, err := report.Load(filepath.Join(out, name))
			if err != nil {
				t.Fatal(err)
			}
			// Every metric the grid reports is one a [regression] table may name.
			for _, r := range cur {
				for m := range r.Metrics {
					if !slices.Contains(grid.MetricNames(), m) {
						t.Errorf("cell %s reports metric %q, which grid.MetricNames lacks", r.Cell, m)
					}
				}
			}
			if diffs := regress.Compare(base, cur, g.Regression); len(diffs) > 0 {
				t.Fatalf("the CI grid's results moved (old = %s/cells.jsonl, new = this run):\n%s\n"+
					"If the change is intended, run `make ci-accept` and commit %s.", committed, regress.Format(diffs), committed)
			}
		})
	}
}
