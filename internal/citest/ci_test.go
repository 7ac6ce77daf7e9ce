// Package citest reruns the CI grid (configs/ci.toml) and compares its
// metrics with the results committed in results/ci, within the tolerances of
// the grid's [regression] table. After an intended change, `make ci-accept`
// rewrites the committed results.
package citest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/latentbench/latentbench/harness/grid"
	"github.com/latentbench/latentbench/harness/host"
	"github.com/latentbench/latentbench/harness/regress"
	"github.com/latentbench/latentbench/harness/report"
	"github.com/latentbench/latentbench/internal/plugintest"
)

// root is the repository root (the test runs in internal/citest).
const root = "../.."

func TestCIResultsUnchanged(t *testing.T) {
	if testing.Short() {
		t.Skip("reruns the CI grid")
	}
	if _, err := os.Stat(filepath.Join(root, "data", "mnist", "train-images-idx3-ubyte.gz")); err != nil {
		t.Fatal("data/mnist is missing: run `make mnist` (make test does)")
	}
	bin := t.TempDir()
	plugintest.Build(t, bin, plugintest.All(t, root))
	out := t.TempDir()
	cmd := exec.Command(filepath.Join(bin, "latentbench"), "run", "configs/ci.toml",
		"-results", out, "-cache", filepath.Join(out, "cache"), "-j", "2", "-figures=false")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "LATENTBENCH_PLUGIN_PATH=")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("latentbench run configs/ci.toml: %v\n%s", err, b)
	}

	h := host.New()
	defer h.KillAll()
	reg, err := host.Discover(context.Background(), h, []string{bin})
	if err != nil {
		t.Fatal(err)
	}
	g, err := grid.Load(filepath.Join(root, "configs", "ci.toml"), reg)
	if err != nil {
		t.Fatal(err)
	}
	base, err := report.Load(filepath.Join(root, "results", "ci"))
	if err != nil {
		t.Fatalf("committed results: %v (run `make ci-accept` to create them)", err)
	}
	cur, err := report.Load(filepath.Join(out, "ci"))
	if err != nil {
		t.Fatal(err)
	}
	if diffs := regress.Compare(base, cur, g.Regression); len(diffs) > 0 {
		t.Fatalf("the CI grid's results moved (old = results/ci/cells.jsonl, new = this run):\n%s\n"+
			"If the change is intended, run `make ci-accept` and commit results/ci.", regress.Format(diffs))
	}
}
