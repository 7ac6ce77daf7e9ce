package dataset

import (
	"encoding/json"
	"strings"
	"testing"
)

// The summary of a small CSV pair: rows read and dropped (and why), split
// sizes, features by kind, classes, anomaly shares, missing values (top
// columns first), with the file names relative to the grid's directory; its
// two terminal lines; and its JSON form round-trips.
func TestSummary(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "train.csv", []byte("x,color,w,kind,y\n1,red,?,a,ok\n2,blue,?,b,bad\n3,red,1,a,ok\n4,?,2,b,?\n5,red,3,a,ok\n"))
	writeFile(t, dir, "test.csv", []byte("x,color,w,kind,y\n6,red,1,a,ok\n7,purple,2,b,bad\n8,blue,?,a,ok\n"))
	l := loadOK(t, Spec{Name: "small", Format: FormatCSV, Path: "train.csv", TestPath: "test.csv", Label: "kind",
		AnomalyColumn: "y", NormalValues: []string{"ok"}}, dir)
	s := l.Summary(dir)
	lines := s.Lines()
	want := [2]string{
		`data "small" (csv: train.csv, test.csv; loaded in `,
		`  4 features (2 numeric, 2 one-hot from 1 categorical columns); 2 classes; anomalies 25.0% / 33.3%; ` +
			`missing 5 values in 3 columns (w 3, color 1, y 1); 1 test row with a category the train split lacks`,
	}
	if !strings.HasPrefix(lines[0], want[0]) ||
		!strings.HasSuffix(lines[0], "): 8 rows read, 1 dropped (missing y: 1); split 4 / 3 (files)") {
		t.Errorf("line 1 = %q, want %q...): 8 rows read, 1 dropped (missing y: 1); split 4 / 3 (files)", lines[0], want[0])
	}
	if lines[1] != want[1] {
		t.Errorf("line 2 = %q\nwant     %q", lines[1], want[1])
	}
	if len(s.Warnings) != 1 || s.Warnings[0].File != "test.csv" || s.Warnings[0].Key != "test_path" {
		t.Errorf("warnings = %q, want one on test_path naming test.csv", s.Warnings)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back Summary
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Lines()[1] != lines[1] || back.Warnings[0] != s.Warnings[0] {
		t.Errorf("JSON round trip changed the summary:\n%s", b)
	}

	// A seeded split, subsampled, and split "none".
	l = loadOK(t, Spec{Name: "seeded", Format: FormatCSV, Path: "train.csv", AnomalyColumn: "y",
		NormalValues: []string{"ok"}, TestFraction: 0.5, Train: 1, Drop: []string{"kind"}}, dir)
	s = l.Summary(dir)
	if got := s.SplitText(); got != "split 2 / 2 (seeded, stratified by anomaly), used 1 / 2" {
		t.Errorf("seeded: %q", got)
	}
	if !strings.Contains(s.Lines()[0], "columns dropped: kind (drop);") {
		t.Errorf("seeded: line 1 = %q, want the dropped column named", s.Lines()[0])
	}
	writeFile(t, dir, "const.csv", []byte("x,c,y\n1,7,a\n2,7,b\n3,7,a\n"))
	l = loadOK(t, Spec{Name: "all", Format: FormatCSV, Path: "const.csv", Split: SplitNone, DropConstant: true}, dir)
	s = l.Summary(dir)
	if got := s.SplitText(); got != "every row in both splits (split = none): 3" {
		t.Errorf("split none: %q", got)
	}
	if !strings.Contains(s.Lines()[0], "columns dropped: c (constant 7);") {
		t.Errorf("drop_constant: line 1 = %q, want the constant column named", s.Lines()[0])
	}
}

func TestRelativeTo(t *testing.T) {
	for _, tc := range []struct{ base, path, want string }{
		{"configs", "configs/../data/x.csv", "../data/x.csv"},
		{"/a/b/c", "/a/b/c/d/x.csv", "d/x.csv"},
		{"/a/b/c/d/e", "/x.csv", "/x.csv"},
		{"/a/b", "", ""},
	} {
		if got := relativeTo(tc.base, tc.path); got != tc.want {
			t.Errorf("relativeTo(%q, %q) = %q, want %q", tc.base, tc.path, got, tc.want)
		}
	}
}
