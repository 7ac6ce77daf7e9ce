// Package torchvae_test runs the PyTorch encoders torch-vae, torch-clvae and
// torch-wclvae (Python scripts in this directory) in a small grid through the
// real harness. `latentbench plugin test` runs them through the conformance
// kit in cmd/latentbench's TestPluginTestInRepo; configs/torch-vs-go.toml
// (make torch-vs-go) compares torch-vae with the Go vae.
package torchvae_test

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latentbench/latentbench/internal/plugintest"
	"github.com/latentbench/latentbench/internal/testenv"
)

// cell is the part of a results line the test reads.
type cell struct {
	Encoder string               `json:"encoder_label"`
	Status  string               `json:"status"`
	Error   string               `json:"error"`
	Metrics map[string]float64   `json:"metrics"`
	History []map[string]float64 `json:"history"`
}

// install builds the CLI into a temporary directory and links the three
// scripts beside it, as `make build` does.
func install(t *testing.T) string {
	t.Helper()
	bin := t.TempDir()
	plugintest.Build(t, bin, map[string]string{"latentbench": plugintest.Module + "/cmd/latentbench"})
	for _, v := range []string{"vae", "clvae", "wclvae"} {
		name := "latentbench-encoder-torch-" + v
		src, err := filepath.Abs(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(src, filepath.Join(bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	return bin
}

// runGrid runs the grid text and returns its cells in file order.
func runGrid(t *testing.T, bin, grid string) []cell {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "grid.toml")
	if err := os.WriteFile(path, []byte(grid), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(bin, "latentbench"), "run", path, "-cache", filepath.Join(dir, "cache"),
		"-results", filepath.Join(dir, "results"), "-figures=false", "-j", "2")
	out, err := cmd.CombinedOutput()
	// Exit status 1: some cells failed, which the test reads from their statuses.
	if ee, ok := err.(*exec.ExitError); err != nil && !(ok && ee.ExitCode() == 1) {
		t.Fatalf("latentbench run: %v\n%s", err, out)
	}
	f, err := os.Open(filepath.Join(dir, "results", "torch-grid", "cells.jsonl"))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
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

// The three variants train on an MNIST subsample in one grid, report their
// epochs with loss = γ·recon + β·KL (γ = 0.3 for torch-wclvae), and their
// latent spaces cluster the digits better than chance; with early stopping
// every epoch reports a validation loss, and an invalid validation_fraction
// fails its cell with a message naming it.
func TestTorchEncodersInGrid(t *testing.T) {
	if testing.Short() {
		t.Skip("short: trains three networks")
	}
	testenv.RequirePython(t, "torch", "grpc", "numpy", "google.protobuf")
	mnist, err := filepath.Abs("../../../data/mnist")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(mnist, "train-images-idx3-ubyte.gz")); err != nil {
		testenv.Missing(t, "MNIST is not in data/mnist (make mnist)")
	}
	bin := install(t)
	grid := `[experiment]
name = "torch-grid"
seeds = [0]
[[dataset]]
name = "mnist"
format = "idx"
path = "` + mnist + `"
train = 600
test = 300
seed = 0
[[encoder]]
plugin = "torch-vae"
params = { epochs = 2, hidden = [32] }
[[encoder]]
plugin = "torch-clvae"
params = { epochs = 2, hidden = [32], prior_means = "circle" }
[[encoder]]
plugin = "torch-wclvae"
params = { epochs = 2, hidden = [32] }
[[encoder]]
plugin = "torch-vae"
label = "early"
params = { epochs = 3, hidden = [32], early_stopping = 1 }
[[encoder]]
plugin = "torch-vae"
label = "refused"
params = { epochs = 2, hidden = [32], early_stopping = 1, validation_fraction = 1.5 }
[clustering]
methods = ["kmeans"]
k_min = 9
k_max = 11
n_init = 2
`
	cells := runGrid(t, bin, grid)
	if len(cells) != 5 {
		t.Fatalf("want 5 cells, got %d", len(cells))
	}
	gammas := map[string]float64{"torch-vae": 1, "torch-clvae": 1, "torch-wclvae": 0.3}
	for _, c := range cells[:3] {
		if c.Status != "OK" {
			t.Fatalf("%s: %s: %s", c.Encoder, c.Status, c.Error)
		}
		if len(c.History) != 2 {
			t.Fatalf("%s: %d epochs in the history, want 2", c.Encoder, len(c.History))
		}
		for _, h := range c.History {
			want := gammas[c.Encoder]*h["recon"] + h["kl"]
			if math.Abs(h["loss"]-want) > 1e-9*math.Abs(want) || !(h["recon"] > 0 && h["kl"] > 0) {
				t.Errorf("%s: epoch %v: loss %v, recon %v, kl %v: want loss = %v·recon + kl",
					c.Encoder, h["epoch"], h["loss"], h["recon"], h["kl"], gammas[c.Encoder])
			}
		}
		if second, first := c.History[1]["loss"], c.History[0]["loss"]; !(second < first) {
			t.Errorf("%s: loss went from %v to %v", c.Encoder, first, second)
		}
		t.Logf("%s: best V-measure (k-means) %.4f, last epoch loss %.2f", c.Encoder, c.Metrics["v_kmeans"], c.History[1]["loss"])
		// Ten digits clustered at random give V ≈ 0.06 on 300 points.
		if v := c.Metrics["v_kmeans"]; !(v > 0.1 && v <= 1) {
			t.Errorf("%s: V-measure %v", c.Encoder, v)
		}
	}
	early := cells[3]
	if early.Status != "OK" || len(early.History) < 1 || len(early.History) > 3 {
		t.Fatalf("early stopping: %s: %s: %d epochs", early.Status, early.Error, len(early.History))
	}
	for _, h := range early.History {
		if !(h["val_loss"] > 0) {
			t.Errorf("early stopping: epoch %v has no validation loss: %v", h["epoch"], h)
		}
	}
	if bad := cells[4]; bad.Status != "ERROR" || !strings.Contains(bad.Error, "validation_fraction must be in (0, 1)") {
		t.Errorf("validation_fraction = 1.5: %s: %s", bad.Status, bad.Error)
	}
}
