package dataset

import (
	"cmp"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/latentbench/latentbench/sdk"
)

// Summary describes a loaded data set for the people running a grid: what
// was read, dropped and missing, how the rows were split and subsampled, the
// features after encoding, the classes and anomaly shares, the load time,
// and what Load warned of. `plan` and `run` print it (Summary.Lines), run.json
// records it and report.md has a table of it. Paths are relative to the grid
// file's directory, as a grid names them.
type Summary struct {
	Name   string   `json:"name"`
	Format string   `json:"format"`
	Files  []string `json:"files"`
	Digest string   `json:"digest"`
	// Rows is the number of data rows read; Dropped of those left out, for
	// the reasons DroppedWhy lists (e.g. "missing income: 3").
	Rows       int      `json:"rows"`
	Dropped    int      `json:"dropped,omitempty"`
	DroppedWhy []string `json:"dropped_why,omitempty"`
	// DroppedColumns are the source columns left out, with the reason
	// (the drop key, or drop_constant).
	DroppedColumns []DroppedColumn `json:"dropped_columns,omitempty"`
	// Split says how the splits were made: "files" (test_path, or an idx
	// data set's test files), "seeded" (test_fraction of the rows held out) or
	// "none" (every row in both splits).
	Split string `json:"split"`
	// SplitTrain and SplitTest are the split sizes before subsampling,
	// Train and Test the rows used (after subsampling).
	SplitTrain   int    `json:"split_train"`
	SplitTest    int    `json:"split_test"`
	StratifiedBy string `json:"stratified_by,omitempty"`
	Train        int    `json:"train"`
	Test         int    `json:"test"`
	// Features is the number of columns after encoding, and Encoding its
	// make-up by kind of feature block.
	Features int            `json:"features"`
	Encoding []EncodingPart `json:"encoding,omitempty"`
	// Classes is the number of label classes (0 without labels).
	Classes int `json:"classes"`
	// AnomaliesTrain and AnomaliesTest count the anomalies among the rows
	// used, when the data set has ground truth (HasAnomalies).
	HasAnomalies   bool `json:"has_anomalies,omitempty"`
	AnomaliesTrain int  `json:"anomalies_train,omitempty"`
	AnomaliesTest  int  `json:"anomalies_test,omitempty"`
	// Missing counts the missing values per source column over the rows
	// read; Unseen the test rows per categorical column whose category the
	// train split lacks (encoded as all zeros).
	Missing map[string]int `json:"missing,omitempty"`
	Unseen  map[string]int `json:"unseen,omitempty"`
	// LoadSeconds is the wall time of Load.
	LoadSeconds float64 `json:"load_seconds"`
	// Warnings and Notes are those of the LoadReport.
	Warnings []Warning `json:"warnings,omitempty"`
	Notes    []Warning `json:"notes,omitempty"`
}

// EncodingPart is one kind of feature block of an encoded data set: Blocks
// blocks (a categorical block is one source column) of Width columns in all.
type EncodingPart struct {
	Kind   string `json:"kind"`
	Blocks int    `json:"blocks"`
	Width  int    `json:"width"`
}

// Summary summarises l; baseDir is the directory its Spec's paths are
// relative to (the grid file's), against which file names are shortened.
func (l *Loaded) Summary(baseDir string) Summary {
	r := &l.Report
	s := Summary{
		Name: l.Name, Format: l.Format, Digest: l.Digest,
		Rows: r.Rows, Dropped: r.Dropped, DroppedColumns: slices.Clone(r.DroppedColumns),
		Split: "seeded", SplitTrain: r.SplitTrain, SplitTest: r.SplitTest, StratifiedBy: r.StratifiedBy,
		Train: l.Train.N, Test: l.Test.N, Features: l.Train.D, Classes: len(l.Train.Classes),
		HasAnomalies: l.Train.Anomaly != nil,
		Missing:      maps.Clone(r.MissingByColumn), Unseen: maps.Clone(r.UnseenByColumn),
		LoadSeconds: r.Elapsed.Seconds(),
	}
	switch {
	case l.allRows():
		s.Split = "none"
	case l.TestPath != "" || l.Format == FormatIDX:
		s.Split = "files"
	}
	for _, f := range r.Files {
		s.Files = append(s.Files, relativeTo(baseDir, f))
	}
	for _, col := range []string{l.Spec.Label, l.Spec.AnomalyColumn} {
		if n := r.MissingByColumn[col]; col != "" && n > 0 {
			s.DroppedWhy = append(s.DroppedWhy, fmt.Sprintf("missing %s: %d", col, n))
		}
	}
	s.Encoding = encodingParts(l.Train.Features)
	s.AnomaliesTrain, s.AnomaliesTest = countTrue(l.Train.Anomaly), countTrue(l.Test.Anomaly)
	for _, list := range []struct {
		from []Warning
		to   *[]Warning
	}{{r.Warnings, &s.Warnings}, {r.Notes, &s.Notes}} {
		for _, w := range list.from {
			w.File = relativeTo(baseDir, w.File)
			*list.to = append(*list.to, w)
		}
	}
	if len(s.Missing) == 0 {
		s.Missing = nil
	}
	if len(s.Unseen) == 0 {
		s.Unseen = nil
	}
	return s
}

