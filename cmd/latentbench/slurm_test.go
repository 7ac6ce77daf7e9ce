package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/latentbench/latentbench/harness/results"
	"github.com/latentbench/latentbench/harness/runner"
	"github.com/latentbench/latentbench/internal/plugintest"
	"github.com/latentbench/latentbench/internal/testenv"
)

// repoRoot is the repository root (tests run in cmd/latentbench).
const repoRoot = "../.."

// startSlurm starts the single-node Slurm of deploy/slurm/slurm-local (or
// finds it running) and points Slurm's commands at it for this test.
func startSlurm(t *testing.T) {
	t.Helper()
	testenv.RequireRoot(t, "the local Slurm (deploy/slurm/slurm-local runs its daemons as root)")
	script, err := filepath.Abs(filepath.Join(repoRoot, "deploy", "slurm", "slurm-local"))
	must(t, err)
	wasRunning := exec.Command(script, "status").Run() == nil
	if out, err := exec.Command(script, "start").CombinedOutput(); err != nil {
		t.Fatalf("%s start: %v\n%s", script, err, out)
	}
	if !wasRunning { // leave the machine as the test found it
		t.Cleanup(func() {
			if out, err := exec.Command(script, "stop").CombinedOutput(); err != nil {
				t.Errorf("%s stop: %v\n%s", script, err, out)
			}
		})
	}
	out, err := exec.Command(script, "env").Output()
	must(t, err)
	conf, ok := strings.CutPrefix(strings.TrimSpace(string(out)), "export SLURM_CONF=")
	if !ok {
		t.Fatalf("slurm-local env printed %q", out)
	}
	t.Setenv("SLURM_CONF", conf)
}

var jobIDs = regexp.MustCompile(`submitted array job (\d+):.*\nsubmitted merge job (\d+):`)

