package sdk

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Kind says which service a plugin implements.
type Kind string

// The plugin kinds of contract version 1.
const (
	KindEncoder  Kind = "encoder"
	KindDetector Kind = "detector"
)

// ParamType is the type of one plugin parameter, as declared in its schema.
type ParamType string

// The parameter types a schema may declare. Values travel as the Go types
// int64, float64, string, bool, []int64 and []float64; TypeAny values may be any
// of those or a nested []any, and are checked by the plugin itself.
const (
	TypeInt       ParamType = "int"
	TypeFloat     ParamType = "float"
	TypeString    ParamType = "string"
	TypeBool      ParamType = "bool"
	TypeIntList   ParamType = "int_list"
	TypeFloatList ParamType = "float_list"
	TypeAny       ParamType = "any"
)

// IsList reports whether values of the type are lists themselves, so that a
// grid axis over them is a list of lists.
func (t ParamType) IsList() bool { return t == TypeIntList || t == TypeFloatList }

// ParamSpec documents one parameter of a plugin.
type ParamSpec struct {
	Name    string    `json:"name"`
	Type    ParamType `json:"type"`
	Default any       `json:"default"`
	Doc     string    `json:"doc"` // one line
	// Choices, when not empty, lists the allowed values of a string parameter.
	Choices []string `json:"choices,omitempty"`
}

// Description is what a plugin says of itself in answer to Describe.
type Description struct {
	Kind    Kind        `json:"kind"`
	Name    string      `json:"name"`
	Version string      `json:"version"`
	Doc     string      `json:"doc"`
	Params  []ParamSpec `json:"params"`
	// NeedsLabels marks an encoder that conditions on class labels.
	NeedsLabels bool `json:"needs_labels,omitempty"`
	// UsesGroups marks a detector that uses group ids (cluster assignments).
	UsesGroups bool `json:"uses_groups,omitempty"`
	// ContractVersion is the plugin contract version the plugin speaks.
	ContractVersion int `json:"contract_version"`
	// SeedIndependent lists the stages whose results do not depend on the request's seed:
	// StageFit when the fitted model, and so everything computed from it, is the same for every
	// seed (a deterministic algorithm). The host computes such a stage once for all the seeds of
	// a grid, so a wrong declaration silently repeats one seed's result.
	SeedIndependent []string `json:"seed_independent,omitempty"`
}

// StageFit is the fit stage, as named in Description.SeedIndependent.
const StageFit = "fit"

// SeedIndependentFit reports whether d declares its fit (StageFit) independent of the seed.
func (d *Description) SeedIndependentFit() bool {
	for _, s := range d.SeedIndependent {
		if s == StageFit {
			return true
		}
	}
	return false
}

// Param returns the spec of the named parameter.
func (d *Description) Param(name string) (ParamSpec, bool) {
	for _, p := range d.Params {
		if p.Name == name {
			return p, true
		}
	}
	return ParamSpec{}, false
}

// ParamNames returns the names of the declared parameters, sorted.
func (d *Description) ParamNames() []string {
	names := make([]string, len(d.Params))
	for i, p := range d.Params {
		names[i] = p.Name
	}
	sort.Strings(names)
	return names
}

// Resolve checks given parameter values against the schema and returns the
// complete parameter set: every declared parameter, defaults filled in, values
// normalised to their declared Go type (an integral float for an int, an int for
// a float). Unknown names are errors listing the known ones.
func (d *Description) Resolve(given map[string]any) (Params, error) {
	out := make(Params, len(d.Params))
	for name, v := range given {
		spec, ok := d.Param(name)
		if !ok {
			return nil, fmt.Errorf("%s %q has no parameter %q (parameters: %s)",
				d.Kind, d.Name, name, strings.Join(d.ParamNames(), ", "))
		}
		nv, err := spec.Check(v)
		if err != nil {
			return nil, err
		}
		out[name] = nv
	}
	for _, spec := range d.Params {
		if _, ok := out[spec.Name]; !ok {
			def, err := spec.Check(spec.Default)
			if err != nil {
				return nil, fmt.Errorf("%s %q declares a bad default: %w", d.Kind, d.Name, err)
			}
			out[spec.Name] = def
		}
	}
	return out, nil
}

