package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latentbench/latentbench/harness/report"
)

// dataWorkspace writes a CSV pair whose test file has a category of the
// categorical column "color" that the train file lacks (one data warning),
// and a grid of two seeds on it.
func dataWorkspace(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(3, 0))
	for _, f := range []struct {
		name   string
		rows   int
		colors []string
	}{{"train.csv", 300, []string{"red", "blue"}}, {"test.csv", 100, []string{"red", "blue", "green"}}} {
		var b strings.Builder
		b.WriteString("x,y,color,class\n")
		for i := 0; i < f.rows; i++ {
			c := i % 3
			fmt.Fprintf(&b, "%.3f,%.3f,%s,c%d\n", float64(3*c)+rng.NormFloat64(), rng.NormFloat64(), f.colors[i%len(f.colors)], c)
		}
		must(t, os.WriteFile(filepath.Join(dir, f.name), []byte(b.String()), 0o644))
	}
	grid := `[experiment]
name = "cats"
seeds = [0, 1]

[[dataset]]
name = "cats"
format = "csv"
path = "train.csv"
test_path = "test.csv"
label = "class"
missing = ["?"]

[[encoder]]
plugin = "pca"

[[detector]]
plugin = "iforest"
[detector.params]
n_estimators = 50

[clustering]
methods = ["kmeans"]
k_min = 2
k_max = 4

[metrics]
uniform_points = 1000
`
	must(t, os.WriteFile(filepath.Join(dir, "grid.toml"), []byte(grid), 0o644))
	return dir
}

const greenWarning = `column color: 1 category "green" in the test file that the train split lacks (33 rows)`

// plan and run print a two-line summary of each data set and its warning;
// a grid run as two shards, then merged, records the data set's summary and
// its warning once in run.json and report.md.
func TestDataSummaryAndWarningsAcrossShards(t *testing.T) {
	bin := binDir(t)
	dir := dataWorkspace(t)

	out, err := cli(bin, dir, "plan", "grid.toml").CombinedOutput()
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	lines := strings.Split(string(out), "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], `data "cats" (csv: train.csv, test.csv; loaded in `) ||
		!strings.HasSuffix(lines[0], "): 400 rows read; split 300 / 100 (files)") ||
		lines[1] != "  4 features (2 numeric, 2 one-hot from 1 categorical columns); 3 classes; no missing values; "+
			"33 test rows with a category the train split lacks" ||
		!strings.HasPrefix(lines[2], "warning: grid.toml:9: dataset[1].test_path: ") || !strings.HasSuffix(lines[2], greenWarning+": encoded as all zeros in that column") {
		t.Errorf("plan's data summary and warning:\n%s", out)
	}

	for _, shard := range []string{"0/2", "1/2"} {
		out, err := cli(bin, dir, "run", "grid.toml", "-j", "1", "-figures=false", "-shard", shard).CombinedOutput()
		if err != nil {
			t.Fatalf("run -shard %s: %v\n%s", shard, err, out)
		}
		if strings.Count(string(out), `data "cats" (csv: train.csv, test.csv;`) != 1 || strings.Count(string(out), greenWarning) != 1 {
			t.Errorf("run -shard %s does not print the data summary and warning once:\n%s", shard, out)
		}
	}
	res := filepath.Join(dir, "results", "cats")
	check := func(when string) {
		info, ok := report.ReadRunInfo(res)
		if !ok || len(info.Data) != 1 || len(info.Data[0].Warnings) != 1 || !strings.Contains(info.Data[0].Warnings[0].Msg, greenWarning) ||
			info.Data[0].Warnings[0].File != "test.csv" || info.Data[0].Warnings[0].Key != "test_path" {
			b, _ := json.MarshalIndent(info, "", " ")
			t.Errorf("%s: run.json data, want one data set with the one warning on test_path, test.csv:\n%s", when, b)
		}
		md := mustRead(t, filepath.Join(res, "report.md"))
		if strings.Count(md, greenWarning) != 1 || strings.Count(md, "\n| cats | train.csv, test.csv | 400 | 0 | 300 / 100 (files) |") != 1 ||
			!strings.Contains(md, "- cats, `test_path` (`test.csv`): "+greenWarning) || !strings.Contains(md, "2 cells, 0 failed.") {
			t.Errorf("%s: report.md does not show the data set and its warning once:\n%s", when, md)
		}
	}
	check("after both shards")
	if out, err := cli(bin, dir, "merge", "results/cats", "-q").CombinedOutput(); err != nil {
		t.Fatalf("merge: %v\n%s", err, out)
	}
	check("after merge")
	if os.Getenv("DR_SHOW") != "" {
		t.Log(mustRead(t, filepath.Join(res, "report.md")))
	}
}
