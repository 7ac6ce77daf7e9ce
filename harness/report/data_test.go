package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latentbench/latentbench/harness/dataset"
)

// The Data section of report.md: one table row per data set recorded in
// run.json, then each warning and note on a line naming the data set, the
// key and the file; no section when run.json records no data.
func TestDocumentDataSection(t *testing.T) {
	dir := t.TempDir()
	info := RunInfo{Experiment: "x", Cells: 2, Data: []dataset.Summary{{
		Name: "census", Format: "csv", Files: []string{"census.train", "census.test"}, Rows: 48842, Dropped: 3,
		DroppedWhy: []string{"missing bracket: 3"}, Split: "files", SplitTrain: 32561, SplitTest: 16278,
		Train: 5000, Test: 2000, Features: 104,
		Encoding: []dataset.EncodingPart{{Kind: "numeric", Blocks: 6, Width: 6}, {Kind: "categorical", Blocks: 8, Width: 98}},
		Classes:  2, HasAnomalies: true, AnomaliesTrain: 1200, AnomaliesTest: 470,
		Missing:     map[string]int{"job": 2809, "sector": 2799, "region": 857},
		LoadSeconds: 0.41,
		Warnings:    []dataset.Warning{{Key: "test_path", File: "census.test", Msg: `column shape: 1 category "hexagon" in the test file that the train split lacks (2 rows)`}},
		Notes:       []dataset.Warning{{Key: "path", File: "census.train", Msg: `column region: 1 category "north-east" only in the train split (1 row)`}},
	}}}
	b, err := json.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "run.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Document(dir, results(), false); err != nil {
		t.Fatal(err)
	}
	report, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"## Data\n",
		"| data set | files | rows read | dropped | split | used | features | classes | anomalies | missing values | load time |",
		"| census | census.train, census.test | 48842 | 3 (missing bracket: 3) | 32561 / 16278 (files) | 5000 / 2000 | " +
			"104 (6 numeric, 98 one-hot from 8 categorical columns) | 2 | 24.0% / 23.5% | " +
			"6465 values in 3 columns (job 2809, sector 2799, region 857) | 0.41 s |",
		"Data warnings (legal, but likely a mistake; see the grid's key named):\n\n" +
			"- census, `test_path` (`census.test`): column shape: 1 category \"hexagon\" in the test file that the train split lacks (2 rows)\n",
		"Data notes:\n\n- census, `path` (`census.train`): column region: 1 category \"north-east\" only in the train split (1 row)\n",
	} {
		if !strings.Contains(string(report), want) {
			t.Errorf("report.md lacks %q:\n%s", want, report)
		}
	}
	if strings.Index(string(report), "## Data") > strings.Index(string(report), "## Table 1.") {
		t.Errorf("the Data section comes after the tables")
	}

	// A run.json without data: no section.
	if err := os.WriteFile(filepath.Join(dir, "run.json"), []byte(`{"experiment":"x","cells":2}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Document(dir, results(), false); err != nil {
		t.Fatal(err)
	}
	if report, _ := os.ReadFile(filepath.Join(dir, "report.md")); strings.Contains(string(report), "## Data") {
		t.Errorf("a Data section without recorded data:\n%s", report)
	}
}
