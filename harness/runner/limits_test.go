package runner_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/latentbench/latentbench/harness/cache"
	"github.com/latentbench/latentbench/harness/grid"
	"github.com/latentbench/latentbench/harness/host"
	"github.com/latentbench/latentbench/harness/runner"
	"github.com/latentbench/latentbench/internal/plugintest"
)

const oomGrid = `
[experiment]
name = "oom"
seeds = [0]
timeout = "2m"
memory = "256MiB"

[[dataset]]
name = "blobs"
format = "csv"
path = "blobs.csv"
label = "class"
seed = 0

[[encoder]]
plugin = "sink"
[encoder.params]
alloc_mb = [2048, 32]

[[detector]]
plugin = "{forest}"

[clustering]
methods = ["kmeans"]
k_min = 2
k_max = 3
n_init = 1

[metrics]
uniform_points = 1000
contamination = 0.1
`

// TestMemoryLimitEndsCellAsOOM runs a grid capped at 256 MiB per plugin
// process in which one encoder allocates 2 GiB: its cell ends as OOM within
// seconds, naming the limit, and the other cell finishes.
func TestMemoryLimitEndsCellAsOOM(t *testing.T) {
	dir := t.TempDir()
	blobs(t, dir, 300)
	cfg := filepath.Join(dir, "grid.toml")
	if err := os.WriteFile(cfg, []byte(withFixtures(oomGrid)), 0o644); err != nil {
		t.Fatal(err)
	}
	h := host.New()
	defer h.KillAll()
	// Only the two plugins needed: discovering the shared directory would
	// launch fault-stdoutlater, which breaks from its second launch on.
	pdir := t.TempDir()
	for _, name := range []string{"latentbench-encoder-sink", plugintest.Forest().File()} {
		linkPlugin(t, plugins(t), pdir, name)
	}
	reg, err := host.Discover(context.Background(), h, []string{pdir}, "")
	if err != nil {
		t.Fatal(err)
	}
	g, err := grid.Load(cfg, reg)
	if err != nil {
		t.Fatal(err)
	}
	if g.Experiment.MemoryBytes != 256<<20 {
		t.Fatalf("memory = %d bytes, want 256 MiB", g.Experiment.MemoryBytes)
	}
	c, err := cache.Open(filepath.Join(dir, "cache"))
	if err != nil {
		t.Fatal(err)
	}
	results, err := runner.Run(context.Background(), g, runner.Options{Jobs: 2, Cache: c, Host: h, Registry: reg,
		ResultsDir: filepath.Join(dir, "results")})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 {
		t.Fatalf("%d results, want 2", len(results))
	}
	for _, r := range results {
		big := r.EncoderParams["alloc_mb"] == int64(2048)
		t.Logf("alloc_mb %v: %s after %.1f s: %.120s", r.EncoderParams["alloc_mb"], r.Status, r.Wall, r.Error)
		switch {
		case big && (r.Status != runner.StatusOOM || !strings.Contains(r.Error, "256 MiB")):
			t.Errorf("2 GiB cell: status %s, error %q; want OOM naming 256 MiB", r.Status, r.Error)
		case big && r.Wall > 30:
			t.Errorf("2 GiB cell took %s to fail; want seconds", time.Duration(r.Wall*float64(time.Second)))
		case !big && r.Status != runner.StatusOK:
			t.Errorf("32 MiB cell: status %s, error %q; want OK", r.Status, r.Error)
		}
	}
	if h.Live() != 0 {
		t.Errorf("%d plugin processes left", h.Live())
	}
}

// linkPlugin makes dst/name a hard link to (or a copy of) src/name.
func linkPlugin(t *testing.T, src, dst, name string) {
	t.Helper()
	if err := os.Link(filepath.Join(src, name), filepath.Join(dst, name)); err == nil {
		return
	}
	b, err := os.ReadFile(filepath.Join(src, name))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dst, name), b, 0o755); err != nil {
		t.Fatal(err)
	}
}
