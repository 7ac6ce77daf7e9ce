package runner_test

import (
	"context"
	"fmt"
	"math/rand/v2"
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
	"github.com/latentbench/latentbench/sdk"
)

// wideGrid writes a passthrough-encoder grid on 3000 points in 120 dimensions
// with the default clustering (k-means and full-covariance EM, k = 2..20):
// minutes of clustering in the harness itself.
func wideGrid(t *testing.T, timeout string) (*grid.Grid, runner.Options) {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(9, 9))
	var b strings.Builder
	for j := range 120 {
		fmt.Fprintf(&b, "x%d,", j)
	}
	b.WriteString("class\n")
	for i := range 3000 {
		for j := range 120 {
			fmt.Fprintf(&b, "%.3f,", rng.NormFloat64()+float64((i%7)*(j%2)))
		}
		fmt.Fprintf(&b, "c%d\n", i%7)
	}
	if err := os.WriteFile(filepath.Join(dir, "wide.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "grid.toml")
	if err := os.WriteFile(cfg, []byte(withFixtures(fmt.Sprintf(`
[experiment]
name = "wide"
seeds = [0]
timeout = %q

[[dataset]]
name = "wide"
format = "csv"
path = "wide.csv"
label = "class"

[[encoder]]
plugin = "{passthrough}"
`, timeout))), 0o644); err != nil {
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
	return g, runner.Options{Jobs: 1, Cache: c, Host: h, Registry: reg}
}

// The cell timeout and an interrupt reach the harness's own clustering: the
// run ends soon after, not after the sweep.
func TestTimeoutAndInterruptReachClustering(t *testing.T) {
	if testing.Short() {
		t.Skip("clustering in 120 dimensions")
	}
	run := func(ctx context.Context, g *grid.Grid, opt runner.Options) []runner.Result {
		done := make(chan []runner.Result, 1)
		go func() { res, _ := runner.Run(ctx, g, opt); done <- res }()
		select {
		case res := <-done:
			return res
		case <-time.After(30 * time.Second):
			t.Fatal("run still going 30 s after its cell timeout or interrupt")
			return nil
		}
	}
	t.Run("timeout", func(t *testing.T) {
		g, opt := wideGrid(t, "1s")
		res := run(context.Background(), g, opt)
		if len(res) != 1 || res[0].Status != runner.StatusTimeout {
			t.Fatalf("want one TIMEOUT cell, got %+v", res)
		}
	})
	t.Run("interrupt", func(t *testing.T) {
		g, opt := wideGrid(t, "1h")
		ctx, cancel := context.WithCancel(context.Background())
		var once bool
		opt.Progress = stageHook{func(stage string) {
			if stage == "cluster" && !once {
				once = true
				time.AfterFunc(500*time.Millisecond, cancel)
			}
		}}
		if res := run(ctx, g, opt); len(res) != 0 {
			t.Fatalf("an interrupted cell left a result: %+v", res)
		}
	})
}

// stageHook is a Progress that reports stage starts.
type stageHook struct{ stage func(string) }

func (h stageHook) Start(int)                           {}
func (h stageHook) CellStarted(*grid.Cell)              {}
func (h stageHook) Stage(_ *grid.Cell, s string)        { h.stage(s) }
func (h stageHook) Epoch(*grid.Cell, sdk.Progress)      {}
func (h stageHook) CellDone(*grid.Cell, *runner.Result) {}
func (h stageHook) Finish()                             {}

// withFixtures fills a grid's "{projection}", "{passthrough}", "{forest}" and
// "{neighbours}" with the names of internal/plugintest's fixture plugins.
func withFixtures(config string) string {
	return strings.NewReplacer("{projection}", plugintest.Projection().Name, "{passthrough}", plugintest.Passthrough().Name,
		"{forest}", plugintest.Forest().Name, "{neighbours}", plugintest.Neighbours().Name).Replace(config)
}

// pluginSubset returns a directory holding links to some of the test
// plugins only: discovery there does not launch the fault plugins (whose
// stdoutlater mode counts its launches).
func pluginSubset(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		if err := os.Symlink(filepath.Join(plugins(t), n), filepath.Join(dir, n)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
