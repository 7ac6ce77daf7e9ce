package grid

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// The three data mistakes of a new user on UCI Adult, reproduced on a small
// CSV pair: a test file with a junk first line, normal_values written as the
// train file spells them ("<=50K", the test file has "<=50K."), and a label
// class present only in the test file. CheckData (run by plan and run) gives
// exactly one error or warning for each, naming the grid file, the data set's
// key and the data file.
const adultLike = `
[experiment]
name = "adultlike"
seeds = [0]

[[dataset]]
name = "junk-line"
format = "csv"
path = "../data/adultlike.csv"
test_path = "../data/adultlike-test.csv"
header = false
columns = ["x", "color", "label", "income"]
anomaly_column = "income"
normal_values = ["<=50K", "<=50K."]

[[dataset]]
name = "mistyped-normal"
format = "csv"
path = "../data/adultlike.csv"
test_path = "../data/adultlike-test.csv"
header = false
test_skip_lines = 1
columns = ["x", "color", "label", "income"]
drop = ["label"]
anomaly_column = "income"
normal_values = ["<=50K"]

[[dataset]]
name = "test-only-class"
format = "csv"
path = "../data/adultlike.csv"
test_path = "../data/adultlike-test.csv"
header = false
test_skip_lines = 1
columns = ["x", "color", "label", "income"]
label = "label"
anomaly_column = "income"
normal_values = ["<=50K", "<=50K."]

[[encoder]]
plugin = "proj"

[[detector]]
plugin = "itrees"
`

func TestCheckDataOneFindingEach(t *testing.T) {
	path := filepath.Join("testdata", "valid", "adultlike.toml")
	g, err := Parse(path, []byte(adultLike), testRegistry())
	if err != nil {
		t.Fatal(err)
	}
	loaded, warnings, err := g.CheckData(context.Background())
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 1 {
		t.Fatalf("CheckData error = %v, want one error", err)
	}
	e := errs[0]
	if e.File != path || e.Field != "dataset[1].test_path" || e.Line != 10 ||
		!strings.Contains(e.Msg, "adultlike-test.csv:1:1: 1 fields, want 4") {
		t.Errorf("error = %v, want %s:10: dataset[1].test_path naming adultlike-test.csv:1:1", e, path)
	}
	if loaded[0] != nil || loaded[1] == nil || loaded[2] == nil {
		t.Errorf("loaded = %v, want the second and third data sets only", loaded)
	}
	if len(warnings) != 2 {
		t.Fatalf("%d warnings, want 2:\n%v", len(warnings), Errors(warnings))
	}
	want := []struct {
		field string
		line  int
		msg   []string
	}{
		{"dataset[2].normal_values", 26, []string{`adultlike-test.csv`, `no value of income matches "<=50K"`, `"<=50K."`}},
		{"dataset[3].label", 36, []string{`adultlike-test.csv`, `classes of label only in this file: "c"`}},
	}
	for i, w := range want {
		got := warnings[i]
		if got.File != path || got.Field != w.field || got.Line != w.line {
			t.Errorf("warning %d = %v, want %s:%d: %s", i, got, path, w.line, w.field)
		}
		for _, m := range w.msg {
			if !strings.Contains(got.Msg, m) {
				t.Errorf("warning %d = %v, want it to contain %q", i, got, m)
			}
		}
	}
	// test_skip_lines applies to test_path only: the train file keeps its first row.
	if n := loaded[1].Report.SplitTrain; n != 6 {
		t.Errorf("train rows = %d, want 6", n)
	}
	if n := loaded[1].Report.SplitTest; n != 5 {
		t.Errorf("test rows = %d, want 5", n)
	}
}
