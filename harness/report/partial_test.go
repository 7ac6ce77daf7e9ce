package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The report of an interrupted run says that its results are partial, and
// the notes cells carry (metrics left out, figures not drawn) appear.
func TestPartialRunAndCellNotes(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "run.json"), []byte(`{"experiment":"x","cells":2,"interrupted":true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	res := results()
	res[0].Notes = []string{"metric em is NaN: not stored"}
	if err := Document(dir, res, false); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"**Partial results:** the run was interrupted", "metric em is NaN: not stored"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("report lacks %q:\n%s", want, b)
		}
	}
}
