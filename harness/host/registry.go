package host

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"google.golang.org/protobuf/proto"

	"github.com/latentbench/latentbench/internal/wire"
	lbv1 "github.com/latentbench/latentbench/proto/latentbench/v1"
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
//
// Finding plugins starts none of them. A plugin is described (started, asked
// Describe, stopped) the first time its name is used, and its description is
// kept in DescCache under the digest of its code, so a later command using
// it starts nothing, and a hung or slow plugin no grid uses costs nothing.
// A plugin that fails to describe itself is installed but broken: every use
// of its name says so, with the first lines of its stderr.
type Registry struct {
	// Warnings lists files that match the plugin name pattern but cannot
	// be plugins (not executable), one sentence each.
	Warnings []string

	ctx     context.Context
	host    *Host
	cache   string
	entries map[sdk.Kind]map[string]*entry
}

// entry is one installed plugin executable, described on first use.
type entry struct {
	kind sdk.Kind
	name string
	path string
	once sync.Once
	p    *Plugin
	err  error
}

// BrokenError is the error of a plugin that is installed but failed to
// start or to describe itself.
type BrokenError struct {
	Kind sdk.Kind
	Name string
	Path string
	Err  error
}

func (e *BrokenError) Error() string {
	msg := fmt.Sprintf("%s plugin %q is installed (%s) but broken: %s", e.Kind, e.Name, e.Path, firstLine(e.Err.Error()))
	var he *Error
	if errors.As(e.Err, &he) {
		if lines := firstLines(he.Stderr, 5); lines != "" {
			msg += "\n  its stderr began:\n" + lines
		}
	}
	return msg
}

func (e *BrokenError) Unwrap() error { return e.Err }

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
// clash) without starting any. Plugins are described when first looked up,
// under ctx; descCache, when not empty, is the directory where descriptions
// are kept by code digest.
func Discover(ctx context.Context, h *Host, dirs []string, descCache string) (*Registry, error) {
	r := &Registry{ctx: ctx, host: h, cache: descCache,
		entries: map[sdk.Kind]map[string]*entry{sdk.KindEncoder: {}, sdk.KindDetector: {}}}
	seen := map[string]bool{}
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			for _, kind := range []sdk.Kind{sdk.KindEncoder, sdk.KindDetector} {
				name, ok := strings.CutPrefix(e.Name(), Filename(kind, ""))
				if !ok || name == "" || seen[e.Name()] || strings.HasSuffix(name, "~") {
					continue
				}
				path := filepath.Join(dir, e.Name())
				info, err := os.Stat(path)
				if err != nil || info.IsDir() {
					continue
				}
				if info.Mode()&0o111 == 0 {
					r.Warnings = append(r.Warnings, fmt.Sprintf("%s is named like a %s plugin but is not executable: ignored (chmod +x it to install it)", path, kind))
					continue
				}
				seen[e.Name()] = true
				r.entries[kind][name] = &entry{kind: kind, name: name, path: path}
			}
		}
	}
	return r, ctx.Err()
}

// DescribeAll describes every installed plugin, a few at a time, so that
// Plugin answers from memory afterwards (for listing them all).
func (r *Registry) DescribeAll() {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for _, byName := range r.entries {
		for _, e := range byName {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				r.resolve(e)
			}()
		}
	}
	wg.Wait()
}

// resolve describes e once: from the description cache if its code digest
// is there, else by starting it.
func (r *Registry) resolve(e *entry) (*Plugin, error) {
	e.once.Do(func() {
		digest, err := codeDigest(e.path)
		if err != nil {
			e.err = err
			return
		}
		d, err := r.cachedDescription(e.kind, digest)
		if err != nil {
			d, err = describe(r.ctx, r.host, e.path, e.kind)
			if err == nil && d.Name == e.name {
				r.storeDescription(e.kind, digest, d)
			}
		}
		if err == nil && d.Name != e.name {
			err = fmt.Errorf("file %s describes itself as %q", e.path, d.Name)
		}
		if err != nil {
			e.err = &BrokenError{Kind: e.kind, Name: e.name, Path: e.path, Err: err}
			return
		}
		e.p = &Plugin{Path: e.path, Desc: d, Digest: digest}
	})
	return e.p, e.err
}

// descPath is where the description of the plugin with this code digest is
// kept.
func (r *Registry) descPath(kind sdk.Kind, digest string) string {
	return filepath.Join(r.cache, string(kind)+"-"+digest+".pb")
}

func (r *Registry) cachedDescription(kind sdk.Kind, digest string) (*sdk.Description, error) {
	if r.cache == "" {
		return nil, errors.New("no description cache")
	}
	b, err := os.ReadFile(r.descPath(kind, digest))
	if err != nil {
		return nil, err
	}
	var w lbv1.Description
	if err := proto.Unmarshal(b, &w); err != nil {
		return nil, err
	}
	d, err := wire.FromWireDescription(&w)
	if err == nil && d.Kind != kind {
		err = fmt.Errorf("cached description is of a %s", d.Kind)
	}
	return d, err
}

// storeDescription keeps a description for later commands; failing to is
// no error (the plugin is described again next time).
func (r *Registry) storeDescription(kind sdk.Kind, digest string, d *sdk.Description) {
	if r.cache == "" {
		return
	}
	w, err := wire.ToWireDescription(d)
	if err != nil {
		return
	}
	b, err := proto.Marshal(w)
	if err != nil || os.MkdirAll(r.cache, 0o755) != nil {
		return
	}
	tmp, err := os.CreateTemp(r.cache, ".desc-*")
	if err != nil {
		return
	}
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil && cerr == nil {
		err = os.Rename(tmp.Name(), r.descPath(kind, digest))
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
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
// plugins of that kind, or says why an installed one is broken.
func (r *Registry) Lookup(kind sdk.Kind, name string) (*sdk.Description, error) {
	p, err := r.Plugin(kind, name)
	if err != nil {
		return nil, err
	}
	return p.Desc, nil
}

// Plugin returns an installed plugin, describing it if this is its first use.
func (r *Registry) Plugin(kind sdk.Kind, name string) (*Plugin, error) {
	if e, ok := r.entries[kind][name]; ok {
		return r.resolve(e)
	}
	names := r.Names(kind)
	if len(names) == 0 {
		return nil, fmt.Errorf("unknown %s plugin %q: no %s plugins are installed (run `make build`, or set LATENTBENCH_PLUGIN_PATH)", kind, name, kind)
	}
	return nil, fmt.Errorf("unknown %s plugin %q (installed: %s)", kind, name, strings.Join(names, ", "))
}

// Names lists the installed plugins of a kind, sorted (broken ones too).
func (r *Registry) Names(kind sdk.Kind) []string {
	names := make([]string, 0, len(r.entries[kind]))
	for n := range r.entries[kind] {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// firstLines returns up to n non-empty lines of s, indented.
func firstLines(s string, n int) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		out = append(out, "    "+l)
		if len(out) == n {
			break
		}
	}
	return strings.Join(out, "\n")
}
