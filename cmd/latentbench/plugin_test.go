package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/latentbench/latentbench/harness/conformance"
	"github.com/latentbench/latentbench/harness/report"
	"github.com/latentbench/latentbench/harness/runner"
	"github.com/latentbench/latentbench/internal/plugintest"
	"github.com/latentbench/latentbench/internal/testenv"
)

// brokenPlugins maps each deliberately broken mode of the fault test plugin
// to the failed check and the start of the reason `plugin test` must give.
var brokenPlugins = map[string]conformance.Result{
	"fault-wrongcount":       {Check: conformance.CheckFitScore, Reason: "score: malformed plugin output: 299 scores for 300 points"},
	"fault-nan":              {Check: conformance.CheckFitScore, Reason: "score: malformed plugin output: non-finite value NaN at row 0, column 0"},
	"fault-inverted":         {Check: conformance.CheckOrientation, Reason: conformance.InvertedScores},
	"fault-nondeterministic": {Check: conformance.CheckDeterminism, Reason: "the same seed gave different model bytes"},
	"fault-ignorecancel":     {Check: conformance.CheckCancellation, Reason: "still computing 3s after its Score call was cancelled: it ignores its context"},
	"fault-exit":             {Check: conformance.CheckFitScore, Reason: "the plugin process died during score"},
	"fault-seedfree":         {Check: conformance.CheckSeed, Reason: "declared seed-independent, but seeds 1 and 2 gave different model bytes"},
}

// TestPluginTestInRepo runs `latentbench plugin test` on every plugin of the
// repository, Go and Python (it must pass), and on every broken test plugin
// (it must fail, with the expected line and no other failure). It is the one
// place the repository's plugins go through the conformance kit.
func TestPluginTestInRepo(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every plugin through the conformance kit")
	}
	bin := t.TempDir()
	exes := plugintest.All(t, "../..")
	exes["latentbench-detector-fault-ok"] = plugintest.Module + "/internal/testplugins/fault"
	plugintest.Build(t, bin, exes)
	for name := range brokenPlugins {
		plugintest.Link(t, bin, "latentbench-detector-fault-ok", "latentbench-detector-"+name)
	}
	var good []string
	for exe := range exes {
		if exe != "latentbench" {
			good = append(good, exe)
		}
	}
	sort.Strings(good)
	// Each subtest runs its own CLI process on its own plugin: they run in
	// parallel (a plugin test spends much of its time waiting on its plugin).
	for _, exe := range good {
		t.Run(exe, func(t *testing.T) {
			t.Parallel()
			out, code := pluginTest(t, bin, filepath.Join(bin, exe))
			if code != 0 || strings.Contains(out, "\nFAIL ") {
				t.Fatalf("plugin test %s: exit status %d\n%s", exe, code, out)
			}
			t.Logf("\n%s", out)
		})
	}
	for _, path := range pythonPlugins(t, "../..") {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			script, err := os.ReadFile(path)
			must(t, err)
			modules := []string{"numpy", "grpc"}
			for _, m := range []string{"sklearn", "torch"} {
				if bytes.Contains(script, []byte("import "+m)) || bytes.Contains(script, []byte("from "+m)) {
					modules = append(modules, m)
				}
			}
			testenv.RequirePython(t, modules...)
			out, code := pluginTest(t, bin, path)
			if code != 0 || strings.Contains(out, "\nFAIL ") {
				t.Fatalf("plugin test %s: exit status %d\n%s", path, code, out)
			}
			t.Logf("\n%s", out)
		})
	}
	for name, res := range brokenPlugins {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res.Status = conformance.Fail
			want := res.String()
			out, code := pluginTest(t, bin, filepath.Join(bin, "latentbench-detector-"+name))
			if code != 1 {
				t.Errorf("exit status %d, want 1", code)
			}
			if !strings.Contains(out, "\n"+want) {
				t.Errorf("no line starting %q in\n%s", want, out)
			}
			if n := strings.Count(out, "\nFAIL "); n != 1 {
				t.Errorf("%d failed checks, want exactly 1:\n%s", n, out)
			}
		})
	}
}

// pythonPlugins returns the Python plugins of the repository: the executable
// scripts plugins/KINDs/NAME/latentbench-KIND-NAME (which make build links
// into bin/) and the Python SDK's examples.
func pythonPlugins(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	for _, pattern := range []string{"plugins/*/*/latentbench-*-*", "sdk/python/examples/latentbench-*-*"} {
		found, err := filepath.Glob(filepath.Join(root, pattern))
		must(t, err)
		for _, f := range found {
			abs, err := filepath.Abs(f)
			must(t, err)
			out = append(out, abs)
		}
	}
	return out
}

// pluginTest runs the CLI in bin on the plugin executable at path and returns
// its output and exit status.
func pluginTest(t *testing.T, bin, path string) (string, int) {
	t.Helper()
	cmd := exec.Command(filepath.Join(bin, "latentbench"), "plugin", "test", path)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	// One line per check, then the summary.
	if !regexp.MustCompile(`(?m)^plugin \S+ \((encoder|detector)\): \d+ checks passed, \d+ failed, \d+ skipped in `).MatchString(out.String()) {
		t.Errorf("no summary line in\n%s", out.String())
	}
	return out.String(), code
}

