package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlanChecksData: plan loads each data set once and reports a junk first
// line in test_path, a mistyped normal_values, a class present only in the
// test file and a category of a categorical column present only in the test
// file as exactly one error or warning each, naming the grid file, line
// and key and the data file (harness/grid/testdata/data/adultlike*.csv).
func TestPlanChecksData(t *testing.T) {
	bin := binDir(t)
	dir := workspace(t, 1)
	for _, f := range []string{"adultlike.csv", "adultlike-test.csv"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "harness", "grid", "testdata", "data", f))
		must(t, err)
		must(t, os.WriteFile(filepath.Join(dir, f), b, 0o644))
	}
	var b strings.Builder
	b.WriteString("[experiment]\nname = \"adultlike\"\nseeds = [0]\n")
	for _, ds := range []struct{ name, extra string }{
		{"junk-line", `normal_values = ["<=50K", "<=50K."]`},
		{"mistyped-normal", "test_skip_lines = 1\ndrop = [\"label\"]\nnormal_values = [\"<=50K\"]"},
		{"test-only-class", "test_skip_lines = 1\nlabel = \"label\"\nnormal_values = [\"<=50K\", \"<=50K.\"]"},
		{"test-only-category", "test_skip_lines = 1\nnormal_values = [\"<=50K\", \"<=50K.\"]"},
	} {
		b.WriteString("\n[[dataset]]\nname = \"" + ds.name + "\"\nformat = \"csv\"\npath = \"adultlike.csv\"\n" +
			"test_path = \"adultlike-test.csv\"\nheader = false\ncolumns = [\"x\", \"color\", \"label\", \"income\"]\n" +
			"anomaly_column = \"income\"\n" + ds.extra + "\n")
	}
	b.WriteString("\n[[encoder]]\nplugin = \"pca\"\n\n[[detector]]\nplugin = \"iforest\"\n")
	must(t, os.WriteFile(filepath.Join(dir, "adult.toml"), []byte(b.String()), 0o644))

	out, err := cli(bin, dir, "plan", "adult.toml").CombinedOutput()
	if err == nil {
		t.Fatalf("plan succeeded on a junk first line:\n%s", out)
	}
	var findings []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "adult.toml:") {
			findings = append(findings, l)
		}
	}
	want := [][]string{
		{"warning: adult.toml:25: dataset[2].normal_values:", "adultlike-test.csv", `no value of income matches "<=50K"`},
		{"warning: adult.toml:36: dataset[3].label:", "adultlike-test.csv", `classes of label only in this file: "c"`},
		{"warning: adult.toml:43: dataset[4].test_path:", "adultlike-test.csv", `column label: 1 category "c" in the test file that the train split lacks (1 row)`},
		{"adult.toml:9: dataset[1].test_path:", "adultlike-test.csv:1:1: 1 fields, want 4"},
	}
	if len(findings) != len(want) {
		t.Fatalf("plan printed %d findings, want %d:\n%s", len(findings), len(want), out)
	}
	for i, w := range want {
		for _, s := range w {
			if !strings.Contains(findings[i], s) {
				t.Errorf("finding %d = %q, want it to contain %q", i, findings[i], s)
			}
		}
	}
}
