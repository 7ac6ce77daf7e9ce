package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/latentbench/latentbench/harness/report"
	"github.com/latentbench/latentbench/internal/plugintest"
)

// binDir builds the CLI and the plugins it needs into one directory, as
// `make build` does, so the CLI finds them beside itself.
func binDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	plugintest.Build(t, dir, map[string]string{
		"latentbench":                  plugintest.Module + "/cmd/latentbench",
		"latentbench-encoder-pca":      plugintest.Module + "/plugins/encoders/pca/cmd",
		"latentbench-detector-iforest": plugintest.Module + "/plugins/detectors/iforest/cmd",
	})
	return dir
}

func workspace(t *testing.T, seeds int) string {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(7, 0))
	var b strings.Builder
	b.WriteString("x,y,z,class\n")
	for i := 0; i < 1500; i++ {
		c := i % 3
		fmt.Fprintf(&b, "%.4f,%.4f,%.4f,c%d\n", float64(4*c)+rng.NormFloat64(), rng.NormFloat64(), float64(c)+rng.NormFloat64(), c)
	}
	must(t, os.WriteFile(filepath.Join(dir, "data.csv"), []byte(b.String()), 0o644))
	list := make([]string, seeds)
	for i := range list {
		list[i] = fmt.Sprint(i)
	}
	grid := fmt.Sprintf(`[experiment]
name = "e2e"
seeds = [%s]

[[dataset]]
name = "blobs"
format = "csv"
path = "data.csv"
label = "class"

[[encoder]]
plugin = "pca"

[[detector]]
plugin = "iforest"
[detector.params]
n_estimators = 200

[clustering]
methods = ["kmeans"]
k_min = 2
k_max = 8

[metrics]
uniform_points = 100000
`, strings.Join(list, ", "))
	must(t, os.WriteFile(filepath.Join(dir, "grid.toml"), []byte(grid), 0o644))
	return dir
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func cli(bin, dir string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(bin, "latentbench"), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LATENTBENCH_PLUGIN_PATH=")
	return cmd
}

// livePlugins lists running processes whose executable lies in bin.
func livePlugins(bin string) []string {
	var out []string
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err == nil && bytes.HasPrefix(b, []byte(filepath.Join(bin, "latentbench-"))) {
			out = append(out, string(bytes.ReplaceAll(b, []byte{0}, []byte{' '})))
		}
	}
	return out
}

// SIGINT halfway, then rerun: the same tables as an uninterrupted run, and
// no plugin process left behind.
func TestInterruptAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	t.Parallel() // livePlugins looks only at this test's own bin directory
	bin := binDir(t)
	const seeds = 6

	ref := workspace(t, seeds)
	if out, err := cli(bin, ref, "run", "grid.toml", "-j", "1").CombinedOutput(); err != nil {
		t.Fatalf("reference run: %v\n%s", err, out)
	}
	want, err := os.ReadFile(filepath.Join(ref, "results", "e2e", "tables.md"))
	must(t, err)

	dir := workspace(t, seeds)
	cmd := cli(bin, dir, "run", "grid.toml", "-j", "1")
	stderr, err := cmd.StderrPipe()
	must(t, err)
	must(t, cmd.Start())
	sc := bufio.NewScanner(stderr)
	var log strings.Builder
	signalled := false
	for sc.Scan() {
		log.WriteString(sc.Text() + "\n")
		if !signalled && strings.HasPrefix(sc.Text(), "[1/") {
			must(t, cmd.Process.Signal(syscall.SIGINT))
			signalled = true
		}
	}
	err = cmd.Wait()
	if !signalled {
		t.Fatalf("no cell finished:\n%s", log.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Fatalf("interrupted run exited %d (%v), want 130:\n%s", code, err, log.String())
	}
	if !strings.Contains(log.String(), "run the same command again to resume") {
		t.Errorf("no resume hint:\n%s", log.String())
	}
	// The plugins die with the run (give the kernel a moment to reap them).
	deadline := time.Now().Add(3 * time.Second)
	for len(livePlugins(bin)) > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if live := livePlugins(bin); len(live) > 0 {
		t.Errorf("plugin processes left after SIGINT: %v", live)
	}
	partial, err := os.ReadFile(filepath.Join(dir, "results", "e2e", "cells.jsonl"))
	must(t, err)
	if n := bytes.Count(partial, []byte("\n")); n == 0 || n >= seeds {
		t.Fatalf("interrupted run saved %d of %d cells", n, seeds)
	}

	out, err := cli(bin, dir, "run", "grid.toml", "-j", "1").CombinedOutput()
	if err != nil {
		t.Fatalf("resumed run: %v\n%s", err, out)
	}
	got, err := os.ReadFile(filepath.Join(dir, "results", "e2e", "tables.md"))
	must(t, err)
	if !bytes.Equal(got, want) {
		t.Errorf("tables after resume differ from an uninterrupted run:\n--- resumed\n%s\n--- uninterrupted\n%s", got, want)
	}

	// report re-renders the same tables from cells.jsonl.
	must(t, os.Remove(filepath.Join(dir, "results", "e2e", "tables.md")))
	if out, err := cli(bin, dir, "report", "results/e2e").CombinedOutput(); err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	again, err := os.ReadFile(filepath.Join(dir, "results", "e2e", "tables.md"))
	must(t, err)
	if !bytes.Equal(again, want) {
		t.Errorf("report re-rendered different tables:\n%s", again)
	}
}

