package main

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/latentbench/latentbench/internal/plugintest"
)

// kill -9 of the harness mid-run (no deferred cleanup runs): no plugin
// process remains 5 s later, and the rerun's tables equal an uninterrupted
// run's.
func TestKill9LeavesNoPlugins(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	t.Parallel() // livePlugins looks only at this test's own bin directory
	bin := binDir(t)
	plugintest.Build(t, bin, map[string]string{"latentbench-detector-fault-slow": plugintest.Module + "/internal/testplugins/fault"})
	const seeds = 3
	slowGrid := func(dir string) {
		b, err := os.ReadFile(filepath.Join(dir, "grid.toml"))
		must(t, err)
		g := strings.Replace(string(b), "[clustering]", "[[detector]]\nplugin = \"fault-slow\"\n\n[clustering]", 1)
		must(t, os.WriteFile(filepath.Join(dir, "grid.toml"), []byte(g), 0o644))
	}

	ref := workspace(t, seeds)
	slowGrid(ref)
	if out, err := cli(bin, ref, "run", "grid.toml", "-j", "2").CombinedOutput(); err != nil {
		t.Fatalf("reference run: %v\n%s", err, out)
	}
	want, err := os.ReadFile(filepath.Join(ref, "results", "e2e", "tables.md"))
	must(t, err)

	dir := workspace(t, seeds)
	slowGrid(dir)
	cmd := cli(bin, dir, "run", "grid.toml", "-j", "2")
	stderr, err := cmd.StderrPipe()
	must(t, err)
	must(t, cmd.Start())
	sc := bufio.NewScanner(stderr)
	var log strings.Builder
	killed := false
	for sc.Scan() {
		log.WriteString(sc.Text() + "\n")
		// Once a cell has finished, kill the harness while the slow
		// detector is scoring.
		if !killed && strings.HasPrefix(sc.Text(), "[1/") {
			for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				if strings.Contains(strings.Join(livePlugins(bin), " "), "fault-slow") {
					break
				}
			}
			must(t, cmd.Process.Signal(syscall.SIGKILL))
			killed = true
		}
	}
	cmd.Wait()
	if !killed {
		t.Fatalf("no cell finished:\n%s", log.String())
	}
	time.Sleep(5 * time.Second)
	if live := livePlugins(bin); len(live) > 0 {
		t.Fatalf("plugin processes left 5 s after kill -9 of the harness: %v", live)
	}

	out, err := cli(bin, dir, "run", "grid.toml", "-j", "2").CombinedOutput()
	if err != nil {
		t.Fatalf("rerun: %v\n%s", err, out)
	}
	got, err := os.ReadFile(filepath.Join(dir, "results", "e2e", "tables.md"))
	must(t, err)
	if !bytes.Equal(got, want) {
		t.Errorf("tables after kill -9 and rerun differ from an uninterrupted run:\n--- rerun\n%s\n--- uninterrupted\n%s", got, want)
	}
}
