package host

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/latentbench/latentbench/sdk"
)

// Plugin is an installed plugin executable and what it said of itself.
type Plugin struct {
	Path string
	Desc *sdk.Description
	// Digest is the hex SHA-256 of the plugin's code (see codeDigest): the
	// executable, and the source files an interpreted plugin declares. Cache
	// keys include it, so rebuilding a plugin from changed code, or editing a
	// Python plugin's package, invalidates its cached results even when its
	// declared version stayed the same.
	Digest string
}

// Registry holds the installed plugins, found by file name: an executable
// called latentbench-encoder-NAME or latentbench-detector-NAME in one of the
// plugin directories is a plugin, as terraform-provider-NAME is for Terraform.
type Registry struct {
	plugins map[sdk.Kind]map[string]*Plugin
	// Broken lists plugins whose Describe failed, with the reason.
	Broken map[string]error
}

// Filename returns the executable name of a plugin.
func Filename(kind sdk.Kind, name string) string { return "latentbench-" + string(kind) + "-" + name }

// PluginDirs returns the directories searched for plugins: those of
// LATENTBENCH_PLUGIN_PATH (a list like PATH), then extra ones, then the
// directory of the running executable (bin/ for the CLI built by make).
func PluginDirs(extra ...string) []string {
	var dirs []string
	if env := os.Getenv("LATENTBENCH_PLUGIN_PATH"); env != "" {
		dirs = append(dirs, filepath.SplitList(env)...)
	}
	dirs = append(dirs, extra...)
	if exe, err := os.Executable(); err == nil {
		dirs = append(dirs, filepath.Dir(exe))
	}
	return dirs
}

// Discover finds the plugins in dirs (earlier directories win on a name
// clash) and asks each to describe itself, in parallel.
func Discover(ctx context.Context, h *Host, dirs []string) (*Registry, error) {
	type found struct {
		kind sdk.Kind
		name string
		path string
	}
	var files []found
	seen := map[string]bool{}
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			for _, kind := range []sdk.Kind{sdk.KindEncoder, sdk.KindDetector} {
				prefix := Filename(kind, "")
				name, ok := strings.CutPrefix(e.Name(), prefix)
				if !ok || name == "" || seen[e.Name()] || strings.HasSuffix(name, "~") {
					continue
				}
				if info, err := e.Info(); err != nil || info.IsDir() || info.Mode()&0o111 == 0 {
					continue
				}
				seen[e.Name()] = true
				files = append(files, found{kind, name, filepath.Join(dir, e.Name())})
			}
		}
	}
	r := &Registry{plugins: map[sdk.Kind]map[string]*Plugin{sdk.KindEncoder: {}, sdk.KindDetector: {}}, Broken: map[string]error{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for _, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			d, err := describe(ctx, h, f.path, f.kind)
			if err == nil && d.Name != f.name {
				err = fmt.Errorf("file %s describes itself as %q", f.path, d.Name)
			}
			var digest string
			if err == nil {
				digest, err = codeDigest(f.path)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				r.Broken[f.path] = err
				return
			}
			r.plugins[f.kind][f.name] = &Plugin{Path: f.path, Desc: d, Digest: digest}
		}()
	}
	wg.Wait()
	return r, ctx.Err()
}

func describe(ctx context.Context, h *Host, path string, kind sdk.Kind) (*sdk.Description, error) {
	s, err := h.Start(ctx, path, kind)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return s.Description(), nil
}

// Lookup returns the description of a plugin; the error lists the installed
// plugins of that kind.
func (r *Registry) Lookup(kind sdk.Kind, name string) (*sdk.Description, error) {
	p, err := r.Plugin(kind, name)
	if err != nil {
		return nil, err
	}
	return p.Desc, nil
}

// Plugin returns an installed plugin.
func (r *Registry) Plugin(kind sdk.Kind, name string) (*Plugin, error) {
	if p, ok := r.plugins[kind][name]; ok {
		return p, nil
	}
	names := r.Names(kind)
	if len(names) == 0 {
		return nil, fmt.Errorf("unknown %s plugin %q: no %s plugins are installed (run `make build`, or set LATENTBENCH_PLUGIN_PATH)", kind, name, kind)
	}
	return nil, fmt.Errorf("unknown %s plugin %q (installed: %s)", kind, name, strings.Join(names, ", "))
}

// Names lists the installed plugins of a kind, sorted.
func (r *Registry) Names(kind sdk.Kind) []string {
	names := make([]string, 0, len(r.plugins[kind]))
	for n := range r.plugins[kind] {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