func TestPlanPluginsAndConfigErrors(t *testing.T) {
	bin := binDir(t)
	dir := workspace(t, 2)

	out, err := cli(bin, dir, "plan", "grid.toml").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "blobs") || !strings.Contains(string(out), "iforest") {
		t.Errorf("plan: %v\n%s", err, out)
	}

	out, err = cli(bin, dir, "plugins").CombinedOutput()
	for _, want := range []string{"pca 1.0.0", "latent_dim", "iforest", "n_estimators", "number of trees"} {
		if err != nil || !strings.Contains(string(out), want) {
			t.Errorf("plugins output lacks %q (%v):\n%s", want, err, out)
		}
	}

	// The descriptions went into the tests' own user cache directory
	// (plugintest.Main sets $XDG_CACHE_HOME), by code digest.
	digest, err := fileSHA256(filepath.Join(bin, "latentbench-encoder-pca"))
	must(t, err)
	if _, err := os.Stat(filepath.Join(os.Getenv("XDG_CACHE_HOME"), "latentbench", "plugins", "encoder-"+digest+".pb")); err != nil {
		t.Errorf("pca's description is not in $XDG_CACHE_HOME: %v", err)
	}

	bad := strings.Replace(mustRead(t, filepath.Join(dir, "grid.toml")), `plugin = "iforest"`, `plugin = "iforrest"`, 1)
	must(t, os.WriteFile(filepath.Join(dir, "bad.toml"), []byte(bad), 0o644))
	out, err = cli(bin, dir, "run", "bad.toml").CombinedOutput()
	if err == nil || !strings.Contains(string(out), `bad.toml:15: detector[1].plugin: unknown detector plugin "iforrest" (installed: iforest)`) {
		t.Errorf("bad config: %v\n%s", err, out)
	}
}

