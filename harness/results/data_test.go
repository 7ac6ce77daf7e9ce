package results

import (
	"testing"
	"time"

	"github.com/latentbench/latentbench/harness/dataset"
)

// Each process records the data summaries in its cells file's header; the
// merge keeps one per data set, the latest process's, whatever the number of
// shards.
func TestMergeKeepsOneDataSummaryPerDataSet(t *testing.T) {
	dir := t.TempDir()
	g := testGrid(4, "grid")
	warn := []dataset.Warning{{Key: "test_path", File: "t.csv", Msg: "a category only in the test file"}}
	data := func(loadSeconds float64) []dataset.Summary {
		return []dataset.Summary{{Name: "blobs", Rows: 10, LoadSeconds: loadSeconds, Warnings: warn}, {Name: "other", Rows: 5}}
	}
	start := time.Now().UTC()
	for s, shard := range []string{"0/2", "1/2"} {
		w := create(t, dir, g, Header{Shard: shard, Started: start.Add(time.Duration(s) * time.Second), Data: data(float64(s))})
		appendAll(t, w, result(g, s, 0.5), result(g, s+2, 0.5))
	}
	m, err := Merge(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Data) != 2 || m.Data[0].Name != "blobs" || m.Data[1].Name != "other" {
		t.Fatalf("merged data = %+v, want blobs and other once each", m.Data)
	}
	if len(m.Data[0].Warnings) != 1 || m.Data[0].Warnings[0] != warn[0] {
		t.Errorf("blobs warnings = %q, want %q once", m.Data[0].Warnings, warn)
	}
	if m.Data[0].LoadSeconds != 1 {
		t.Errorf("blobs load time %v, want the latest process's (1)", m.Data[0].LoadSeconds)
	}
}
