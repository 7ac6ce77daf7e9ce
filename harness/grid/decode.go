package grid

import (
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"time"
)

// loader holds the state of one Load: the file, its locator and the errors
// found so far.
type loader struct {
	file string
	loc  *locator
	errs Errors
}

// errf records an error about the value at p.
func (l *loader) errf(p keyPath, format string, args ...any) {
	pos := l.loc.find(p)
	l.errs = append(l.errs, &Error{File: l.file, Line: pos.line, Col: pos.col, Field: p.String(), Msg: fmt.Sprintf(format, args...)})
}

// line returns the line of p, for messages naming a second place.
func (l *loader) line(p keyPath) int { return l.loc.find(p).line }

var durationType = reflect.TypeOf(time.Duration(0))

// tomlFields returns the TOML key → field index map of a struct type.
func tomlFields(t reflect.Type) map[string]int {
	out := make(map[string]int, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if name == "" || name == "-" {
			continue
		}
		out[name] = i
	}
	return out
}

// decodeStruct sets the fields of the struct dst points to from the table m,
// by the fields' toml tags. Fields whose keys are absent keep their value (the
// caller fills defaults first). Unknown keys and values of the wrong type are
// errors. It returns the set of keys that were given.
//
// Supported field types: string, bool, int kinds, float kinds,
// time.Duration (from a Go duration string), pointers to those and slices of
// those — all that dataset.Spec and this package's tables use.
func (l *loader) decodeStruct(m map[string]any, dst any, at keyPath) map[string]bool {
	rv := reflect.ValueOf(dst).Elem()
	fields := tomlFields(rv.Type())
	given := make(map[string]bool, len(m))
	for _, k := range sortedKeys(m) {
		i, ok := fields[k]
		if !ok {
			l.errf(at.key(k), "unknown key %q (allowed: %s)", k, strings.Join(sortedKeys(fields), ", "))
			continue
		}
		if l.setValue(rv.Field(i), m[k], at.key(k)) {
			given[k] = true
		}
	}
	return given
}

// setValue sets fv from the decoded TOML value v; on a type mismatch it
// records an error and returns false.
func (l *loader) setValue(fv reflect.Value, v any, at keyPath) bool {
	t := fv.Type()
	if t == durationType {
		s, ok := v.(string)
		if !ok {
			l.errf(at, "must be a duration string such as \"30m\" or \"1h30m\", got %s", describe(v))
			return false
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			l.errf(at, "%q is not a duration: write a number with a unit (ns, us, ms, s, m, h), such as \"30m\" or \"1h30m\"", s)
			return false
		}
		fv.SetInt(int64(d))
		return true
	}
	switch t.Kind() {
	case reflect.Pointer:
		nv := reflect.New(t.Elem())
		if !l.setValue(nv.Elem(), v, at) {
			return false
		}
		fv.Set(nv)
		return true
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			l.errf(at, "must be a string, got %s", describe(v))
			return false
		}
		fv.SetString(s)
		return true
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			l.errf(at, "must be true or false, got %s", describe(v))
			return false
		}
		fv.SetBool(b)
		return true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var n int64
		switch x := v.(type) {
		case int64:
			n = x
		case float64:
			if x != math.Trunc(x) || math.Abs(x) >= 1<<53 {
				l.errf(at, "must be an integer, got %s", describe(v))
				return false
			}
			n = int64(x)
		default:
			l.errf(at, "must be an integer, got %s", describe(v))
			return false
		}
		if fv.OverflowInt(n) {
			l.errf(at, "%d is out of range", n)
			return false
		}
		fv.SetInt(n)
		return true
	case reflect.Float32, reflect.Float64:
		switch x := v.(type) {
		case int64:
			fv.SetFloat(float64(x))
		case float64:
			fv.SetFloat(x)
		default:
			l.errf(at, "must be a number, got %s", describe(v))
			return false
		}
		return true
	case reflect.Slice:
		list, ok := v.([]any)
		if !ok {
			l.errf(at, "must be a list of %s, got %s", typeNoun(t.Elem()), describe(v))
			return false
		}
		out := reflect.MakeSlice(t, len(list), len(list))
		ok = true
		for i, e := range list {
			if !l.setValue(out.Index(i), e, at.index(i+1)) {
				ok = false
			}
		}
		if ok {
			fv.Set(out)
		}
		return ok
	}
	l.errf(at, "internal error: cannot decode into a Go %s", t)
	return false
}

// typeNoun names the values of a Go type in messages ("strings").
func typeNoun(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "strings"
	case reflect.Bool:
		return "booleans"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "integers"
	case reflect.Float32, reflect.Float64:
		return "numbers"
	}
	return t.String() + " values"
}

// describe renders a decoded TOML value with its type for messages:
// `string "two"`, `integer 3`, `number 0.5`, `boolean true`, `list [1, 2]`,
// `table {a = 1}`.
func describe(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("string %q", x)
	case int64:
		return fmt.Sprintf("integer %d", x)
	case float64:
		return fmt.Sprintf("number %s", formatValue(x))
	case bool:
		return fmt.Sprintf("boolean %t", x)
	case []any, []map[string]any, map[string]any:
		kind := "list"
		if _, ok := x.(map[string]any); ok {
			kind = "table"
		}
		return kind + " " + formatValue(x)
	case time.Time:
		return "date-time " + x.Format(time.RFC3339Nano)
	case nil:
		return "nothing"
	}
	return fmt.Sprintf("%T %v", v, v)
}

// formatValue renders a value as TOML would write it, for messages: 2, 0.5,
// 1.0, "mean", [512, 256], {a = 1}.
func formatValue(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("%q", x)
	case int64:
		return fmt.Sprint(x)
	case int:
		return fmt.Sprint(x)
	case float64:
		s := fmt.Sprintf("%g", x)
		if !strings.ContainsAny(s, ".eEn") { // keep 1.0 a float: "1.0", not "1"
			s += ".0"
		}
		return s
	case bool:
		return fmt.Sprint(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = formatValue(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []int64:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = formatValue(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []float64:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = formatValue(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []map[string]any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = formatValue(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := sortedKeys(x)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = quoteKey(k) + " = " + formatValue(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, v := range list {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}
