// Package python_test runs the Python SDK (sdk/python/latentbench_sdk) and
// the Python plugins through the real harness: stubs up to date, plugins in a
// grid, the cache key following a plugin's source, and the fault cases. The
// conformance kit runs on the Python plugins where it runs on every plugin of
// the repository, through `latentbench plugin test` (cmd/latentbench,
// TestPluginTestInRepo).
package python_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latentbench/latentbench/internal/plugintest"
	"github.com/latentbench/latentbench/internal/testenv"
)

// root is the repository root (tests run in sdk/python).
const root = "../.."

// TestStubsUpToDate regenerates the Python stubs as `make proto` does, into
// a temporary directory, and compares them with the committed ones.
func TestStubsUpToDate(t *testing.T) {
	protoc, err := exec.LookPath("protoc")
	if err != nil {
		testenv.Missing(t, "protoc is not installed (Debian protobuf-compiler)")
	}
	plugin, err := exec.LookPath("grpc_python_plugin")
	if err != nil {
		testenv.Missing(t, "grpc_python_plugin is not installed (Debian protobuf-compiler-grpc)")
	}
	out := t.TempDir()
	cmd := exec.Command(protoc, "-I", "proto", "--plugin=protoc-gen-grpc_python="+plugin,
		"--python_out="+out, "--grpc_python_out="+out, "proto/latentbench/v1/plugin.proto")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("protoc: %v\n%s", err, b)
	}
	for _, f := range []string{"latentbench/v1/plugin_pb2.py", "latentbench/v1/plugin_pb2_grpc.py"} {
		want, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("committed stub: %v (run `make proto`)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("sdk/python/%s is stale: run `make proto` and commit the result", f)
		}
	}
}

// TestGoStubsUpToDate regenerates the Go stubs as `make proto` does, with the
// protoc-gen-go and protoc-gen-go-grpc versions go.mod pins as tools, into
// a temporary directory, and compares them with the committed ones.
func TestGoStubsUpToDate(t *testing.T) {
	protoc, err := exec.LookPath("protoc")
	if err != nil {
		testenv.Missing(t, "protoc is not installed (Debian protobuf-compiler)")
	}
	tools := t.TempDir()
	for name, pkg := range map[string]string{
		"protoc-gen-go":      "google.golang.org/protobuf/cmd/protoc-gen-go",
		"protoc-gen-go-grpc": "google.golang.org/grpc/cmd/protoc-gen-go-grpc",
	} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(tools, name), pkg)
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", name, err, b)
		}
	}
	out := t.TempDir()
	const module = "github.com/latentbench/latentbench"
	cmd := exec.Command(protoc,
		"--plugin=protoc-gen-go="+filepath.Join(tools, "protoc-gen-go"),
		"--plugin=protoc-gen-go-grpc="+filepath.Join(tools, "protoc-gen-go-grpc"),
		"--go_out="+out, "--go_opt=module="+module, "--go-grpc_out="+out, "--go-grpc_opt=module="+module,
		"proto/latentbench/v1/plugin.proto")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("protoc: %v\n%s", err, b)
	}
	for _, f := range []string{"proto/latentbench/v1/plugin.pb.go", "proto/latentbench/v1/plugin_grpc.pb.go"} {
		want, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run `make proto` and commit the result", f)
		}
	}
}

// harness is a temporary installation: the CLI, the identity encoder and the
// Python plugins, linked as `make build` links them.
type harness struct {
	bin string
}

func newHarness(t *testing.T, modules ...string) *harness {
	t.Helper()
	testenv.RequirePython(t, append([]string{"numpy", "grpc", "google.protobuf"}, modules...)...)
	bin := t.TempDir()
	plugintest.Build(t, bin, map[string]string{
		"latentbench":                  plugintest.Module + "/cmd/latentbench",
		"latentbench-encoder-identity": plugintest.Module + "/plugins/encoders/identity/cmd",
	})
	abs, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	scripts, _ := filepath.Glob(filepath.Join(abs, "plugins", "*", "*", "latentbench-*"))
	scripts = append(scripts, filepath.Join(abs, "sdk", "python", "examples", "latentbench-detector-knn"))
	for _, s := range scripts {
		if err := os.Symlink(s, filepath.Join(bin, filepath.Base(s))); err != nil {
			t.Fatal(err)
		}
	}
	return &harness{bin: bin}
}

// cell is the part of a results line the tests read.
type cell struct {
	Dataset  string               `json:"dataset"`
	Detector string               `json:"detector_label"`
	Seed     int                  `json:"seed"`
	Status   string               `json:"status"`
	Error    string               `json:"error"`
	Metrics  map[string]float64   `json:"metrics"`
	Cache    map[string]bool      `json:"cache"`
	History  []map[string]float64 `json:"history"`
}

