package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Negative -j and -timeout are refused, not silently read as "the default".
func TestRunFlagsRefuseNegatives(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"g.toml", "-j", "-5"}, "-j -5: the number of cells run at once must be positive"},
		{[]string{"g.toml", "-timeout", "-1s"}, "-timeout -1s: a timeout must be positive"},
	} {
		var stderr bytes.Buffer
		if _, ok := parseRunFlags(tc.args, &stderr); ok || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: accepted = %v, stderr %q, want %q", tc.args, ok, stderr.String(), tc.want)
		}
	}
}

// A results directory that cannot be written is found before any cell runs.
func TestUnwritableResultsFoundFirst(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	bin := binDir(t)
	dir := workspace(t, 1)
	must(t, os.WriteFile(filepath.Join(dir, "notadir"), nil, 0o644))
	out, err := cli(bin, dir, "run", "grid.toml", "-results", "notadir").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "notadir") || strings.Contains(string(out), "[1/") {
		t.Errorf("want an error naming notadir before any cell ran, got %v:\n%s", err, out)
	}
}