// TestPluginNew scaffolds a detector and an encoder in each language into an
// empty temporary directory, builds and installs them as their READMEs say,
// runs `plugin test` on each and a two-cell grid on both, with no edit in
// between.
func TestPluginNew(t *testing.T) {
	if testing.Short() {
		t.Skip("builds new plugins")
	}
	t.Parallel()
	root, err := filepath.Abs("../..")
	must(t, err)
	bin := t.TempDir()
	plugintest.Build(t, bin, map[string]string{"latentbench": plugintest.Module + "/cmd/latentbench"})
	cli := filepath.Join(bin, "latentbench")
	for _, lang := range []string{"go", "python"} {
		t.Run(lang, func(t *testing.T) {
			if lang == "python" {
				testenv.RequirePython(t, "numpy", "grpc")
			}
			work := t.TempDir()
			installed := filepath.Join(work, "installed")
			must(t, os.Mkdir(installed, 0o755))
			det, enc := lang+"-meandist", lang+"-randproj"
			newPlugin(t, cli, root, work, installed, det, "detector", lang)
			newPlugin(t, cli, root, work, installed, enc, "encoder", lang)
			runScaffoldedGrid(t, cli, work, installed, enc, det)
		})
	}
}

// newPlugin scaffolds a plugin into work/name, builds it as its README says,
// installs it into installed and runs plugin test on it.
func newPlugin(t *testing.T, cli, root, work, installed, name, kind, lang string) {
	t.Helper()
	exe := "latentbench-" + kind + "-" + name
	runIn(t, work, nil, cli, "plugin", "new", name, "-kind", kind, "-lang", lang, "-checkout", root)
	dir := filepath.Join(work, name)
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	must(t, err)
	if n := strings.Count(strings.TrimSpace(string(readme)), "\n") + 1; n != 5 {
		t.Errorf("%s/README.md has %d lines, want 5", name, n)
	}
	if lang == "go" {
		// go mod tidy needs no network: the module cache and the go.sum
		// written from the checkout suffice.
		runIn(t, dir, nil, "go", "mod", "tidy")
		runIn(t, dir, nil, "go", "build", "-o", exe, ".")
		runIn(t, dir, nil, "go", "test", "-count=1", ".")
	}
	must(t, os.Rename(filepath.Join(dir, exe), filepath.Join(installed, exe)))
	out := runIn(t, work, nil, cli, "plugin", "test", filepath.Join(installed, exe))
	if strings.Contains(out, "\nFAIL ") {
		t.Errorf("plugin test %s:\n%s", exe, out)
	}
}

// runScaffoldedGrid runs a grid of one data set, the new encoder and detector
// and two seeds, and checks both cells succeed.
func runScaffoldedGrid(t *testing.T, cli, work, installed, enc, det string) {
	t.Helper()
	must(t, os.WriteFile(filepath.Join(work, "data.csv"), []byte(blobsCSV(300)), 0o644))
	must(t, os.WriteFile(filepath.Join(work, "grid.toml"), []byte(fmt.Sprintf(`[experiment]
name = "scaffolded"
seeds = [0, 1]

[[dataset]]
name = "blobs"
format = "csv"
path = "data.csv"
label = "class"

[[encoder]]
plugin = %q

[[detector]]
plugin = %q

[clustering]
methods = ["kmeans"]
k_min = 2
k_max = 4

[metrics]
uniform_points = 2000
`, enc, det)), 0o644))
	runIn(t, work, []string{"LATENTBENCH_PLUGIN_PATH=" + installed}, cli, "run", "grid.toml",
		"-results", "results", "-cache", "cache", "-j", "2", "-figures=false")
	results, err := report.Load(filepath.Join(work, "results", "scaffolded"))
	must(t, err)
	if len(results) != 2 {
		t.Fatalf("%d cells, want 2", len(results))
	}
	for _, r := range results {
		if r.Status != runner.StatusOK || r.Encoder != enc || r.Detector != det {
			t.Errorf("cell %s: %s %s/%s %s", r.Cell, r.Status, r.Encoder, r.Detector, r.Error)
		}
	}
}

// runIn runs a command in dir and returns its output, failing the test if it
// fails.
func runIn(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// blobsCSV is a labelled CSV of three Gaussian blobs in 3-D.
func blobsCSV(n int) string {
	rng := rand.New(rand.NewPCG(11, 0))
	var b strings.Builder
	b.WriteString("x,y,z,class\n")
	for i := 0; i < n; i++ {
		c := i % 3
		fmt.Fprintf(&b, "%.4f,%.4f,%.4f,c%d\n", float64(4*c)+rng.NormFloat64(), rng.NormFloat64(), float64(c)+rng.NormFloat64(), c)
	}
	return b.String()
}