// encodingParts groups feature blocks by kind, in the order kinds first appear.
func encodingParts(blocks []sdk.FeatureBlock) []EncodingPart {
	var parts []EncodingPart
	for _, b := range blocks {
		i := slices.IndexFunc(parts, func(p EncodingPart) bool { return p.Kind == string(b.Kind) })
		if i < 0 {
			parts = append(parts, EncodingPart{Kind: string(b.Kind)})
			i = len(parts) - 1
		}
		parts[i].Blocks++
		parts[i].Width += b.Width
	}
	return parts
}

func countTrue(v []bool) int {
	n := 0
	for _, b := range v {
		if b {
			n++
		}
	}
	return n
}

// relativeTo returns path relative to base, or absolute when that is
// shorter than climbing out of base ("/data/x.csv" rather than
// "../../../data/x.csv").
func relativeTo(base, path string) string {
	if path == "" {
		return ""
	}
	ab, err1 := filepath.Abs(base)
	ap, err2 := filepath.Abs(path)
	if err1 != nil || err2 != nil {
		return path
	}
	rel, err := filepath.Rel(ab, ap)
	if err != nil || (strings.HasPrefix(rel, "..") && len(ap) < len(rel)) {
		return ap
	}
	return rel
}

// Lines is the summary in two lines for a terminal, e.g.
//
//	data "census" (csv: census.train, census.test; loaded in 0.41s): 48842 rows read, 3 dropped (missing bracket: 3); split 32561 / 16278 (files), used 5000 / 2000
//	  104 features (6 numeric, 98 one-hot from 8 categorical columns); 2 classes; anomalies 24.1% / 23.6%; missing 4262 values in 3 columns (job 1843, sector 1836, region 583)
func (s *Summary) Lines() [2]string {
	var a, b strings.Builder
	fmt.Fprintf(&a, "data %q (%s: %s; loaded in %s): %d rows read", s.Name, s.Format, listFiles(s.Files), seconds(s.LoadSeconds), s.Rows)
	if s.Dropped > 0 {
		fmt.Fprintf(&a, ", %d dropped", s.Dropped)
		if len(s.DroppedWhy) > 0 {
			fmt.Fprintf(&a, " (%s)", strings.Join(s.DroppedWhy, ", "))
		}
	}
	if len(s.DroppedColumns) > 0 {
		fmt.Fprintf(&a, ", columns dropped: %s", s.DroppedColumnsText(3))
	}
	a.WriteString("; " + s.SplitText())
	fmt.Fprintf(&b, "  %s", s.FeaturesText())
	if s.Classes > 0 {
		fmt.Fprintf(&b, "; %d classes", s.Classes)
	}
	if s.HasAnomalies {
		fmt.Fprintf(&b, "; anomalies %s", s.AnomalyText())
	}
	fmt.Fprintf(&b, "; %s", s.MissingText(3))
	if n := sumValues(s.Unseen); n > 0 {
		fmt.Fprintf(&b, "; %s with a category the train split lacks", plural(n, "test row", "test rows"))
	}
	return [2]string{a.String(), b.String()}
}