// run runs `latentbench run` on the grid text and returns its cells.
func (h *harness) run(t *testing.T, grid, cacheDir string, args ...string) []cell {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "grid.toml")
	if err := os.WriteFile(path, []byte(grid), 0o644); err != nil {
		t.Fatal(err)
	}
	results := filepath.Join(dir, "results")
	cmd := exec.Command(filepath.Join(h.bin, "latentbench"), append([]string{"run", path,
		"-cache", cacheDir, "-results", results, "-figures=false", "-j", "2"}, args...)...)
	cmd.Env = os.Environ()
	out, err := cmd.CombinedOutput()
	// Exit status 1 with a cells file: some cells failed, which the tests
	// read from their statuses.
	if ee, ok := err.(*exec.ExitError); err != nil && !(ok && ee.ExitCode() == 1) {
		t.Fatalf("latentbench run: %v\n%s", err, out)
	}
	files, _ := filepath.Glob(filepath.Join(results, "*", "cells.jsonl"))
	if len(files) != 1 {
		t.Fatalf("want one cells.jsonl, got %v\n%s", files, out)
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cells []cell
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var c cell
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		cells = append(cells, c)
	}
	return cells
}

// dataPath returns a bundled data file's absolute path.
func dataPath(t *testing.T, rel string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func pimaGrid(t *testing.T, name, detectors string) string {
	return `[experiment]
name = "` + name + `"
seeds = [0]
[[dataset]]
name = "pima"
format = "npz"
path = "` + dataPath(t, "data/adbench/29_Pima.npz") + `"
test_fraction = 0.3
seed = 0
[[encoder]]
plugin = "identity"
[clustering]
methods = []
[metrics]
emmv = false
` + detectors
}

// The documentation's example detector (29 lines) and the sklearn bridge run
// in a grid beside each other.
func TestPythonDetectorsInGrid(t *testing.T) {
	h := newHarness(t, "sklearn")
	cells := h.run(t, pimaGrid(t, "py-grid", `
[[detector]]
plugin = "knn"
[[detector]]
plugin = "sklearn"
params = { estimator = "sklearn.neighbors.LocalOutlierFactor", options = "{ n_neighbors = 20 }" }
`), t.TempDir())
	if len(cells) != 2 {
		t.Fatalf("want 2 cells, got %d", len(cells))
	}
	for _, c := range cells {
		if c.Status != "OK" {
			t.Fatalf("%s: %s: %s", c.Detector, c.Status, c.Error)
		}
		// Pima's anomalies are found better than by chance by both.
		if auc := c.Metrics["auc"]; !(auc > 0.55 && auc < 1) {
			t.Errorf("%s: ROC-AUC %v", c.Detector, auc)
		}
	}
}

// editablePlugin writes a Python detector whose scoring lives in a package it
// declares as its source, with the given sign of the scores.
func editablePlugin(t *testing.T, dir string, sign string) {
	t.Helper()
	sdkDir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	script := `#!/usr/bin/python3
# latentbench: source = edit_pkg
import os, sys
sys.path.insert(0, ` + "`" + `SDK` + "`" + `)
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from latentbench_sdk import Detector, serve_detector
from edit_pkg import scoring

class Edit(Detector):
    name, version = "edit", "1"
    def fit(self, x, params, call):
        return x.mean(axis=0)
    def score(self, model, x, params, call):
        return scoring.score(model, x)

serve_detector(Edit())
`
	script = strings.Replace(script, "`SDK`", "'"+sdkDir+"'", 1)
	if err := os.WriteFile(filepath.Join(dir, "latentbench-detector-edit"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	pkg := filepath.Join(dir, "edit_pkg")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pkg, "__init__.py"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	code := "def score(center, x):\n    return " + sign + "((x - center) ** 2).sum(axis=1)\n"
	if err := os.WriteFile(filepath.Join(pkg, "scoring.py"), []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Editing the package a Python plugin declares as its source (negating its
// scores) changes the next run's results: ROC-AUC becomes 1 − ROC-AUC,
// instead of the cached value of the edit before.
func TestEditedPythonSourceInvalidatesCache(t *testing.T) {
	h := newHarness(t)
	plugins := t.TempDir()
	cacheDir := t.TempDir()
	grid := pimaGrid(t, "py-edit", "[[detector]]\nplugin = \"edit\"\n")
	editablePlugin(t, plugins, "-")
	first := h.run(t, grid, cacheDir, "-plugins", plugins)
	editablePlugin(t, plugins, "+")
	second := h.run(t, grid, cacheDir, "-plugins", plugins)
	third := h.run(t, grid, cacheDir, "-plugins", plugins)
	fourth := h.run(t, grid, cacheDir, "-plugins", plugins, "-no-cache-plugin", "edit")
	for _, cs := range [][]cell{first, second, third, fourth} {
		if len(cs) != 1 || cs[0].Status != "OK" {
			t.Fatalf("want one OK cell, got %+v", cs)
		}
	}
	a, b := first[0].Metrics["auc"], second[0].Metrics["auc"]
	if d := a + b - 1; d > 1e-12 || d < -1e-12 || a == 0.5 {
		t.Errorf("ROC-AUC %v before the edit, %v after: want 1 − %v", a, b, a)
	}
	if second[0].Cache["detect"] {
		t.Error("the run after the edit reused the cached detection")
	}
	if !third[0].Cache["detect"] {
		t.Error("an unchanged plugin's detection was not reused")
	}
	if fourth[0].Cache["detect"] || fourth[0].Metrics["auc"] != b {
		t.Errorf("-no-cache-plugin edit: cache %v, ROC-AUC %v (want recomputed %v)", fourth[0].Cache, fourth[0].Metrics["auc"], b)
	}
}

// pcaEncoder is a Python encoder written with the SDK: PCA by SVD, with one
// progress report per "epoch" and a parameter with choices.
const pcaEncoder = `#!/usr/bin/python3
import sys
sys.path.insert(0, SDK)
import numpy as np
from latentbench_sdk import Encoder, InvalidInput, Param, serve_encoder

class PyPCA(Encoder):
    name, version, doc = "pypca", "1", "PCA by SVD"
    params = [Param("latent_dim", int, 2, "components"),
              Param("center", str, "mean", "centring", choices=["mean", "none"])]

    def fit(self, x, params, call):
        if not 1 <= params["latent_dim"] <= x.shape[1]:
            raise InvalidInput("latent_dim out of range")
        mu = x.mean(axis=0) if params["center"] == "mean" else np.zeros(x.shape[1])
        _, _, vt = np.linalg.svd(x - mu, full_matrices=False)
        for epoch in range(1, 4):
            call.progress(epoch, 3, loss=1.0 / epoch)
        return mu, vt[: params["latent_dim"]].T

    def encode(self, model, x, params, call):
        mu, w = model
        return ((x - mu) @ w).astype(np.float32)

serve_encoder(PyPCA())
`

// A Python encoder runs in a grid with MNIST, reporting progress, its latent
// space clustered and a Python detector scoring it; an invalid parameter
// value fails its cell with the plugin's message.
func TestPythonEncoderInGrid(t *testing.T) {
	h := newHarness(t)
	sdkDir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	plugins := t.TempDir()
	script := strings.Replace(pcaEncoder, "SDK", "'"+sdkDir+"'", 1)
	if err := os.WriteFile(filepath.Join(plugins, "latentbench-encoder-pypca"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	grid := `[experiment]
name = "py-encoder"
seeds = [0]
[[dataset]]
name = "mnist"
format = "idx"
path = "` + dataPath(t, "data/mnist") + `"
train = 1000
test = 500
[[encoder]]
plugin = "pypca"
params = { latent_dim = [2, 1000] }
[[detector]]
plugin = "knn"
[clustering]
methods = ["kmeans"]
k_min = 9
k_max = 11
n_init = 2
[metrics]
emmv = false
`
	cells := h.run(t, grid, t.TempDir(), "-plugins", plugins)
	if len(cells) != 2 {
		t.Fatalf("want 2 cells, got %d", len(cells))
	}
	ok, bad := cells[0], cells[1]
	if ok.Status != "OK" {
		t.Fatalf("latent_dim 2: %s: %s", ok.Status, ok.Error)
	}
	if len(ok.History) != 3 || ok.History[2]["loss"] != 1.0/3 {
		t.Errorf("progress history %v, want 3 epochs with loss 1/epoch", ok.History)
	}
	// PCA to 2-D separates MNIST's digits somewhat: well above 0, below 1.
	if v := ok.Metrics["v_kmeans"]; !(v > 0.2 && v < 0.9) {
		t.Errorf("V-measure %v", v)
	}
	if bad.Status != "ERROR" || !strings.Contains(bad.Error, "InvalidInput: latent_dim out of range") {
		t.Errorf("latent_dim 1000: %s: %s", bad.Status, bad.Error)
	}
}
