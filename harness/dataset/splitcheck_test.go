package dataset

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func loadOK(t *testing.T, s Spec, dir string) *Loaded {
	t.Helper()
	if errs := s.Validate(dir); len(errs) > 0 {
		t.Fatalf("Validate: %v", errs)
	}
	l, err := Load(context.Background(), s, dir)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// A category of a categorical column present only in the test file is one
// warning on test_path naming the column, the row count and the category; a
// category only in the train file is a note, not a warning.
func TestCategoryOnlyInOneSplit(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "train.csv", []byte("x,color,y\n1,red,ok\n2,blue,bad\n3,red,ok\n4,green,ok\n"))
	writeFile(t, dir, "test.csv", []byte("x,color,y\n5,red,ok\n6,purple,bad\n7,purple,ok\n8,blue,ok\n"))
	l := loadOK(t, Spec{Name: "c", Format: FormatCSV, Path: "train.csv", TestPath: "test.csv",
		AnomalyColumn: "y", NormalValues: []string{"ok"}}, dir)
	w := l.Report.Warnings
	if len(w) != 1 || w[0].Key != "test_path" || w[0].File != dir+"/test.csv" ||
		!strings.Contains(w[0].Msg, `column color: 1 category "purple" in the test file that the train split lacks (2 rows): encoded as all zeros`) {
		t.Errorf("warnings = %q, want one on test_path naming color, 2 rows and \"purple\"", w)
	}
	if l.Report.UnseenByColumn["color"] != 2 {
		t.Errorf("UnseenByColumn = %v, want color: 2", l.Report.UnseenByColumn)
	}
	n := l.Report.Notes
	if len(n) != 1 || n[0].Key != "path" || !strings.Contains(n[0].Msg, `column color: 1 category "green" only in the train split (1 row)`) {
		t.Errorf("notes = %q, want one naming color and \"green\"", n)
	}

	// Split "none": one pool, nothing to compare.
	l = loadOK(t, Spec{Name: "c", Format: FormatCSV, Path: "test.csv", Split: SplitNone,
		AnomalyColumn: "y", NormalValues: []string{"ok"}}, dir)
	if len(l.Report.Warnings)+len(l.Report.Notes) != 0 {
		t.Errorf("split none: warnings %q, notes %q, want none", l.Report.Warnings, l.Report.Notes)
	}
}

// A label class with a single row falls in one side of a seeded split: one
// warning on label, naming the split that has it.
func TestClassOnlyInOneSeededSplit(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("x,class\n")
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&b, "%d,%s\n", i, []string{"a", "b"}[i%2])
	}
	b.WriteString("99,rare\n")
	writeFile(t, dir, "d.csv", []byte(b.String()))
	for _, stratify := range []bool{true, false} {
		for seed := int64(0); seed < 3; seed++ {
			l := loadOK(t, Spec{Name: "s", Format: FormatCSV, Path: "d.csv", Label: "class", Seed: seed,
				Stratify: boolp(stratify)}, dir)
			rare := int32(slices.Index(l.Train.Classes, "rare"))
			side := "the test split"
			if slices.Contains(l.Train.Labels, rare) {
				side = "the train split"
			}
			w := l.Report.Warnings
			want := `classes of class only in ` + side + `: "rare"`
			if len(w) != 1 || w[0].Key != "label" || w[0].File != dir+"/d.csv" || w[0].Msg != want {
				t.Errorf("stratify %v, seed %d: warnings %q, want one on label: %q", stratify, seed, w, want)
			}
		}
	}
}

// npz: a seeded split whose test side gets no anomaly (one anomalous row in
// all) is one warning; with split "none", a data set without anomalies is.
func TestNPZSplitWarnings(t *testing.T) {
	dir := t.TempDir()
	x := make([]float64, 10)
	y := make([]int64, 10)
	for i := range x {
		x[i] = float64(i)
	}
	y[3] = 1
	writeNPZ(t, dir, "one.npz", map[string][]byte{
		"X.npy": npyBytes("<f8", false, "(10, 1)", f8Bytes(x...)),
		"y.npy": npyBytes("<i8", false, "(10,)", i8Bytes(y...)),
	})
	l := loadOK(t, Spec{Name: "n", Format: FormatNPZ, Path: "one.npz"}, dir)
	side := "test" // the side without the anomalous row
	if slices.Contains(l.Test.Anomaly, true) {
		side = "train"
	}
	w := l.Report.Warnings
	want := "the " + side + " split has no anomalies (y = 1)"
	if len(w) != 1 || w[0].Key != "path" || w[0].File != dir+"/one.npz" || !strings.HasPrefix(w[0].Msg, want) {
		t.Errorf("warnings %q, want one on path: %q", w, want)
	}

	y[3] = 0
	writeNPZ(t, dir, "none.npz", map[string][]byte{
		"X.npy": npyBytes("<f8", false, "(10, 1)", f8Bytes(x...)),
		"y.npy": npyBytes("<i8", false, "(10,)", i8Bytes(y...)),
	})
	l = loadOK(t, Spec{Name: "n", Format: FormatNPZ, Path: "none.npz", Split: SplitNone}, dir)
	if w := l.Report.Warnings; len(w) != 1 || w[0].Msg != "the data set has no anomalies (y = 1) among its 10 rows" {
		t.Errorf("split none: warnings %q, want one: the data set has no anomalies", w)
	}
}