// DroppedColumnsText lists up to max dropped columns with their reasons:
// "id (drop), x3 (constant 0), ... (5 columns)".
func (s *Summary) DroppedColumnsText(max int) string {
	var list []string
	for _, c := range s.DroppedColumns[:min(max, len(s.DroppedColumns))] {
		list = append(list, c.String())
	}
	if len(s.DroppedColumns) > max {
		list = append(list, fmt.Sprintf("... (%d columns)", len(s.DroppedColumns)))
	}
	return strings.Join(list, ", ")
}

// SplitText describes the split and the rows used: "split 1200 / 300
// (seeded, stratified by label), used 1000 / 300", "every row in both splits
// (split = none): 500", and so on.
func (s *Summary) SplitText() string {
	if s.Split == "none" {
		if s.Train == s.SplitTrain {
			return fmt.Sprintf("every row in both splits (split = none): %d", s.Train)
		}
		return fmt.Sprintf("every row in both splits (split = none): %d, used %d / %d", s.SplitTrain, s.Train, s.Test)
	}
	how := " (" + s.Split
	if s.StratifiedBy != "" {
		how += ", stratified by " + s.StratifiedBy
	}
	how += ")"
	t := fmt.Sprintf("split %d / %d%s", s.SplitTrain, s.SplitTest, how)
	if s.Train != s.SplitTrain || s.Test != s.SplitTest {
		t += fmt.Sprintf(", used %d / %d", s.Train, s.Test)
	}
	return t
}

// FeaturesText describes the encoded features: "19 features (6 numeric, 13
// one-hot from 3 categorical columns)", "784 features (784 in [0, 1])".
func (s *Summary) FeaturesText() string {
	var parts []string
	for _, p := range s.Encoding {
		switch p.Kind {
		case string(sdk.FeatureCategorical):
			parts = append(parts, fmt.Sprintf("%d one-hot from %d categorical columns", p.Width, p.Blocks))
		case string(sdk.FeatureUnit):
			parts = append(parts, fmt.Sprintf("%d in [0, 1]", p.Width))
		default:
			parts = append(parts, fmt.Sprintf("%d %s", p.Width, p.Kind))
		}
	}
	return fmt.Sprintf("%d features (%s)", s.Features, strings.Join(parts, ", "))
}

// AnomalyText gives the anomaly share of the rows used: "4.1% / 3.9%"
// (train / test), one share with split = none.
func (s *Summary) AnomalyText() string {
	share := func(n, of int) string {
		if of == 0 {
			return "–"
		}
		return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
	}
	if s.Split == "none" && s.Train == s.Test {
		return share(s.AnomaliesTrain, s.Train)
	}
	return share(s.AnomaliesTrain, s.Train) + " / " + share(s.AnomaliesTest, s.Test)
}

// MissingText gives the missing values: their total and the top columns,
// "missing 167 values in 15 columns (a 67, b 29, c 16, ...)", or "no
// missing values".
func (s *Summary) MissingText(top int) string {
	if len(s.Missing) == 0 {
		return "no missing values"
	}
	cols := slices.SortedFunc(maps.Keys(s.Missing), func(a, b string) int {
		return cmp.Or(cmp.Compare(s.Missing[b], s.Missing[a]), cmp.Compare(a, b))
	})
	var list []string
	for _, c := range cols[:min(top, len(cols))] {
		list = append(list, fmt.Sprintf("%s %d", c, s.Missing[c]))
	}
	if len(cols) > top {
		list = append(list, "...")
	}
	return fmt.Sprintf("missing %d values in %s (%s)", sumValues(s.Missing), plural(len(cols), "column", "columns"), strings.Join(list, ", "))
}

func sumValues(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// listFiles lists up to two files, else the first and how many more.
func listFiles(files []string) string {
	if len(files) <= 2 {
		return strings.Join(files, ", ")
	}
	return fmt.Sprintf("%s and %d more files", files[0], len(files)-1)
}

// seconds formats a load time: "12ms", "0.41s", "3.2s".
func seconds(s float64) string {
	switch {
	case s < 0.1:
		return fmt.Sprintf("%.0fms", 1000*s)
	case s < 10:
		return fmt.Sprintf("%.2fs", s)
	default:
		return fmt.Sprintf("%.0fs", s)
	}
}
