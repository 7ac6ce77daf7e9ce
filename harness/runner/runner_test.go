package runner_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/latentbench/latentbench/harness/cache"
	"github.com/latentbench/latentbench/harness/grid"
	"github.com/latentbench/latentbench/harness/host"
	"github.com/latentbench/latentbench/harness/runner"
	"github.com/latentbench/latentbench/internal/plugintest"
	"github.com/latentbench/latentbench/sdk"
)

var (
	buildOnce sync.Once
	pluginDir string
)

// plugins builds internal/plugintest's fixture plugins, the sink encoder and
// the fault plugin under several names, once per test binary.
func plugins(t testing.TB) string {
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "latentbench-runner-test")
		if err != nil {
			t.Fatal(err)
		}
		names := plugintest.Packages(plugintest.Projection(), plugintest.Passthrough(), plugintest.Forest(), plugintest.Neighbours())
		names["latentbench-encoder-sink"] = plugintest.Module + "/internal/testplugins/sink"
		names["latentbench-detector-fault-ok"] = plugintest.Module + "/internal/testplugins/fault"
		plugintest.Build(t, dir, names)
		for _, mode := range []string{"exit", "hang", "wrongcount", "stdoutlater", "owndeadline"} {
			plugintest.Link(t, dir, "latentbench-detector-fault-ok", "latentbench-detector-fault-"+mode)
		}
		pluginDir = dir
	})
	if pluginDir == "" {
		t.Fatal("plugin build failed earlier")
	}
	return pluginDir
}

