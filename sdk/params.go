package sdk

import (
	"encoding/json"
	"fmt"
	"sort"
)

// Params is a resolved parameter set: every parameter of a plugin's schema
// with its value in canonical Go form (see Description.Resolve). The typed
// getters panic on a name or type the schema did not declare, which is a bug in
// the plugin, never a user error: user errors are caught by Resolve.
type Params map[string]any

// Int returns an int parameter.
func (p Params) Int(name string) int { return int(get[int64](p, name)) }

// Float returns a float parameter.
func (p Params) Float(name string) float64 { return get[float64](p, name) }

// String returns a string parameter.
func (p Params) String(name string) string { return get[string](p, name) }

// Bool returns a bool parameter.
func (p Params) Bool(name string) bool { return get[bool](p, name) }

// Ints returns an int_list parameter.
func (p Params) Ints(name string) []int {
	v := get[[]int64](p, name)
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}

// Floats returns a float_list parameter.
func (p Params) Floats(name string) []float64 { return get[[]float64](p, name) }

// Value returns the raw value of a parameter (for TypeAny parameters).
func (p Params) Value(name string) any {
	v, ok := p[name]
	if !ok {
		panic(fmt.Sprintf("latentbench/sdk: parameter %q is not declared", name))
	}
	return v
}

func get[T any](p Params, name string) T {
	v, ok := p[name]
	if !ok {
		panic(fmt.Sprintf("latentbench/sdk: parameter %q is not declared", name))
	}
	t, ok := v.(T)
	if !ok {
		var zero T
		panic(fmt.Sprintf("latentbench/sdk: parameter %q is %T, not %T", name, v, zero))
	}
	return t
}

// CanonicalJSON renders the parameters as JSON with sorted keys, the form
// hashed into cache keys and stored with results.
func (p Params) CanonicalJSON() string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	buf := []byte{'{'}
	for i, k := range keys {
		if i > 0 {
			buf = append(buf, ',')
		}
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(p[k])
		if err != nil {
			vb = []byte(fmt.Sprintf("%q", fmt.Sprint(p[k])))
		}
		buf = append(buf, kb...)
		buf = append(buf, ':')
		buf = append(buf, vb...)
	}
	buf = append(buf, '}')
	return string(buf)
}
