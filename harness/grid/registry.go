package grid

import (
	"fmt"
	"sort"
	"strings"

	"github.com/latentbench/latentbench/sdk"
)

// Registry gives the description (parameter schema) of a plugin by kind and
// name. The harness's plugin registry implements it; StaticRegistry is a
// map-backed one for tests and tools. The error for an unknown name should
// list the names that are available, since Load puts it in front of the user.
type Registry interface {
	Lookup(kind sdk.Kind, name string) (*sdk.Description, error)
}

// StaticRegistry is a Registry over a fixed set of descriptions, for tests and
// for checking a grid file without starting plugins. The zero value is empty;
// use NewStaticRegistry or Add to fill it. It is not safe for concurrent Add.
type StaticRegistry struct {
	descs map[sdk.Kind]map[string]*sdk.Description
}

// NewStaticRegistry returns a registry holding descs (by their Kind and Name).
func NewStaticRegistry(descs ...*sdk.Description) *StaticRegistry {
	r := &StaticRegistry{}
	for _, d := range descs {
		r.Add(d)
	}
	return r
}

// Add registers d under its Kind and Name, replacing any earlier one.
func (r *StaticRegistry) Add(d *sdk.Description) {
	if r.descs == nil {
		r.descs = make(map[sdk.Kind]map[string]*sdk.Description)
	}
	if r.descs[d.Kind] == nil {
		r.descs[d.Kind] = make(map[string]*sdk.Description)
	}
	r.descs[d.Kind][d.Name] = d
}

// Lookup returns the description of the named plugin of the given kind, or an
// error listing the available ones: `unknown encoder plugin "encodr" (available:
// encoder-a, encoder-b)`.
func (r *StaticRegistry) Lookup(kind sdk.Kind, name string) (*sdk.Description, error) {
	if d, ok := r.descs[kind][name]; ok {
		return d, nil
	}
	names := make([]string, 0, len(r.descs[kind]))
	for n := range r.descs[kind] {
		names = append(names, n)
	}
	sort.Strings(names)
	avail := strings.Join(names, ", ")
	if avail == "" {
		avail = "none registered"
	}
	return nil, fmt.Errorf("unknown %s plugin %q (available: %s)", kind, name, avail)
}
