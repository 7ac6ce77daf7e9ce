package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/latentbench/latentbench/harness/conformance"
	"github.com/latentbench/latentbench/internal/plugintest"
)

// brokenPlugins maps each deliberately broken mode of the fault test plugin
// to the failed check and the start of the reason `plugin test` must give.
var brokenPlugins = map[string]conformance.Result{
	"fault-wrongcount":       {Check: conformance.CheckFitScore, Reason: "score: malformed plugin output: 299 scores for 300 points"},
	"fault-nan":              {Check: conformance.CheckFitScore, Reason: "score: malformed plugin output: non-finite value NaN at row 0, column 0"},
	"fault-inverted":         {Check: conformance.CheckOrientation, Reason: conformance.InvertedScores},
	"fault-nondeterministic": {Check: conformance.CheckDeterminism, Reason: "the same seed gave different model bytes"},
	"fault-ignorecancel":     {Check: conformance.CheckCancellation, Reason: "still computing 3s after its Score call was cancelled: it ignores its context"},
	"fault-exit":             {Check: conformance.CheckFitScore, Reason: "the plugin process died during score"},
}

// TestPluginTestInRepo runs `latentbench plugin test` on every plugin of the
// repository (it must pass) and on every broken test plugin (it must fail,
// with the expected line and no other failure).
func TestPluginTestInRepo(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every plugin through the conformance kit")
	}
	bin := t.TempDir()
	exes := plugintest.All(t, "../..")
	exes["latentbench-detector-fault-ok"] = plugintest.Module + "/internal/testplugins/fault"
	plugintest.Build(t, bin, exes)
	for name := range brokenPlugins {
		plugintest.Link(t, bin, "latentbench-detector-fault-ok", "latentbench-detector-"+name)
	}
	var good []string
	for exe := range exes {
		if exe != "latentbench" {
			good = append(good, exe)
		}
	}
	sort.Strings(good)
	for _, exe := range good {
		t.Run(exe, func(t *testing.T) {
			out, code := pluginTest(t, bin, exe)
			if code != 0 || strings.Contains(out, "\nFAIL ") {
				t.Fatalf("plugin test %s: exit status %d\n%s", exe, code, out)
			}
			t.Logf("\n%s", out)
		})
	}
	for name, res := range brokenPlugins {
		t.Run(name, func(t *testing.T) {
			res.Status = conformance.Fail
			want := res.String()
			out, code := pluginTest(t, bin, "latentbench-detector-"+name)
			if code != 1 {
				t.Errorf("exit status %d, want 1", code)
			}
			if !strings.Contains(out, "\n"+want) {
				t.Errorf("no line starting %q in\n%s", want, out)
			}
			if n := strings.Count(out, "\nFAIL "); n != 1 {
				t.Errorf("%d failed checks, want exactly 1:\n%s", n, out)
			}
		})
	}
}

// pluginTest runs the CLI's plugin test on bin/exe and returns its output and
// exit status.
func pluginTest(t *testing.T, bin, exe string) (string, int) {
	t.Helper()
	cmd := exec.Command(filepath.Join(bin, "latentbench"), "plugin", "test", filepath.Join(bin, exe))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	// One line per check, then the summary.
	if !regexp.MustCompile(`(?m)^plugin \S+ \((encoder|detector)\): \d+ checks passed, \d+ failed, \d+ skipped in `).MatchString(out.String()) {
		t.Errorf("no summary line in\n%s", out.String())
	}
	return out.String(), code
}
