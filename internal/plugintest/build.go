// Package plugintest builds plugin executables for tests.
package plugintest

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// Module is the import path prefix of this repository.
const Module = "github.com/latentbench/latentbench"

// Build puts an executable of each package (import path) at dir/name, built
// in parallel, and fails the test on a build error. Names map executable
// names to packages. Each package is compiled once per test process and
// dir/name is a fresh copy of that build (its own file, so a test may modify
// or replace it). Build needs the package's TestMain to run the tests
// through [Main]: a test binary that builds plugins without it could run
// the CLI with the user's own cache directory, where its descriptions would
// land (and, since builds of one checkout are byte-identical, trip another
// package's check of that directory).
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
			if err := shared.place(sem, pkg, filepath.Join(dir, name)); err != nil {
				mu.Lock()
				failures = append(failures, name+": "+err.Error())
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, f := range failures {
		tb.Fatalf("build plugin %s", f)
	}
}

// Main runs a package's tests (m.Run) with the build cache that [Build] uses:
// one temporary directory holding one build of each package, removed when
// the tests end. It also gives the tests a temporary user cache directory
// ($XDG_CACHE_HOME, where the CLI keeps plugin descriptions; the Go build
// cache stays where it was), and fails the run if a description of one of its
// builds appeared in the user's own cache nonetheless. Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(plugintest.Main(m)) }
func Main(m *testing.M) int {
	dir, err := os.MkdirTemp("", "latentbench-plugintest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "plugintest:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	uc, err := isolateUserCache(filepath.Join(dir, "user-cache"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "plugintest:", err)
		return 1
	}
	shared.start(dir)
	defer shared.start("")
	code := m.Run()
	if err := uc.check(shared.built()); err != nil {
		fmt.Fprintln(os.Stderr, "plugintest:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// errNoMain is Build's error outside [Main].
var errNoMain = errors.New("plugintest.Build runs only under plugintest.Main: add `func TestMain(m *testing.M) { os.Exit(plugintest.Main(m)) }` to the package's tests")

// shared is the test process's build cache; it is off (Build fails) until
// Main starts it.
var shared buildCache

// buildCache holds one build per (package, build environment) in dir.
type buildCache struct {
	mu     sync.Mutex
	dir    string
	builds map[string]*cachedBuild
}

// cachedBuild is one package's build, made at most once.
type cachedBuild struct {
	once sync.Once
	path string
	err  error
}

func (c *buildCache) start(dir string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dir, c.builds = dir, map[string]*cachedBuild{}
}

// built lists the executables built so far.
func (c *buildCache) built() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, b := range c.builds {
		if _, err := os.Stat(b.path); err == nil {
			out = append(out, b.path)
		}
	}
	return out
}

// place puts an executable of pkg at dst: a copy of the cached build. sem
// bounds concurrent builds.
func (c *buildCache) place(sem chan struct{}, pkg, dst string) error {
	c.mu.Lock()
	if c.dir == "" {
		c.mu.Unlock()
		return errNoMain
	}
	// The environment variables that change what `go build` makes.
	key := strings.Join([]string{pkg, os.Getenv("GOFLAGS"), os.Getenv("GOOS"), os.Getenv("GOARCH"),
		os.Getenv("CGO_ENABLED"), os.Getenv("GOEXPERIMENT")}, "\x00")
	b := c.builds[key]
	if b == nil {
		b = &cachedBuild{path: filepath.Join(c.dir, fmt.Sprintf("exe%d", len(c.builds)))}
		c.builds[key] = b
	}
	c.mu.Unlock()
	b.once.Do(func() { b.err = goBuild(sem, pkg, b.path) })
	if b.err != nil {
		return b.err
	}
	return copyExecutable(b.path, dst)
}

// goBuild runs `go build -o dst pkg`.
func goBuild(sem chan struct{}, pkg, dst string) error {
	sem <- struct{}{}
	defer func() { <-sem }()
	cmd := exec.Command("go", "build", "-o", dst, pkg)
	cmd.Env = os.Environ()
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, out)
	}
	return nil
}

// copyExecutable writes a new executable file dst with src's bytes,
// replacing any file at dst as `go build -o` would.
func copyExecutable(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.Remove(dst); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s to %s: %w", src, dst, err)
	}
	return out.Close()
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
