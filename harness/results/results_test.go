package results

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latentbench/latentbench/harness/dataset"
	"github.com/latentbench/latentbench/harness/grid"
	"github.com/latentbench/latentbench/harness/runner"
)

// testGrid is a grid of n cells (one data set, one encoder, n seeds).
func testGrid(n int, source string) *grid.Grid {
	g := &grid.Grid{Source: []byte(source)}
	g.Experiment.Name = "e"
	ds := &dataset.Spec{Name: "blobs"}
	for i := 0; i < n; i++ {
		g.Cells = append(g.Cells, grid.Cell{Index: i, ID: fmt.Sprintf("cell%02d", i), Dataset: ds,
			Encoder: grid.Instance{Plugin: "proj", Label: "proj"}, DetectorIndex: -1, Seed: int64(i)})
	}
	return g
}

func result(g *grid.Grid, i int, v float64) *runner.Result {
	return &runner.Result{Cell: g.Cells[i].ID, Index: i, Dataset: "blobs", Encoder: "proj", EncoderLabel: "proj",
		Seed: int64(i), Status: runner.StatusOK, Metrics: map[string]float64{"v_kmeans": v}}
}

func create(t *testing.T, dir string, g *grid.Grid, h Header) *Writer {
	t.Helper()
	w, err := Create(dir, g, h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func appendAll(t *testing.T, w *Writer, rs ...*runner.Result) {
	t.Helper()
	for _, r := range rs {
		if err := w.Append(r); err != nil {
			t.Fatal(err)
		}
	}
}

// Shards written at once merge into the whole grid; the cells no shard
// finished are listed.
func TestShardsMergeAndMissingCells(t *testing.T) {
	dir := t.TempDir()
	g := testGrid(6, "grid v1")
	var wg sync.WaitGroup
	for s := 0; s < 3; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w, err := Create(dir, g, Header{Shard: fmt.Sprintf("%d/3", s), PID: 100 + s})
			if err != nil {
				t.Error(err)
				return
			}
			defer w.Close()
			for i := s; i < 6; i += 3 {
				if s == 2 && i == 5 {
					continue // shard 2 was killed before its second cell
				}
				if err := w.Append(result(g, i, float64(i))); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	m, err := Merge(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Files) != 3 || len(m.Results) != 5 || m.Total != 6 || m.Duplicates != 0 {
		t.Fatalf("merged %d files, %d results of %d, %d duplicates", len(m.Files), len(m.Results), m.Total, m.Duplicates)
	}
	for i, r := range m.Results {
		if want := []int{0, 1, 2, 3, 4}[i]; r.Index != want {
			t.Errorf("result %d has index %d, want %d (sorted by index)", i, r.Index, want)
		}
	}
	if len(m.Missing) != 1 || m.Missing[0].Cell != "cell05" || !strings.Contains(m.Missing[0].String(), "#5 cell05 (blobs, proj, seed 5)") {
		t.Errorf("missing = %v", m.Missing)
	}
	if got := m.Shards(3); len(got) != 1 || got[0] != 2 {
		t.Errorf("shards with missing cells = %v, want [2]", got)
	}
}

// A process killed while writing a line leaves a torn last line: skipped,
// counted, and every complete line before it kept.
func TestTornLastLineIsSkipped(t *testing.T) {
	dir := t.TempDir()
	g := testGrid(3, "grid")
	w := create(t, dir, g, Header{})
	appendAll(t, w, result(g, 0, 0.5), result(g, 1, 0.6))
	f, err := os.OpenFile(w.Path(), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"cell":"cell02","index":2,"metr`)
	f.Close()
	m, err := Merge(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Results) != 2 || m.Torn != 1 || len(m.Missing) != 1 {
		t.Errorf("%d results, %d torn, missing %v", len(m.Results), m.Torn, m.Missing)
	}
	// A bad line in the middle is an error naming file and line.
	header := strings.SplitAfter(string(mustRead(t, w.Path())), "\n")[0]
	if err := os.WriteFile(w.Path(), []byte(header+"not json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Merge(dir); err == nil || !strings.Contains(err.Error(), filepath.Base(w.Path())+":2:") {
		t.Errorf("corrupt line: %v", err)
	}
}

func mustRead(t *testing.T, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Two processes running at the same time that disagree on a cell are
// refused; a run that starts after another ended replaces its results;
// identical duplicates count once.
func TestDuplicates(t *testing.T) {
	g := testGrid(2, "grid")
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	setLast := func(w *Writer, at time.Time) {
		if err := os.Chtimes(w.Path(), at, at); err != nil {
			t.Fatal(err)
		}
	}

	// Identical runs at the same time.
	dir := t.TempDir()
	a := create(t, dir, g, Header{PID: 1, Started: t0})
	b := create(t, dir, g, Header{PID: 2, Started: t0.Add(time.Second)})
	appendAll(t, a, result(g, 0, 0.5), result(g, 1, 0.7))
	appendAll(t, b, result(g, 1, 0.7), result(g, 0, 0.5))
	setLast(a, t0.Add(time.Minute))
	setLast(b, t0.Add(time.Minute))
	m, err := Merge(dir)
	if err != nil || len(m.Results) != 2 || m.Duplicates != 2 || len(m.Missing) != 0 {
		t.Fatalf("identical runs: %v, %+v", err, m)
	}

	// Overlapping runs that disagree.
	dir = t.TempDir()
	a = create(t, dir, g, Header{PID: 1, Started: t0})
	b = create(t, dir, g, Header{PID: 2, Started: t0.Add(time.Second)})
	appendAll(t, a, result(g, 0, 0.5))
	appendAll(t, b, result(g, 0, 0.9))
	setLast(a, t0.Add(time.Minute))
	setLast(b, t0.Add(time.Minute))
	if _, err := Merge(dir); err == nil || !strings.Contains(err.Error(), "conflicting") || !strings.Contains(err.Error(), "cell00") {
		t.Errorf("conflict not refused: %v", err)
	}

	// A later run (a plugin rebuilt in between) replaces the earlier one.
	dir = t.TempDir()
	a = create(t, dir, g, Header{PID: 1, Started: t0})
	b = create(t, dir, g, Header{PID: 2, Started: t0.Add(time.Hour)})
	appendAll(t, a, result(g, 0, 0.5), result(g, 1, 0.7))
	appendAll(t, b, result(g, 0, 0.9))
	setLast(a, t0.Add(time.Minute))
	setLast(b, t0.Add(2*time.Hour))
	m, err = Merge(dir)
	if err != nil || len(m.Results) != 2 || m.Results[0].Metrics["v_kmeans"] != 0.9 || m.Results[1].Metrics["v_kmeans"] != 0.7 {
		t.Errorf("later run: %v, %+v", err, m)
	}
}

// A run of a changed config sets the old config's cells files aside;
// files of two configs side by side are refused with their names.
func TestConfigs(t *testing.T) {
	dir := t.TempDir()
	g1, g2 := testGrid(2, "grid v1"), testGrid(3, "grid v2")
	appendAll(t, create(t, dir, g1, Header{PID: 1}), result(g1, 0, 0.5))
	w2 := create(t, dir, g2, Header{PID: 2})
	appendAll(t, w2, result(g2, 0, 0.5))
	m, err := Merge(dir)
	if err != nil || len(m.Files) != 1 || m.Total != 3 {
		t.Fatalf("after a config change: %v %+v", err, m)
	}
	old, _ := filepath.Glob(filepath.Join(dir, CellsDir, "old-*", "*.jsonl"))
	if len(old) != 1 {
		t.Errorf("old config's file not set aside: %v", old)
	}
	// Copied back by hand: refused.
	if err := os.Rename(old[0], filepath.Join(dir, CellsDir, filepath.Base(old[0]))); err != nil {
		t.Fatal(err)
	}
	if _, err := Merge(dir); err == nil || !strings.Contains(err.Error(), "different configs") {
		t.Errorf("mixed configs: %v", err)
	}
}

// Files whose every cell a later run replaced are removed once their
// process has ended on this host; a live process's file stays.
func TestRemoveSuperseded(t *testing.T) {
	dir := t.TempDir()
	g := testGrid(2, "grid")
	host, _ := os.Hostname()
	dead := 1<<22 + 7 // beyond the largest pid_max: no such process
	t0 := time.Now().Add(-time.Hour)
	old := create(t, dir, g, Header{PID: dead, Host: host, Started: t0})
	appendAll(t, old, result(g, 0, 0.5), result(g, 1, 0.7))
	os.Chtimes(old.Path(), t0.Add(time.Minute), t0.Add(time.Minute))
	live := create(t, dir, g, Header{PID: os.Getpid(), Host: host, Started: t0.Add(-2 * time.Hour)})
	os.Chtimes(live.Path(), t0.Add(-2*time.Hour), t0.Add(-2*time.Hour))
	appendAll(t, live, result(g, 0, 0.5))
	os.Chtimes(live.Path(), t0.Add(-90*time.Minute), t0.Add(-90*time.Minute))
	other := create(t, dir, g, Header{PID: dead, Host: "elsewhere", Started: t0.Add(-3 * time.Hour)})
	appendAll(t, other, result(g, 1, 0.7))
	os.Chtimes(other.Path(), t0.Add(-170*time.Minute), t0.Add(-170*time.Minute))
	newer := create(t, dir, g, Header{PID: dead, Host: host, Started: t0.Add(2 * time.Minute)})
	appendAll(t, newer, result(g, 0, 0.5), result(g, 1, 0.7))

	m, err := Merge(dir)
	if err != nil {
		t.Fatal(err)
	}
	removed := m.RemoveSuperseded()
	if len(removed) != 1 || removed[0] != old.Path() {
		t.Errorf("removed %v, want only the ended local process's superseded file %s", removed, old.Path())
	}
	for _, w := range []*Writer{live, other, newer} {
		if _, err := os.Stat(w.Path()); err != nil {
			t.Errorf("%s removed: %v", w.Path(), err)
		}
	}
	if m2, err := Merge(dir); err != nil || len(m2.Results) != 2 {
		t.Errorf("after removal: %v", err)
	}
}
