package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestArraySpecAndQuoting(t *testing.T) {
	for _, c := range []struct {
		shards []int
		want   string
	}{{[]int{0, 1, 2}, "0-2"}, {[]int{1}, "1"}, {[]int{0, 2, 3, 4, 7}, "0,2-4,7"}} {
		if got := arraySpec(c.shards); got != c.want {
			t.Errorf("arraySpec(%v) = %q, want %q", c.shards, got, c.want)
		}
	}
	if got := shellQuote("/a b/it's"); got != `'/a b/it'\''s'` {
		t.Errorf("shellQuote = %s", got)
	}
	if got := shellQuote("/plain/path-1.2"); got != "/plain/path-1.2" {
		t.Errorf("shellQuote = %s", got)
	}
}

// slurmDryRun checks that -dry-run writes the array and merge scripts with
// every option given and submits nothing (no Slurm needed). It runs inside
// TestConcurrentRunsIntoOneResultsDir, whose executables it shares.
func slurmDryRun(t *testing.T, bin string) {
	dir := workspace(t, 4)
	out, err := cli(bin, dir, "slurm", "grid.toml", "-tasks", "3", "-partition", "short", "-time", "1:00:00",
		"-mem", "4G", "-cpus-per-task", "2", "-sbatch", "--account=lab", "-sbatch", "#SBATCH --qos=low", "-dry-run").CombinedOutput()
	if err != nil {
		t.Fatalf("slurm -dry-run: %v\n%s", err, out)
	}
	array := mustRead(t, filepath.Join(dir, "results", "e2e", "slurm", "array.sbatch"))
	for _, want := range []string{"#SBATCH --array=0-2\n", "#SBATCH --partition=short\n", "#SBATCH --time=1:00:00\n",
		"#SBATCH --mem=4G\n", "#SBATCH --cpus-per-task=2\n", "#SBATCH --account=lab\n", "#SBATCH --qos=low\n",
		`-shard "$SLURM_ARRAY_TASK_ID/3"`, "-cache " + filepath.Join(dir, "cache"), "export LATENTBENCH_PLUGIN_PATH=" + bin,
		filepath.Join(bin, "latentbench") + " run " + filepath.Join(dir, "grid.toml")} {
		if !strings.Contains(array, want) {
			t.Errorf("array.sbatch lacks %q:\n%s", want, array)
		}
	}
	merge := mustRead(t, filepath.Join(dir, "results", "e2e", "slurm", "merge.sbatch"))
	if !strings.Contains(merge, "merge "+filepath.Join(dir, "results", "e2e")) || strings.Contains(merge, "--mem") {
		t.Errorf("merge.sbatch:\n%s", merge)
	}
	if !bytes.Contains(out, []byte("dry run: nothing submitted")) || !bytes.Contains(out, []byte(array)) {
		t.Errorf("dry run output:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "results", "e2e", "slurm", "jobs.jsonl")); !os.IsNotExist(err) {
		t.Errorf("a dry run recorded a submission")
	}
	// -resume with nothing run yet would submit every shard.
	out, err = cli(bin, dir, "slurm", "grid.toml", "-tasks", "3", "-resume", "-dry-run").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "#SBATCH --array=0-2\n") {
		t.Errorf("resume of nothing: %v\n%s", err, out)
	}
}
