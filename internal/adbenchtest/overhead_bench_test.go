package adbenchtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/latentbench/latentbench/harness/cache"
	"github.com/latentbench/latentbench/harness/grid"
	"github.com/latentbench/latentbench/harness/host"
	"github.com/latentbench/latentbench/harness/runner"
	"github.com/latentbench/latentbench/internal/plugintest"
	"github.com/latentbench/latentbench/internal/testenv"
)

// overheadDetectors are the detectors BenchmarkCellOverhead measures: the
// Go ones of configs/adbench.toml and two Python ones (the scikit-learn
// bridge with its default IsolationForest, and the Python SDK's example),
// each as a [[detector]] table.
var overheadDetectors = []struct{ name, table string }{
	{"iforest", `plugin = "iforest"`},
	{"lof", `plugin = "lof"`},
	{"ocsvm", "plugin = \"ocsvm\"\n[detector.params]\nnu = 0.1"},
	{"sklearn-iforest", `plugin = "sklearn"`},
	{"knn", `plugin = "knn"`},
}

// BenchmarkCellOverhead measures what the harness (harness/runner) adds to a detector's
// cell: configs/adbench.toml's eight bundled ADBench sets with identity and one detector,
// run through the runner with a fresh cache and one worker. A cell's overhead is its wall
// time minus the time the plugins' own code ran, as the SDKs report it in every answer
// (runner.Result.Overhead): plugin processes, transfers, caching, data loading and the
// harness's metrics. Each detector runs in three variants (overheadVariants): EM/MV with
// FitScore batches (the refits over feature subsets in one call), EM/MV with separate Fit
// and Score calls (host.Host.SeparateFitScore, as for a plugin built before FitScore), and
// without EM/MV. Metrics per cell: overhead-s, wall-s, compute-s, and the CPU seconds of
// the harness process (host-cpu-s) and of the plugins (plugin-cpu-s), which a loaded
// machine changes less than wall times. -v logs the figures per set.
func BenchmarkCellOverhead(b *testing.B) {
	dir := b.TempDir()
	plugintest.Build(b, dir, map[string]string{
		"latentbench-encoder-identity": plugintest.Module + "/plugins/encoders/identity/cmd",
		"latentbench-detector-iforest": plugintest.Module + "/plugins/detectors/iforest/cmd",
		"latentbench-detector-lof":     plugintest.Module + "/plugins/detectors/lof/cmd",
		"latentbench-detector-ocsvm":   plugintest.Module + "/plugins/detectors/ocsvm/cmd",
	})
	for name, script := range map[string]string{
		"latentbench-detector-sklearn": "../../plugins/detectors/sklearn/latentbench-detector-sklearn",
		"latentbench-detector-knn":     "../../sdk/python/examples/latentbench-detector-knn",
	} {
		abs, err := filepath.Abs(script)
		if err == nil {
			err = os.Symlink(abs, filepath.Join(dir, name))
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	data, err := filepath.Abs(filepath.Join("..", "..", "data"))
	if err != nil {
		b.Fatal(err)
	}
	base, err := os.ReadFile(filepath.Join("..", "..", "configs", "adbench.toml"))
	if err != nil {
		b.Fatal(err)
	}
	sets, _, ok := strings.Cut(strings.ReplaceAll(string(base), `"../data/`, `"`+data+`/`), "[[encoder]]")
	if !ok {
		b.Fatal("configs/adbench.toml: no [[encoder]] table")
	}
	for _, det := range overheadDetectors {
		for _, v := range overheadVariants {
			b.Run(det.name+"/"+v.name, func(b *testing.B) {
				if strings.HasPrefix(det.name, "sklearn") || det.name == "knn" {
					testenv.RequirePython(b, "numpy", "grpc", "google.protobuf", "sklearn")
				}
				toml := sets + "[[encoder]]\nplugin = \"identity\"\n\n[[detector]]\n" + det.table +
					"\n\n[clustering]\nmethods = []\n\n[metrics]\ncontamination = 0.1\n" + v.metrics
				gridFile := filepath.Join(b.TempDir(), "overhead.toml")
				if err := os.WriteFile(gridFile, []byte(toml), 0o644); err != nil {
					b.Fatal(err)
				}
				cellOverhead(b, dir, gridFile, v.separate)
			})
		}
	}
}

// overheadVariants are the ways BenchmarkCellOverhead runs each detector's cells: with
// EM/MV (20,000 uniform points; on more than 5 features, 50 refits on 5-feature subsets)
// in FitScore batches or in separate Fit and Score calls, and without EM/MV (fit, score,
// ROC-AUC and AP only: the cost of the process model alone).
var overheadVariants = []struct {
	name, metrics string
	separate      bool
}{
	{"fitscore", "uniform_points = 20000\n", false},
	{"separate", "uniform_points = 20000\n", true},
	{"no-emmv", "emmv = false\n", false},
}

// cellOverhead runs the grid's cells b.N times and reports their overhead.
func cellOverhead(b *testing.B, pluginDir, gridFile string, separate bool) {
	ctx := context.Background()
	h := host.New()
	h.SeparateFitScore = separate
	reg, err := host.Discover(ctx, h, []string{pluginDir}, "")
	if err != nil {
		b.Fatal(err)
	}
	g, err := grid.Load(gridFile, reg)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var overhead, wall, compute, hostCPU, pluginCPU float64
	var cells int
	for range b.N {
		c, err := cache.Open(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		cpu0 := selfCPU()
		results, err := runner.Run(ctx, g, runner.Options{Jobs: 1, Cache: c, Host: h, Registry: reg})
		if err != nil {
			b.Fatal(err)
		}
		hostCPU += selfCPU() - cpu0
		for _, r := range results {
			if r.Status != runner.StatusOK {
				b.Fatalf("%s: %s", r.Cell, r.Error)
			}
			var comp, pcpu float64
			for _, s := range r.Compute {
				comp += s
			}
			for _, s := range r.CPU {
				pcpu += s
			}
			overhead += r.Overhead
			wall += r.Wall
			compute += comp
			pluginCPU += pcpu
			cells++
			features := 0
			if r.Data != nil {
				features = r.Data.Features
			}
			b.Logf("%-10s %3d features  overhead %6.3f s  wall %6.3f s  compute %6.3f s  plugin CPU %6.3f s",
				r.Dataset, features, r.Overhead, r.Wall, comp, pcpu)
		}
	}
	n := float64(cells)
	b.ReportMetric(overhead/n, "overhead-s/cell")
	b.ReportMetric(wall/n, "wall-s/cell")
	b.ReportMetric(compute/n, "compute-s/cell")
	b.ReportMetric(hostCPU/n, "host-cpu-s/cell")
	b.ReportMetric(pluginCPU/n, "plugin-cpu-s/cell")
	b.Logf("load average %s", loadAverage())
}

// selfCPU is this process's user + system CPU time in seconds.
func selfCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// loadAverage is the first three fields of /proc/loadavg, or "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return fmt.Sprint(f[:3])
	}
	return "unknown"
}
