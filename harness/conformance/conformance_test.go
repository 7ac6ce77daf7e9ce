package conformance_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latentbench/latentbench/harness/conformance"
	"github.com/latentbench/latentbench/internal/plugintest"
	"github.com/latentbench/latentbench/sdk"
)

func TestParsePath(t *testing.T) {
	for path, want := range map[string]string{
		"/x/latentbench-encoder-venc":        "encoder venc",
		"latentbench-detector-cluster-trees": "detector cluster-trees",
	} {
		kind, name, err := conformance.ParsePath(path)
		if err != nil || string(kind)+" "+name != want {
			t.Errorf("ParsePath(%q) = %s %s, %v; want %s", path, kind, name, err, want)
		}
	}
	if _, _, err := conformance.ParsePath("/x/mydetector"); err == nil || !strings.Contains(err.Error(), "latentbench-detector-NAME") {
		t.Errorf("ParsePath of a bad name: %v", err)
	}
}

// TestRun checks the kit's verdicts through its API on a behaving test
// plugin and on one with inverted scores (cmd/latentbench's tests run every
// plugin and every broken mode through the CLI).
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts plugins")
	}
	dir := t.TempDir()
	plugintest.Build(t, dir, map[string]string{
		"latentbench-detector-fault-ok": plugintest.Module + "/internal/testplugins/fault",
		"latentbench-encoder-other":     plugintest.Module + "/internal/testplugins/sink",
	})
	plugintest.Link(t, dir, "latentbench-detector-fault-ok", "latentbench-detector-fault-inverted")

	var seen []string
	rep := conformance.Run(context.Background(), filepath.Join(dir, "latentbench-detector-fault-ok"),
		conformance.Options{OnResult: func(r conformance.Result) { seen = append(seen, r.Check) }})
	if rep.Failed() || rep.Kind != sdk.KindDetector || rep.Name != "fault-ok" {
		t.Fatalf("fault-ok: %+v", rep)
	}
	if want := conformance.Checks(sdk.KindDetector); strings.Join(seen, " ") != strings.Join(want, " ") {
		t.Errorf("checks %v, want %v", seen, want)
	}
	if r, _ := rep.Result(conformance.CheckOrientation); r.Status != conformance.Pass {
		t.Errorf("orientation: %v", r)
	}

	rep = conformance.Run(context.Background(), filepath.Join(dir, "latentbench-detector-fault-inverted"), conformance.Options{})
	if r, _ := rep.Result(conformance.CheckOrientation); r.Status != conformance.Fail || r.Reason != conformance.InvertedScores {
		t.Errorf("inverted scores: %v", r)
	}

	// A file whose name is not the name the plugin gives itself.
	rep = conformance.Run(context.Background(), filepath.Join(dir, "latentbench-encoder-other"), conformance.Options{})
	if r, _ := rep.Result(conformance.CheckDescribe); r.Status != conformance.Fail || !strings.Contains(r.Reason, `it calls itself "sink", its file name says "other"`) {
		t.Errorf("renamed plugin: %v", r)
	}
}