// fileSHA256 is the hex SHA-256 of a file (a Go plugin's code digest).
func fileSHA256(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

func mustRead(t *testing.T, p string) string {
	b, err := os.ReadFile(p)
	must(t, err)
	return string(b)
}

func TestCacheCommand(t *testing.T) {
	dir := t.TempDir()
	c := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(append([]string{"cache"}, args...), &out, &errb)
		return code, out.String(), errb.String()
	}
	if code, _, e := c("-cache", filepath.Join(dir, "absent")); code != 1 || !strings.Contains(e, "absent") {
		t.Errorf("missing cache dir: code %d, %q", code, e)
	}
	os.MkdirAll(filepath.Join(dir, "ab"), 0o755)
	for i, age := range []time.Duration{0, 72 * time.Hour} {
		p := filepath.Join(dir, "ab", fmt.Sprintf("entry%d", i))
		os.WriteFile(p, make([]byte, 1000), 0o644)
		when := time.Now().Add(-age)
		os.Chtimes(p, when, when)
	}
	if code, out, e := c("-cache", dir); code != 0 || !strings.Contains(out, "2 entries") {
		t.Errorf("stat: code %d, %q %q", code, out, e)
	}
	if code, _, e := c("prune", "-cache", dir); code != 1 || !strings.Contains(e, "-older-than or -max-size") {
		t.Errorf("prune without a limit: code %d, %q", code, e)
	}
	if code, _, e := c("prune", "-cache", dir, "-older-than", "soon"); code != 1 || !strings.Contains(e, `"soon"`) {
		t.Errorf("bad age: code %d, %q", code, e)
	}
	if code, out, e := c("prune", "-cache", dir, "-older-than", "2d", "-n"); code != 0 || !strings.Contains(out, "would remove 1 entry") {
		t.Errorf("dry run: code %d, %q %q", code, out, e)
	}
	if code, out, e := c("prune", "-cache", dir, "-older-than", "2d"); code != 0 || !strings.Contains(out, "removed 1 entry") {
		t.Errorf("prune: code %d, %q %q", code, out, e)
	}
	if _, err := os.Stat(filepath.Join(dir, "ab", "entry1")); !os.IsNotExist(err) {
		t.Error("the entry unused for 3 days survived -older-than 2d")
	}
	if code, out, _ := c("-cache", dir); code != 0 || !strings.Contains(out, "1 entry,") {
		t.Errorf("after prune: %q", out)
	}
}

func TestWriteRunInfo(t *testing.T) {
	dir := t.TempDir()
	read := func() report.RunInfo {
		t.Helper()
		ri, ok := report.ReadRunInfo(dir)
		if !ok {
			t.Fatal("run.json unreadable")
		}
		return ri
	}
	write := func(info report.RunInfo, computedNothing bool, earlier int) {
		t.Helper()
		info.Experiment, info.Cells = "e", 4
		if err := writeRunInfo(dir, info, computedNothing, earlier); err != nil {
			t.Fatal(err)
		}
	}
	write(report.RunInfo{WallSeconds: 100, Command: "latentbench run a", Interrupted: true}, false, 0)
	// Resuming an interrupted run adds its wall time.
	write(report.RunInfo{WallSeconds: 50, Command: "latentbench run b"}, false, 0)
	if ri := read(); ri.WallSeconds != 150 || ri.Command != "latentbench run a; latentbench run b" || ri.Interrupted {
		t.Errorf("after resume: %+v", ri)
	}
	// A rerun that computed nothing keeps the wall time and takes the
	// config's new notes.
	write(report.RunInfo{WallSeconds: 1, Notes: "new notes"}, true, 20)
	if ri := read(); ri.WallSeconds != 150 || ri.Notes != "new notes" {
		t.Errorf("after a cached rerun: %+v", ri)
	}
	// A rerun that recomputed part of the results (a rebuilt plugin) adds
	// its time to the run whose results it kept.
	write(report.RunInfo{WallSeconds: 10, Command: "latentbench run c", Notes: "new notes"}, false, 18)
	if ri := read(); ri.WallSeconds != 160 || ri.Command != "latentbench run a; latentbench run b; latentbench run c" {
		t.Errorf("after a partial rerun: %+v", ri)
	}
	// A run that reused nothing of earlier runs (an emptied cache, though
	// its cells share stage results among themselves) is a new record.
	write(report.RunInfo{WallSeconds: 120, Command: "latentbench run d"}, false, 0)
	if ri := read(); ri.WallSeconds != 120 || ri.Command != "latentbench run d" {
		t.Errorf("after a run from scratch: %+v", ri)
	}
}