// Check validates one value against the spec and returns it normalised.
func (s ParamSpec) Check(v any) (any, error) {
	nv, err := Normalize(v)
	if err != nil {
		return nil, fmt.Errorf("parameter %q: %w", s.Name, err)
	}
	bad := func() error {
		return fmt.Errorf("parameter %q must be %s, got %s", s.Name, describeType(s.Type), describeValue(nv))
	}
	switch s.Type {
	case TypeInt:
		switch x := nv.(type) {
		case int64:
			return x, nil
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
				return int64(x), nil
			}
		}
		return nil, bad()
	case TypeFloat:
		switch x := nv.(type) {
		case int64:
			return float64(x), nil
		case float64:
			return x, nil
		}
		return nil, bad()
	case TypeString:
		x, ok := nv.(string)
		if !ok {
			return nil, bad()
		}
		if len(s.Choices) > 0 && !contains(s.Choices, x) {
			return nil, fmt.Errorf("parameter %q must be one of %s, got %q", s.Name, strings.Join(quoteAll(s.Choices), ", "), x)
		}
		return x, nil
	case TypeBool:
		if x, ok := nv.(bool); ok {
			return x, nil
		}
		return nil, bad()
	case TypeIntList, TypeFloatList:
		list, ok := nv.([]any)
		if !ok {
			return nil, bad()
		}
		elem := ParamSpec{Name: s.Name, Type: TypeInt}
		if s.Type == TypeFloatList {
			elem.Type = TypeFloat
		}
		ints := make([]int64, 0, len(list))
		floats := make([]float64, 0, len(list))
		for _, e := range list {
			ev, err := elem.Check(e)
			if err != nil {
				return nil, bad()
			}
			switch x := ev.(type) {
			case int64:
				ints = append(ints, x)
			case float64:
				floats = append(floats, x)
			}
		}
		if s.Type == TypeIntList {
			return ints, nil
		}
		return floats, nil
	case TypeAny:
		return nv, nil
	}
	return nil, fmt.Errorf("parameter %q has unknown declared type %q", s.Name, s.Type)
}

// Normalize converts a decoded value (from TOML, JSON or the wire) to the
// canonical Go representation: int64, float64, string, bool or []any of those.
// Typed lists ([]int64, []float64) become []any.
func Normalize(v any) (any, error) {
	switch x := v.(type) {
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int64, float64, string, bool:
		return x, nil
	case float32:
		return float64(x), nil
	case []int:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = int64(e)
		}
		return out, nil
	case []int64:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out, nil
	case []float64:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out, nil
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			n, err := Normalize(e)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	case nil:
		return nil, fmt.Errorf("missing value")
	}
	return nil, fmt.Errorf("unsupported value %v of type %T", v, v)
}

func describeType(t ParamType) string {
	switch t {
	case TypeInt:
		return "an integer"
	case TypeFloat:
		return "a number"
	case TypeString:
		return "a string"
	case TypeBool:
		return "true or false"
	case TypeIntList:
		return "a list of integers"
	case TypeFloatList:
		return "a list of numbers"
	}
	return string(t)
}

func describeValue(v any) string {
	switch x := v.(type) {
	case int64:
		return fmt.Sprintf("integer %d", x)
	case float64:
		return fmt.Sprintf("number %g", x)
	case string:
		return fmt.Sprintf("string %q", x)
	case bool:
		return fmt.Sprintf("boolean %t", x)
	case []any:
		return fmt.Sprintf("list %v", x)
	}
	return fmt.Sprintf("%v", v)
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func quoteAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
