// Package plugintest builds plugin executables for tests.
package plugintest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// Module is the import path prefix of this repository.
const Module = "github.com/latentbench/latentbench"

// Build compiles each package (import path) to dir/name, in parallel, and
// fails the test on a build error. Names map executable names to packages.
func Build(tb testing.TB, dir string, names map[string]string) {
	tb.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for name, pkg := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			cmd := exec.Command("go", "build", "-o", filepath.Join(dir, name), pkg)
			cmd.Env = os.Environ()
			if out, err := cmd.CombinedOutput(); err != nil {
				mu.Lock()
				failures = append(failures, name+": "+err.Error()+"\n"+string(out))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, f := range failures {
		tb.Fatalf("build plugin %s", f)
	}
}

// Link makes dir/name an alias (hard link, or copy) of dir/target, so one
// build serves several plugin names.
func Link(tb testing.TB, dir, target, name string) {
	tb.Helper()
	src, dst := filepath.Join(dir, target), filepath.Join(dir, name)
	if err := os.Link(src, dst); err == nil {
		return
	}
	b, err := os.ReadFile(src)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o755); err != nil {
		tb.Fatal(err)
	}
}

// All returns the executables `make build` makes, by name: the CLI and every
// plugin under root/plugins/{encoders,detectors}/NAME/cmd.
func All(tb testing.TB, root string) map[string]string {
	tb.Helper()
	out := map[string]string{"latentbench": Module + "/cmd/latentbench"}
	for _, kind := range []string{"encoder", "detector"} {
		dirs, err := filepath.Glob(filepath.Join(root, "plugins", kind+"s", "*", "cmd"))
		if err != nil {
			tb.Fatal(err)
		}
		for _, d := range dirs {
			name := filepath.Base(filepath.Dir(d))
			out["latentbench-"+kind+"-"+name] = Module + "/plugins/" + kind + "s/" + name + "/cmd"
		}
	}
	return out
}
