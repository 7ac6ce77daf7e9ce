package dataset

import (
	"context"
	"strings"
	"testing"
)

// TestSkipLinesAndSplitWarnings: skip_lines skips the title line of both
// files; a test file without anomalies is one warning on anomaly_column; a
// train file without normal rows one on normal_values (no value matches it);
// a clean pair gives none.
func TestSkipLinesAndSplitWarnings(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "train.csv", []byte("title\nx,y\n1,ok\n2,bad\n3,ok\n"))
	writeFile(t, dir, "test.csv", []byte("title\nx,y\n4,ok\n5,ok\n"))
	writeFile(t, dir, "allbad.csv", []byte("title\nx,y\n1,bad\n2,bad\n"))
	writeFile(t, dir, "mixed.csv", []byte("title\nx,y\n6,ok\n7,bad\n"))
	for _, tc := range []struct {
		train, test string
		want        []string
	}{
		{"train.csv", "test.csv", []string{"anomaly_column: " + dir + "/test.csv: the test split has no anomalies"}},
		{"allbad.csv", "mixed.csv", []string{"normal_values: " + dir + `/allbad.csv: no value of y matches "ok" (values: "bad")`}},
		{"train.csv", "mixed.csv", nil},
	} {
		s := Spec{Name: "w", Format: FormatCSV, Path: tc.train, TestPath: tc.test, SkipLines: 1,
			AnomalyColumn: "y", NormalValues: []string{"ok"}}
		if errs := s.Validate(dir); len(errs) > 0 {
			t.Fatalf("Validate: %v", errs)
		}
		l, err := Load(context.Background(), s, dir)
		if err != nil {
			t.Fatalf("%s, %s: %v", tc.train, tc.test, err)
		}
		var got []string
		for _, w := range l.Report.Warnings {
			got = append(got, w.String())
		}
		if len(got) != len(tc.want) {
			t.Fatalf("%s, %s: warnings %q, want %q", tc.train, tc.test, got, tc.want)
		}
		for i := range got {
			if !strings.HasPrefix(got[i], tc.want[i]) {
				t.Errorf("warning %q, want %q", got[i], tc.want[i])
			}
		}
		if l.Report.SplitTrain+l.Report.SplitTest != l.Report.Rows || l.Report.Rows > 5 {
			t.Errorf("rows %d (train %d, test %d): the title lines were read", l.Report.Rows, l.Report.SplitTrain, l.Report.SplitTest)
		}
	}
}
