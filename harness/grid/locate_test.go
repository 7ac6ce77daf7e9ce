package grid

import (
	"runtime"
	"strings"
	"testing"
)

// tricky exercises what the locator must not be fooled by: brackets and keys
// inside strings, multi-line strings and arrays, comments, quoted and dotted
// keys, inline tables, and nested arrays of tables.
const tricky = `# [not.a.table] = 1
title = "a [fake] header" # [x]
text = """
[encoder]
name = "not a key"
"""
raw = '''
[[encoder]]
'''
[[encoder]]
plugin = "proj"
"quoted key" = 1
a.b.c = 2
params = { latent_dim = [2, 3], inner = { x = 1 } }

[[encoder]]   # the second
plugin = 'venc'
[encoder.params]
hidden = [
  [256],     # ]]]
  [512, 256],
]
gamma = 0.3
[encoder.sub]
k = "v"
[[encoder.layers]]
n = 1
[[encoder.layers]]
n = 2
[[encoder]]
[[encoder.layers]]
n = 3
list = [{ id = 1 }, { id = 2 }]
`

func TestLocate(t *testing.T) {
	loc := locate([]byte(tricky))
	cases := []struct {
		path string
		line int
		col  int
	}{
		{"title", 2, 1},
		{"text", 3, 1},
		{"raw", 7, 1},
		{"encoder", 10, 1},
		{"encoder[1]", 10, 1},
		{"encoder[1].plugin", 11, 1},
		{`encoder[1]."quoted key"`, 12, 1},
		{"encoder[1].a", 13, 1},
		{"encoder[1].a.b.c", 13, 1},
		{"encoder[1].params", 14, 1},
		{"encoder[1].params.latent_dim", 14, 12},
		{"encoder[1].params.latent_dim[2]", 14, 29},
		{"encoder[1].params.inner.x", 14, 43},
		{"encoder[2]", 16, 1},
		{"encoder[2].plugin", 17, 1},
		{"encoder[2].params", 18, 1},
		{"encoder[2].params.hidden", 19, 1},
		{"encoder[2].params.hidden[1]", 20, 3},
		{"encoder[2].params.hidden[2]", 21, 3},
		{"encoder[2].params.hidden[2][2]", 21, 9},
		{"encoder[2].params.gamma", 23, 1},
		{"encoder[2].sub.k", 25, 1},
		{"encoder[2].layers[1].n", 27, 1},
		{"encoder[2].layers[2]", 28, 1},
		{"encoder[2].layers[2].n", 29, 1},
		{"encoder[3]", 30, 1},
		{"encoder[3].layers[1].n", 32, 1}, // a new parent element restarts the count
		{"encoder[3].layers[1].list[2].id", 33, 23},
		// Fallbacks: to the nearest located parent, then to line 1.
		{"encoder[2].params.latent_dim", 18, 1},
		{"encoder[3].label", 30, 1},
		{"encoder[9].plugin", 10, 1},
		{"experiment.name", 1, 1},
	}
	for _, tc := range cases {
		got, ok := loc.pos[tc.path]
		if !ok {
			got = loc.find(parseTestPath(tc.path))
		}
		if got.line != tc.line || got.col != tc.col {
			t.Errorf("%s: at %d:%d, want %d:%d", tc.path, got.line, got.col, tc.line, tc.col)
		}
	}
}

// parseTestPath parses the simple paths of TestLocate (bare keys and indices).
func parseTestPath(s string) keyPath {
	var p keyPath
	key := ""
	flush := func() {
		if key != "" {
			p = p.key(key)
			key = ""
		}
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '.':
			flush()
		case '[':
			flush()
			n := 0
			for i++; s[i] != ']'; i++ {
				n = n*10 + int(s[i]-'0')
			}
			p = p.index(n)
		default:
			key += string(c)
		}
	}
	flush()
	return p
}

func TestKeyPathString(t *testing.T) {
	p := keyPath{}.key("encoder").index(2).key("params").key("a b").key("").index(3)
	if got, want := p.String(), `encoder[2].params."a b".""[3]`; got != want {
		t.Errorf("String() = %s, want %s", got, want)
	}
}

