// Package scaffold writes the skeleton of a new plugin (`latentbench plugin
// new`): a trivial, documented algorithm that passes `latentbench plugin
// test`, a five-line README, and what the language needs to build it: for Go
// a go.mod depending on this module through a replace directive (latentbench
// is not published on a module proxy), for Python an executable script that
// imports the clone's Python SDK (sdk/python) by its path.
package scaffold

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"text/template"
)

//go:embed templates
var templates embed.FS

// Module is the import path of latentbench.
const Module = "github.com/latentbench/latentbench"

// Options say what to write.
type Options struct {
	Name string // the plugin's name, as grids write it
	Kind string // "detector" or "encoder"
	Lang string // "go" or "python"
	// Dir is the directory to create; it must not exist or be empty.
	Dir string
	// GoModule is the Go module path of the new plugin (default
	// example.com/latentbench-KIND-NAME).
	GoModule string
	// Checkout is the latentbench clone a Go plugin's go.mod replace directive
	// points at, and whose sdk/python a Python plugin imports.
	Checkout string
}

// data is what the templates see.
type data struct {
	Name, Kind, Exe, Module, Replace, GoVersion string
	PythonSDK                                   string // the clone's sdk/python
}

var validName = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

// Write writes the skeleton and returns the paths written, relative to Dir.
func Write(o Options) ([]string, error) {
	if !validName.MatchString(o.Name) {
		return nil, fmt.Errorf("plugin name %q: use lower-case letters, digits and -, starting with a letter", o.Name)
	}
	if o.Kind != "detector" && o.Kind != "encoder" {
		return nil, fmt.Errorf("-kind %q: want detector or encoder", o.Kind)
	}
	if o.Checkout == "" {
		return nil, errors.New("no latentbench checkout given")
	}
	checkout, err := filepath.Abs(o.Checkout)
	if err != nil {
		return nil, err
	}
	if err := IsCheckout(checkout); err != nil {
		return nil, err
	}
	d := data{Name: o.Name, Kind: o.Kind, Exe: "latentbench-" + o.Kind + "-" + o.Name,
		Module: o.GoModule, Replace: checkout, GoVersion: goVersion(checkout),
		PythonSDK: filepath.Join(checkout, "sdk", "python")}
	if d.Module == "" {
		d.Module = "example.com/" + d.Exe
	}
	var files map[string]string // output name → template
	switch o.Lang {
	case "go":
		files = map[string]string{"go.mod": "go/go.mod.tmpl", "README.md": "go/README.md.tmpl",
			"main.go": "go/" + o.Kind + ".go.tmpl", "main_test.go": "go/main_test.go.tmpl"}
	case "python":
		if _, err := os.Stat(filepath.Join(d.PythonSDK, "latentbench_sdk")); err != nil {
			return nil, fmt.Errorf("%s has no Python SDK (sdk/python/latentbench_sdk)", checkout)
		}
		files = map[string]string{"README.md": "python/README.md.tmpl", d.Exe: "python/" + o.Kind + ".py.tmpl"}
	default:
		return nil, fmt.Errorf("-lang %q: want go or python", o.Lang)
	}
	if entries, err := os.ReadDir(o.Dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("%s exists and is not empty", o.Dir)
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	var written []string
	for out, tmpl := range files {
		if err := render(filepath.Join(o.Dir, out), tmpl, d); err != nil {
			return written, err
		}
		written = append(written, out)
	}
	if o.Lang == "go" {
		// The checksums latentbench's own build verified: with them `go mod
		// tidy` needs no checksum database for the modules it shares.
		if sum, err := os.ReadFile(filepath.Join(checkout, "go.sum")); err == nil {
			if err := os.WriteFile(filepath.Join(o.Dir, "go.sum"), sum, 0o644); err != nil {
				return written, err
			}
			written = append(written, "go.sum")
		}
	}
	return written, nil
}

func render(path, name string, d data) error {
	src, err := fs.ReadFile(templates, "templates/"+name)
	if err != nil {
		return err
	}
	t, err := template.New(name).Option("missingkey=error").Parse(string(src))
	if err != nil {
		return fmt.Errorf("template %s: %w", name, err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return fmt.Errorf("template %s: %w", name, err)
	}
	mode := os.FileMode(0o644)
	if strings.HasPrefix(b.String(), "#!") {
		mode = 0o755
	}
	return os.WriteFile(path, b.Bytes(), mode)
}

// goVersion is the go directive of the checkout's go.mod (the plugin needs
// at least the Go version latentbench needs), else the running toolchain's.
func goVersion(checkout string) string {
	b, _ := os.ReadFile(filepath.Join(checkout, "go.mod"))
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "go "); ok {
			return strings.TrimSpace(v)
		}
	}
	return strings.TrimPrefix(runtime.Version(), "go")
}

// IsCheckout reports whether dir is a clone of latentbench (its go.mod
// declares the module).
func IsCheckout(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil || !strings.HasPrefix(string(b), "module "+Module+"\n") {
		return fmt.Errorf("%s is not a latentbench checkout (no go.mod declaring module %s)", dir, Module)
	}
	return nil
}

// FindCheckout looks for the latentbench clone in dir and its parents.
func FindCheckout(dir string) (string, bool) {
	for {
		if IsCheckout(dir) == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}