// submitJobs runs `latentbench slurm` and returns the array and merge job IDs.
func submitJobs(t *testing.T, bin string, args ...string) (array, merge string, out []byte) {
	t.Helper()
	out, err := cli(bin, repoRoot, append([]string{"slurm"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("latentbench slurm %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	m := jobIDs.FindSubmatch(out)
	if m == nil {
		t.Fatalf("no job IDs in the output of latentbench slurm:\n%s", out)
	}
	return string(m[1]), string(m[2]), out
}

// waitJobs waits until squeue no longer lists the jobs (a guard against a
// hang, not a timing assertion: the grid takes seconds).
func waitJobs(t *testing.T, ids ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Minute)
	for {
		out, err := exec.Command("squeue", "-h", "-j", strings.Join(ids, ",")).Output()
		if err == nil && len(bytes.TrimSpace(out)) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("jobs %v still queued after 10 minutes:\n%s", ids, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// shardCells reads the cells the processes of one shard appended so far, by
// file, oldest process first (by the start time in each file's header).
func shardCells(t *testing.T, expDir string, shard string) [][]runner.Result {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(expDir, "cells", "shard"+shard+"-*.jsonl"))
	type run struct {
		started time.Time
		cells   []runner.Result
	}
	var runs []run
	for _, f := range files {
		b, err := os.ReadFile(f)
		must(t, err)
		lines := strings.Split(string(b), "\n")
		var h results.Header
		if json.Unmarshal([]byte(lines[0]), &h) != nil {
			continue // the header is not written yet
		}
		r := run{started: h.Started}
		for _, l := range lines[1:] {
			var c runner.Result
			if l != "" && json.Unmarshal([]byte(l), &c) == nil {
				r.cells = append(r.cells, c)
			}
		}
		runs = append(runs, r)
	}
	slices.SortFunc(runs, func(a, b run) int { return a.started.Compare(b.started) })
	out := make([][]runner.Result, len(runs))
	for i, r := range runs {
		out[i] = r.cells
	}
	return out
}

// The CI grid as a 3-task array on the local Slurm: one task suspended and
// cancelled mid-run keeps its finished cells, merge names the missing ones,
// -resume resubmits that shard alone and recomputes nothing finished; the
// merged tables equal the committed single-process results (results/ci).
// Then the same submission uninterrupted, on the warm cache.
func TestSlurmArrayCancelResume(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the CI grid on Slurm")
	}
	if _, err := os.Stat(filepath.Join(repoRoot, "data", "mnist", "train-images-idx3-ubyte.gz")); err != nil {
		t.Fatal("data/mnist is missing: run `make mnist` (make test does)")
	}
	startSlurm(t)
	bin := t.TempDir()
	plugintest.Build(t, bin, plugintest.All(t, repoRoot))
	work := t.TempDir()
	cache := filepath.Join(work, "cache")
	want := mustRead(t, filepath.Join(repoRoot, "results", "ci", "tables.md"))
	const shard1 = "1of3"
	shard1Total := 0
	for i := 0; i < 32; i++ { // configs/ci.toml has 32 cells
		if i%3 == 1 {
			shard1Total++
		}
	}

	resA := filepath.Join(work, "a")
	expA := filepath.Join(resA, "ci")
	array, merge, _ := submitJobs(t, bin, "configs/ci.toml", "-tasks", "3", "-results", resA, "-cache", cache, "-figures=false")
	// Let task 1 finish a cell, stop it (SIGSTOP through Slurm), and cancel it.
	for deadline := time.Now().Add(10 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if fs := shardCells(t, expA, shard1); len(fs) == 1 && len(fs[0]) >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("task 1 finished no cell in 10 minutes")
		}
	}
	if out, err := exec.Command("scontrol", "suspend", array+"_1").CombinedOutput(); err != nil {
		t.Fatalf("scontrol suspend %s_1: %v\n%s", array, err, out)
	}
	if out, err := exec.Command("scancel", array+"_1").CombinedOutput(); err != nil {
		t.Fatalf("scancel %s_1: %v\n%s", array, err, out)
	}
	waitJobs(t, array, merge)
	finished := shardCells(t, expA, shard1)[0]
	if len(finished) >= shard1Total {
		t.Fatalf("task 1 finished all %d cells before it was cancelled", shard1Total)
	}
	t.Logf("task 1 cancelled after %d of its %d cells", len(finished), shard1Total)

	// merge (the merge job, and by hand) names the missing cells; the
	// finished ones are intact in the merged cells.jsonl.
	out, err := cli(bin, repoRoot, "merge", expA, "-q").CombinedOutput()
	if code := cmdExit(err); code != 1 {
		t.Fatalf("merge with missing cells exited %d (%v), want 1:\n%s", code, err, out)
	}
	merged, err := runner.ReadJSONL(filepath.Join(expA, "cells.jsonl"))
	must(t, err)
	have := map[string]runner.Result{}
	for _, r := range merged {
		have[r.Cell] = r
	}
	for _, r := range finished {
		if m, ok := have[r.Cell]; !ok || m.Status != r.Status || !maps.Equal(m.Metrics, r.Metrics) {
			t.Errorf("finished cell %s of the cancelled task is not intact in cells.jsonl", r.Cell)
		}
	}
	m, err := results.Merge(expA)
	must(t, err)
	if len(m.Missing) == 0 || len(m.Missing) != 32-len(merged) {
		t.Fatalf("%d cells missing after the cancel, %d merged:\n%s", len(m.Missing), len(merged), out)
	}
	for _, c := range m.Missing {
		if !strings.Contains(string(out), c.String()) {
			t.Errorf("merge does not name missing cell %s:\n%s", c, out)
		}
	}
	mergeLog := mustRead(t, filepath.Join(expA, "slurm", "merge-"+merge+".out"))
	if !strings.Contains(mergeLog, "cells missing") {
		t.Errorf("the merge job did not list the missing cells:\n%s", mergeLog)
	}

	// -resume: shard 1 alone; its finished cells come from the cache.
	array2, merge2, out := submitJobs(t, bin, "configs/ci.toml", "-resume", "-results", resA, "-cache", cache, "-figures=false")
	if !strings.Contains(string(out), "1 tasks (shards 1 of 3)") {
		t.Errorf("-resume did not submit shard 1 alone:\n%s", out)
	}
	waitJobs(t, array2, merge2)
	// The resumed task's file is the newest of shard 1 (the cancelled task's
	// file, all of whose cells it replaced, is removed once merged).
	runs := shardCells(t, expA, shard1)
	resumed := runs[len(runs)-1]
	if len(resumed) != shard1Total {
		logs, _ := filepath.Glob(filepath.Join(expA, "slurm", "task-"+array2+"_*.out"))
		var b strings.Builder
		for _, l := range logs {
			b.WriteString(mustRead(t, l))
		}
		t.Fatalf("the resumed task's cells file has %d cells, want %d; its log:\n%s", len(resumed), shard1Total, b.String())
	}
	hits, stages := 0, 0
	for _, r := range resumed {
		for stage, hit := range r.Cache {
			if hit {
				hits++
			} else if slices.ContainsFunc(finished, func(f runner.Result) bool { return f.Cell == r.Cell }) {
				t.Errorf("cell %s finished before the cancel, but its %s stage was recomputed", r.Cell, stage)
			}
			stages++
		}
	}
	t.Logf("resume: %d of %d stage results from the cache", hits, stages)
	if got := mustRead(t, filepath.Join(expA, "tables.md")); got != want {
		t.Errorf("tables after cancel and resume differ from results/ci/tables.md:\n%s", got)
	}

	// The same grid uninterrupted (warm cache): merged tables equal too.
	resB := filepath.Join(work, "b")
	start := time.Now()
	array3, merge3, _ := submitJobs(t, bin, "configs/ci.toml", "-tasks", "3", "-results", resB, "-cache", cache, "-figures=false")
	waitJobs(t, array3, merge3)
	t.Logf("3-task array on a warm cache, submission to merged results: %s", time.Since(start).Round(10*time.Millisecond))
	if got := mustRead(t, filepath.Join(resB, "ci", "tables.md")); got != want {
		t.Errorf("tables of the 3-task array differ from results/ci/tables.md:\n%s", got)
	}
	if log := mustRead(t, filepath.Join(resB, "ci", "slurm", "merge-"+merge3+".out")); !strings.Contains(log, "32 of 32 cells") {
		t.Errorf("merge job log:\n%s", log)
	}
}

// cmdExit is the exit status of a finished command (0 when err is nil).
func cmdExit(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}
