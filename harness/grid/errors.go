package grid

import (
	"fmt"
	"sort"
	"strings"
)

// Error is one problem found in a grid file. Every error names the file, the
// line (1-based) and the key it is about; Col is the 1-based byte column of the
// key (or of the syntax error) when known, else 1.
//
// Field is the full dotted key path with 1-based indices for arrays of tables
// and list elements, e.g. "encoder[2].params.latent_dim" or
// "experiment.seeds[3]"; it is empty only for a syntax error outside any key.
type Error struct {
	File  string
	Line  int
	Col   int
	Field string
	Msg   string
}

// Error formats the error as "file:line: field: message", the form compilers
// use, so that editors can jump to it.
func (e *Error) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Field, e.Msg)
}

// Errors is every problem found in one grid file, sorted by line. Load returns
// it (never empty) when the file is invalid; errors.As with a *Error target
// finds the first one.
type Errors []*Error

// Error lists the errors, one a line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the errors, for errors.Is and errors.As.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

func (es Errors) sort() {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Line != es[j].Line {
			return es[i].Line < es[j].Line
		}
		return es[i].Col < es[j].Col
	})
}