// TestParseErrorField checks that a syntax error's unindexed last key is
// indexed from the header in force at its line.
func TestParseErrorField(t *testing.T) {
	cases := []struct {
		src   string
		line  int
		field string
	}{
		{"[[detector]]\nplugin = 'a'\n[[detector]]\nplugin = 'b'\n[detector.params]\nn = [1, 2\nm = 3\n", 7, "detector[2].params.n"},
		{"[[detector]]\nplugin = 'a'\nlabel = x\n", 3, "detector[1].label"},
		{"x = \n", 1, "x"},
		{"[experiment]\n= 3\n", 2, "experiment"},
	}
	for _, tc := range cases {
		_, err := Parse("s.toml", []byte(tc.src), testRegistry())
		es, ok := err.(Errors)
		if !ok || len(es) != 1 {
			t.Errorf("%q: error %v", tc.src, err)
			continue
		}
		if es[0].Line != tc.line || es[0].Field != tc.field || es[0].Col < 1 {
			t.Errorf("%q: %s at %d:%d, want %s at line %d", tc.src, es[0].Field, es[0].Line, es[0].Col, tc.field, tc.line)
		}
	}
}

func BenchmarkLocate(b *testing.B) {
	src := []byte(tricky)
	for i := 0; i < b.N; i++ {
		locate(src)
	}
}

// TestInlineArrayOfTables checks blocks written as an inline array of tables:
// they decode like [[encoder]] tables and errors point at the element's line.
func TestInlineArrayOfTables(t *testing.T) {
	src := `dataset = [{ name = "tiny", format = "csv", path = "../data/tiny.csv" }]
encoder = [
  { plugin = "proj" },
  { plugin = "projj" },
]
[experiment]
name = "inline"
seeds = [0]
`
	_, err := Parse("testdata/valid/inline.toml", []byte(src), testRegistry())
	es, ok := err.(Errors)
	if !ok || len(es) != 1 {
		t.Fatalf("error %v", err)
	}
	if e := es[0]; e.Line != 4 || e.Col != 5 || e.Field != "encoder[2].plugin" {
		t.Errorf("got %s at %d:%d, want encoder[2].plugin at 4:5", e.Field, e.Line, e.Col)
	}
	valid := strings.Replace(src, `{ plugin = "projj" }`, `{ plugin = "proj", label = "proj-w", params = { whiten = true } }`, 1)
	g, err := Parse("testdata/valid/inline.toml", []byte(valid), testRegistry())
	if err != nil || len(g.Cells) != 2 {
		t.Fatalf("valid inline grid: %v", err)
	}
}

// Deeply nested values (arrays, inline tables, dotted keys and headers) cost
// the locator memory linear in the file's size, not in the square of the
// nesting depth: a 240 KB file was enough to use gigabytes.
func TestLocateDeepNestingIsLinear(t *testing.T) {
	const depth = 40000
	files := map[string]string{
		"arrays":  "x = " + strings.Repeat("[", depth) + strings.Repeat("]", depth) + "\n",
		"inline":  "x = " + strings.Repeat("{a=", depth) + "1" + strings.Repeat("}", depth) + "\n",
		"dotted":  strings.Repeat("a.", depth) + "b = 1\n",
		"header":  "[" + strings.Repeat("a.", depth) + "b]\nc = 1\n",
		"aoheads": strings.Repeat("[["+strings.Repeat("a.", 200)+"b]]\n", 200),
	}
	for name, src := range files {
		t.Run(name, func(t *testing.T) {
			var l *locator
			allocs := testing.AllocsPerRun(1, func() { l = locate([]byte(src)) })
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			l = locate([]byte(src))
			runtime.ReadMemStats(&after)
			bytes := after.TotalAlloc - before.TotalAlloc
			if limit := uint64(200 * len(src)); bytes > limit {
				t.Errorf("%d bytes allocated for a %d-byte file (limit %d); %v allocations", bytes, len(src), limit, allocs)
			}
			if name != "aoheads" && l.tooDeep == nil {
				t.Errorf("nesting %d deep not flagged", depth)
			}
		})
	}
}

// The whole of Parse on such a file stays linear too (a deep value in an
// `any` place and in a table the grid does not know).
func TestParseDeepNestingIsLinear(t *testing.T) {
	const depth = 20000
	src := "[experiment]\nname = \"deep\"\nseeds = [0]\ndescription = " + strings.Repeat("[", depth) + strings.Repeat("]", depth) +
		"\n[junk]\nx = " + strings.Repeat("{a=", depth/4) + "1" + strings.Repeat("}", depth/4) + "\n"
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := Parse("deep.toml", []byte(src), testRegistry())
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "deep.toml:4:") || !strings.Contains(err.Error(), "nested deeper than 64") {
		t.Fatalf("want an error at line 4 naming the nesting limit, got %v", err)
	}
	if bytes, limit := after.TotalAlloc-before.TotalAlloc, uint64(2000*len(src)); bytes > limit {
		t.Errorf("%d bytes allocated for a %d-byte file (limit %d)", bytes, len(src), limit)
	}
}