// blobs writes a CSV of three Gaussian blobs in 4-D with a class column.
func blobs(t testing.TB, dir string, n int) string {
	rng := rand.New(rand.NewPCG(42, 0))
	var b strings.Builder
	b.WriteString("a,b,c,d,class\n")
	for i := 0; i < n; i++ {
		c := i % 3
		fmt.Fprintf(&b, "%.5f,%.5f,%.5f,%.5f,k%d\n", float64(3*c)+rng.NormFloat64(), float64(-2*c)+rng.NormFloat64(),
			rng.NormFloat64(), float64(c)+0.5*rng.NormFloat64(), c)
	}
	p := filepath.Join(dir, "blobs.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const gridTemplate = `
[experiment]
name = "test"
seeds = %s
timeout = "%s"

[[dataset]]
name = "blobs"
format = "csv"
path = "blobs.csv"
label = "class"
seed = 0

[[encoder]]
plugin = %q
[encoder.params]
latent_dim = 2

%s

[clustering]
methods = ["kmeans", "gmm"]
k_min = 2
k_max = 5
n_init = 3

[metrics]
uniform_points = 5000
contamination = 0.1
`

// forest is the name of the seeded detector the tests run (a fixture of
// internal/plugintest).
func forest() string { return plugintest.Forest().Name }

func detectors(names ...string) string {
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "[[detector]]\nplugin = %q\n", n)
	}
	return b.String()
}

type fixture struct {
	dir   string
	grid  *grid.Grid
	reg   *host.Registry
	host  *host.Host
	cache *cache.Cache
}

func setup(t *testing.T, seeds, timeout string, dets ...string) *fixture {
	t.Helper()
	dir := t.TempDir()
	blobs(t, dir, 600)
	cfg := filepath.Join(dir, "grid.toml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(gridTemplate, seeds, timeout, plugintest.Projection().Name, detectors(dets...))), 0o644); err != nil {
		t.Fatal(err)
	}
	h := host.New()
	reg, err := host.Discover(context.Background(), h, []string{plugins(t)}, "")
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
	return &fixture{dir: dir, grid: g, reg: reg, host: h, cache: c}
}

func (f *fixture) run(ctx context.Context, t *testing.T, progress runner.Progress) ([]runner.Result, error) {
	t.Helper()
	return runner.Run(ctx, f.grid, runner.Options{Jobs: 2, Cache: f.cache, Host: f.host, Registry: f.reg,
		ResultsDir: filepath.Join(f.dir, "results"), Progress: progress})
}

func TestFaultyPluginsFailTheirCellsOnly(t *testing.T) {
	f := setup(t, "[0]", "4s", forest(), "fault-exit", "fault-hang", "fault-wrongcount", "fault-stdoutlater", "fault-owndeadline")
	results, err := f.run(context.Background(), t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 6 {
		t.Fatalf("%d results, want 6", len(results))
	}
	want := map[string]struct{ status, text string }{
		forest():            {runner.StatusOK, ""},
		"fault-exit":        {runner.StatusError, "exiting during Score"},
		"fault-hang":        {runner.StatusTimeout, "hanging in Score"},
		"fault-wrongcount":  {runner.StatusError, "119 scores for 120 points"},
		"fault-stdoutlater": {runner.StatusError, "hello from a plugin"},
		// The plugin's own deadline is its error; only the cell's is a TIMEOUT.
		"fault-owndeadline": {runner.StatusError, "DeadlineExceeded"},
	}
	for _, r := range results {
		w := want[r.Detector]
		if r.Status != w.status || !strings.Contains(r.Error, w.text) {
			t.Errorf("%s: status %s, error %q; want %s containing %q", r.Detector, r.Status, r.Error, w.status, w.text)
		}
	}
	ok := results[0]
	for _, m := range []string{"v_kmeans", "k_kmeans", "v_gmm", "k_gmm", "em", "mv", "rmse", "misclassified_kmeans"} {
		if _, present := ok.Metrics[m]; !present {
			t.Errorf("%s cell lacks metric %s: %v", forest(), m, ok.Metrics)
		}
	}
	for _, stage := range []string{"fit", "encode", "detect", "score"} {
		if ok.PeakRSS[stage] < 1<<20 || ok.CPU[stage] < 0 {
			t.Errorf("stage %s: peak RSS %d B, CPU %g s; want the plugin process's (≥ 1 MiB)", stage, ok.PeakRSS[stage], ok.CPU[stage])
		}
	}
	// Three well-separated blobs: k-means finds them.
	if ok.Metrics["v_kmeans"] < 0.6 || ok.Metrics["k_kmeans"] != 3 {
		t.Errorf("k-means on blobs: V = %g at k = %g", ok.Metrics["v_kmeans"], ok.Metrics["k_kmeans"])
	}
	if f.host.Live() != 0 {
		t.Errorf("%d plugin processes left", f.host.Live())
	}
	saved, err := runner.ReadJSONL(filepath.Join(f.dir, "results", "cells.jsonl"))
	if err != nil || len(saved) != 6 {
		t.Fatalf("cells.jsonl: %d lines, %v", len(saved), err)
	}
}

func TestRerunIsAllCacheHits(t *testing.T) {
	f := setup(t, "[0, 1]", "1m", forest())
	first, err := f.run(context.Background(), t, nil)
	if err != nil {
		t.Fatal(err)
	}
	second, err := f.run(context.Background(), t, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range second {
		if !reflect.DeepEqual(first[i].CPU, second[i].CPU) || !reflect.DeepEqual(first[i].PeakRSS, second[i].PeakRSS) || len(first[i].PeakRSS) != 4 {
			t.Errorf("cell %s: cost %v %v on the first run, %v %v from the cache", first[i].Cell, first[i].CPU, first[i].PeakRSS, second[i].CPU, second[i].PeakRSS)
		}
		for stage, hit := range second[i].Cache {
			if !hit {
				t.Errorf("cell %s: stage %s recomputed on rerun", second[i].Cell, stage)
			}
		}
		if !reflect.DeepEqual(first[i].Metrics, second[i].Metrics) || !reflect.DeepEqual(first[i].Timings, second[i].Timings) {
			t.Errorf("cell %s changed on rerun:\n%v\n%v", second[i].Cell, first[i].Metrics, second[i].Metrics)
		}
	}
}

// cancelAfter cancels the run once n cells are done.
type cancelAfter struct {
	runner.Progress
	mu     sync.Mutex
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) CellDone(*grid.Cell, *runner.Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n--; c.n == 0 {
		c.cancel()
	}
}

func TestInterruptedRunResumes(t *testing.T) {
	ref := setup(t, "[0, 1, 2, 3]", "1m", forest())
	want, err := ref.run(context.Background(), t, nil)
	if err != nil {
		t.Fatal(err)
	}

	f := setup(t, "[0, 1, 2, 3]", "1m", forest())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	partial, err := f.run(ctx, t, &cancelAfter{Progress: nopProgress{}, n: 1, cancel: cancel})
	if err == nil {
		t.Fatal("interrupted run returned no error")
	}
	if len(partial) == 0 || len(partial) >= len(want) {
		t.Fatalf("interrupted run finished %d of %d cells", len(partial), len(want))
	}
	if f.host.Live() != 0 {
		t.Errorf("%d plugin processes left after the interrupt", f.host.Live())
	}
	got, err := f.run(context.Background(), t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("resumed run has %d cells, want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(want[i].Metrics, got[i].Metrics) {
			t.Errorf("cell %s: resumed metrics %v, uninterrupted %v", want[i].Cell, got[i].Metrics, want[i].Metrics)
		}
	}
	// The cells finished before the interrupt were not recomputed.
	for _, p := range partial {
		for stage, hit := range got[p.Index].Cache {
			if !hit {
				t.Errorf("cell %s finished before the interrupt, but its %s stage was recomputed", p.Cell, stage)
			}
		}
	}
}

func TestConditionalEncoderNeedsLabels(t *testing.T) {
	f := setup(t, "[0]", "1m", forest())
	// Pretend the encoder needs labels and drop the dataset's label column.
	f.grid.Cells[0].Encoder.Desc = &sdk.Description{Kind: sdk.KindEncoder, Name: plugintest.Projection().Name, Version: "1.0.0", NeedsLabels: true}
	f.grid.Datasets[0].Label = ""
	f.grid.Datasets[0].Drop = []string{"class"}
	results, err := f.run(context.Background(), t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if results[0].Status != runner.StatusError || !strings.Contains(results[0].Error, "conditions on class labels") {
		t.Errorf("got %s: %s", results[0].Status, results[0].Error)
	}
}

type nopProgress struct{}

func (nopProgress) Start(int)                           {}
func (nopProgress) CellStarted(*grid.Cell)              {}
func (nopProgress) Stage(*grid.Cell, string)            {}
func (nopProgress) Epoch(*grid.Cell, sdk.Progress)      {}
func (nopProgress) CellDone(*grid.Cell, *runner.Result) {}
func (nopProgress) Finish()                             {}

const seedsGrid = `
[experiment]
name = "seeds"
seeds = [0, 1, 2, 3, 4]
timeout = "1m"

[[dataset]]
name = "blobs"
format = "csv"
path = "blobs.csv"
label = "class"
seed = 0

[[encoder]]
plugin = %q

[[detector]]
plugin = %q

[[detector]]
plugin = %q

[clustering]
methods = []

[metrics]
emmv = false
contamination = 0.1
`

// TestSeedIndependentStagesRunOnce runs the passthrough encoder × {neighbours, forest}
// (internal/plugintest's fixtures) with five seeds. The passthrough encoder and the neighbours
// detector declare their fit seed-independent (sdk.Description.SeedIndependent), so the
// encoder's fit and encoding and the neighbours detector's fit and scoring run once for the
// data set and the other four seeds reuse them; the forest, which draws from the seed, is
// fitted and scores once per seed. Each stage computed rather than taken from the cache is one
// plugin call (Fit, Encode, Fit, Score), so the cache misses count the calls. The reused
// results are the ones the seeds would have computed: the neighbours detector's metrics are
// equal across seeds.
//
// With Options.FitEverySeed (`run -share-seed-independent=false`) the declarations are
// ignored: every stage runs once per seed, and the neighbours detector's metrics are the same
// as when shared.
func TestSeedIndependentStagesRunOnce(t *testing.T) {
	nb, fo := plugintest.Neighbours().Name, forest()
	shared := seedsRun(t, false)
	for stage, want := range map[string]int{"encoder fit": 1, "encode": 1, nb + " detect": 1, nb + " score": 1,
		fo + " detect": 5, fo + " score": 5} {
		if shared.calls[stage] != want {
			t.Errorf("shared: %s computed %d times for 5 seeds, want %d (all: %v)", stage, shared.calls[stage], want, shared.calls)
		}
	}
	each := seedsRun(t, true)
	for stage, want := range map[string]int{"encoder fit": 5, "encode": 5, nb + " detect": 5, nb + " score": 5,
		fo + " detect": 5, fo + " score": 5} {
		if each.calls[stage] != want {
			t.Errorf("FitEverySeed: %s computed %d times for 5 seeds, want %d (all: %v)", stage, each.calls[stage], want, each.calls)
		}
	}
	for _, r := range []seedsResult{shared, each} {
		if len(r.nbAUC) != 5 {
			t.Fatalf("%d %s cells, want 5", len(r.nbAUC), nb)
		}
		for _, a := range r.nbAUC {
			if a != shared.nbAUC[0] {
				t.Errorf("%s AUC differs between seeds or runs: shared %v, fit every seed %v", nb, shared.nbAUC, each.nbAUC)
			}
		}
	}
}

// seedsResult is what TestSeedIndependentStagesRunOnce checks of one run: the stages computed
// (not taken from the cache), by "encoder fit", "encode" or "DETECTOR STAGE", and the
// neighbours detector's AUCs.
type seedsResult struct {
	calls map[string]int
	nbAUC []float64
}

// seedsRun runs seedsGrid in a fresh cache.
func seedsRun(t *testing.T, fitEverySeed bool) seedsResult {
	t.Helper()
	dir := t.TempDir()
	blobs(t, dir, 600)
	cfg := filepath.Join(dir, "grid.toml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(seedsGrid, plugintest.Passthrough().Name, plugintest.Neighbours().Name, forest())), 0o644); err != nil {
		t.Fatal(err)
	}
	h := host.New()
	defer h.KillAll()
	reg, err := host.Discover(context.Background(), h, []string{plugins(t)}, "")
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
	res, err := runner.Run(context.Background(), g, runner.Options{Jobs: 2, Cache: c, Host: h, Registry: reg,
		ResultsDir: filepath.Join(dir, "results"), FitEverySeed: fitEverySeed})
	if err != nil {
		t.Fatal(err)
	}
	out := seedsResult{calls: map[string]int{}}
	for _, r := range res {
		if r.Status != runner.StatusOK {
			t.Fatalf("cell %s: %s %s", r.Cell, r.Status, r.Error)
		}
		for stage, hit := range r.Cache {
			if hit {
				continue
			}
			// The encoder stages appear in the cells of both detectors: counted once.
			switch stage {
			case "fit":
				out.calls["encoder fit"]++
			case "encode":
				out.calls["encode"]++
			default:
				out.calls[r.Detector+" "+stage]++
			}
		}
		if r.Detector == plugintest.Neighbours().Name {
			out.nbAUC = append(out.nbAUC, r.Metrics["auc"])
		}
	}
	return out
}

// A run starts each plugin about once per worker, not once per stage of
// every cell: the processes are reused across cells and stages.
func TestPluginProcessesReused(t *testing.T) {
	f := setup(t, "[0, 1, 2, 3]", "60s", forest(), "fault-ok")
	before := f.host.Started()
	results, err := f.run(context.Background(), t, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.Status != runner.StatusOK {
			t.Fatalf("%s: %s %s", r.Cell, r.Status, r.Error)
		}
	}
	// 8 cells, 3 plugins, 2 workers: at most 2 processes per plugin (each
	// cell used to start 5: encoder fit, encode, detector fit, 2 scores).
	if started := f.host.Started() - before; len(results) != 8 || started > 6 {
		t.Errorf("%d cells started %d plugin processes, want at most 6", len(results), started)
	}
	if f.host.Live() != 0 {
		t.Errorf("%d plugin processes left", f.host.Live())
	}
}
