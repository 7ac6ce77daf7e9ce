package plugintest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// TestBuildShared builds one package for two directories: one go build, two
// independent files with the same bytes.
func TestBuildShared(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go build")
	}
	a, b := t.TempDir(), t.TempDir()
	names := map[string]string{"sink": Module + "/internal/testplugins/sink"}
	Build(t, a, names)
	Build(t, b, names)
	if n := len(shared.builds); n != 1 {
		t.Fatalf("%d cached builds, want 1", n)
	}
	pa, pb := filepath.Join(a, "sink"), filepath.Join(b, "sink")
	ba, err := os.ReadFile(pa)
	if err != nil {
		t.Fatal(err)
	}
	bb, err := os.ReadFile(pb)
	if err != nil {
		t.Fatal(err)
	}
	if len(ba) == 0 || !bytes.Equal(ba, bb) {
		t.Fatalf("copies differ: %d and %d bytes", len(ba), len(bb))
	}
	if st, err := os.Stat(pb); err != nil || st.Mode().Perm()&0o100 == 0 {
		t.Fatalf("copy not executable: %v %v", st.Mode(), err)
	}
	// A test that rewrites its executable leaves the others alone.
	if err := os.WriteFile(pa, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if again, err := os.ReadFile(pb); err != nil || !bytes.Equal(again, bb) {
		t.Fatalf("rewriting one copy changed another: %v", err)
	}
	Build(t, a, names) // replaces the rewritten file with the build
	if again, err := os.ReadFile(pa); err != nil || !bytes.Equal(again, bb) {
		t.Fatalf("Build did not replace the rewritten file: %v", err)
	}
}

// TestBuildNeedsMain: outside Main, Build refuses with the fix named rather
// than building into a process whose CLI runs could use the user's cache.
func TestBuildNeedsMain(t *testing.T) {
	var c buildCache
	err := c.place(make(chan struct{}, 1), Module+"/cmd/latentbench", filepath.Join(t.TempDir(), "x"))
	if err != errNoMain {
		t.Fatalf("place outside Main: %v, want errNoMain", err)
	}
}
