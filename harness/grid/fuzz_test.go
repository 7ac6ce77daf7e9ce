package grid

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLocate: the locator scans any text without panicking or looping, and
// every position it records lies in the text; a grid that fails to load does
// so with errors that name a line of the file.
func FuzzLocate(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*.toml"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		"a = [1, [2, 3], { b = 'x' }]\n", "[[x]]\n[x.y]\nz.'w' = \"\"\"m\nn\"\"\"\n", "a = {", "[\"q\\\"k\"]\n", "'''\n",
		"[[claim]]\ntext = \"t {detector}\"\nper = [\"detector\"]\nthan = [{ encoder = \"a\" }, 3]\n",
	} {
		f.Add([]byte(s))
	}
	reg := testRegistry()
	f.Fuzz(func(t *testing.T, src []byte) {
		loc := locate(src)
		lines := bytes.Count(src, []byte("\n")) + 1
		for k, p := range loc.pos {
			if p.line < 1 || p.line > lines || p.col < 1 {
				t.Fatalf("%s located at %d:%d in a text of %d lines", k, p.line, p.col, lines)
			}
		}
		_, err := Parse("fuzz.toml", src, reg)
		var errs Errors
		if err != nil && !errors.As(err, &errs) {
			t.Fatalf("error %v is a %T, not Errors", err, err)
		}
		for _, e := range errs {
			if e.Line < 1 || e.Line > lines+1 {
				t.Fatalf("error at line %d of a text of %d lines: %v", e.Line, lines, e)
			}
		}
	})
}
