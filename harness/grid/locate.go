package grid

import (
	"strconv"
	"strings"
)

// keyPath is the path of a value in a grid file: key segments, and 1-based
// indices into arrays of tables or lists.
type keyPath []pathElem

type pathElem struct {
	key string
	idx int // > 0: an index (1-based), key unused
}

// key returns the path extended by one key segment (a new slice: paths are
// shared freely).
func (p keyPath) key(k string) keyPath {
	out := make(keyPath, len(p), len(p)+1)
	copy(out, p)
	return append(out, pathElem{key: k})
}

// index returns the path extended by a 1-based index.
func (p keyPath) index(i int) keyPath {
	out := make(keyPath, len(p), len(p)+1)
	copy(out, p)
	return append(out, pathElem{idx: i})
}

// String renders the path as it is written in errors: "encoder[2].params.x".
// Segments that are not bare TOML keys are double-quoted.
func (p keyPath) String() string {
	var b strings.Builder
	for i, e := range p {
		if e.idx > 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(e.idx))
			b.WriteByte(']')
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(quoteKey(e.key))
	}
	return b.String()
}

// quoteKey writes a key segment as TOML would need it: bare when it is made of
// A-Za-z0-9_- only, else as a quoted string.
func quoteKey(k string) string {
	if k == "" {
		return `""`
	}
	for _, r := range k {
		if !isBareKeyChar(byte(r)) || r >= 0x80 {
			return strconv.Quote(k)
		}
	}
	return k
}

func isBareKeyChar(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// position is a 1-based line and byte column.
type position struct{ line, col int }

// header is one [table] or [[array]] header line of the file.
type header struct {
	line int
	raw  string  // the header's key as written, unindexed, e.g. "encoder.params"
	path keyPath // resolved, with array indices, e.g. encoder[2].params
}

// locator maps key paths to the place in the file where they are written.
//
// BurntSushi/toml (v1.6.0) records a position per key internally but does not
// export it, and keys inside arrays of tables share one entry, so the grid
// scans the source itself. The scanner understands what it needs of TOML:
// [table] and [[array]] headers (with the running index of each array of
// tables, per parent element), bare, quoted and dotted keys, inline tables,
// arrays (each element is located as path[i], so a bad value in a multi-line
// list points at its own line), basic, literal and multi-line strings and
// comments. It never fails: on text it does not understand it skips to the next
// line, so a key it missed falls back to its table's header (see find).
type locator struct {
	pos     map[string]position
	headers []header
	// tooDeep, when set, is where a value or key first nests deeper than
	// maxNesting: Parse refuses such a file before decoding it (the TOML
	// decoder's memory grows with the square of the depth of inline tables).
	tooDeep *position
}

// maxNesting bounds the nesting of arrays and inline tables, and the number
// of segments of a key, in a grid file.
const maxNesting = 64

// find returns the position of the key at p; if that key was not located, the
// position of its nearest located parent (its table header, usually), and
// line 1 when nothing on the path was found.
func (l *locator) find(p keyPath) position {
	for n := len(p); n > 0; n-- {
		if pos, ok := l.pos[p[:n].String()]; ok {
			return pos
		}
	}
	return position{1, 1}
}

// tableAt returns the header in force at the given line, if any.
func (l *locator) tableAt(line int) (header, bool) {
	var h header
	found := false
	for _, x := range l.headers {
		if x.line > line {
			break
		}
		h, found = x, true
	}
	return h, found
}

// fieldForParseError turns the unindexed last key of a toml.ParseError (such as
// "encoder.params.latent_dim") into an indexed path (encoder[2].params.latent_dim)
// using the table header in force at the error's line.
func (l *locator) fieldForParseError(lastKey string, line int) string {
	h, ok := l.tableAt(line)
	if !ok || h.raw == "" {
		return lastKey
	}
	if lastKey == "" {
		return h.path.String()
	}
	if lastKey == h.raw {
		return h.path.String()
	}
	if strings.HasPrefix(lastKey, h.raw+".") {
		return h.path.String() + lastKey[len(h.raw):]
	}
	return lastKey
}

// maxLocateDepth bounds the paths the locator records. Every recorded path
// is a copy of its parent's plus one element, so recording every level of a
// value nested n deep would cost memory in n²; no key of a grid is nested
// this deep, and a value below the bound is located at its ancestor at the
// bound (as an unlocated key falls back to its table).
const maxLocateDepth = 32

// locate scans a TOML source.
func locate(src []byte) *locator {
	s := &scanner{
		src:    src,
		line:   1,
		col:    1,
		loc:    &locator{pos: make(map[string]position)},
		arrays: make(map[string]int),
	}
	s.file()
	return s.loc
}

type scanner struct {
	src       []byte
	i         int
	line, col int
	loc       *locator
	// arrays counts the elements seen so far of each array of tables, by the
	// resolved path of the array.
	arrays map[string]int
	depth  int // arrays and inline tables open around the current value
}

// nest notes one more level of nesting at the current position; it reports
// false once the file nests too deep (the scan then stops).
func (s *scanner) nest(levels int) bool {
	if levels > maxNesting && s.loc.tooDeep == nil {
		at := s.here()
		s.loc.tooDeep = &at
	}
	if s.loc.tooDeep != nil {
		s.i = len(s.src)
		return false
	}
	return true
}

func (s *scanner) eof() bool { return s.i >= len(s.src) }

func (s *scanner) peek(off int) byte {
	if s.i+off < len(s.src) {
		return s.src[s.i+off]
	}
	return 0
}

func (s *scanner) advance() {
	if s.eof() {
		return
	}
	if s.src[s.i] == '\n' {
		s.line++
		s.col = 1
	} else {
		s.col++
	}
	s.i++
}

func (s *scanner) here() position { return position{s.line, s.col} }

func (s *scanner) record(p keyPath, at position) {
	k := p.String()
	if _, ok := s.loc.pos[k]; !ok {
		s.loc.pos[k] = at
	}
}

// skipSpace skips blanks; with newlines also line ends and comments.
func (s *scanner) skipSpace(newlines bool) {
	for !s.eof() {
		switch c := s.src[s.i]; {
		case c == ' ' || c == '\t' || c == '\r':
			s.advance()
		case c == '#':
			if !newlines {
				return
			}
			s.skipLine()
		case c == '\n' && newlines:
			s.advance()
		default:
			return
		}
	}
}

// skipLine moves to the start of the next line.
func (s *scanner) skipLine() {
	for !s.eof() && s.src[s.i] != '\n' {
		s.advance()
	}
	s.advance()
}

func (s *scanner) file() {
	var table keyPath
	for {
		s.skipSpace(true)
		if s.eof() {
			return
		}
		at := s.here()
		if s.src[s.i] == '[' {
			table = s.header(at)
			s.skipLine()
			continue
		}
		start := s.i
		segs := s.key()
		s.skipSpace(false)
		if len(segs) == 0 || s.peek(0) != '=' {
			if s.i == start {
				s.advance()
			}
			s.skipLine()
			continue
		}
		s.advance() // '='
		s.keyValue(table, segs, at)
		s.skipLine()
	}
}

// header reads a [table] or [[array]] header and returns the table path it opens.
func (s *scanner) header(at position) keyPath {
	s.advance()
	array := s.peek(0) == '['
	if array {
		s.advance()
	}
	segs := s.key()
	if len(segs) == 0 {
		return nil
	}
	var p keyPath
	for i, k := range segs {
		if len(p) >= maxLocateDepth {
			break
		}
		p = p.key(k)
		if array && i == len(segs)-1 {
			n := s.arrays[p.String()] + 1
			s.arrays[p.String()] = n
			s.record(p, at)
			p = p.index(n)
		} else if n := s.arrays[p.String()]; n > 0 {
			p = p.index(n)
		}
		s.record(p, at)
	}
	raw := make(keyPath, min(len(segs), maxLocateDepth))
	for i := range raw {
		raw[i] = pathElem{key: segs[i]}
	}
	s.loc.headers = append(s.loc.headers, header{line: at.line, raw: raw.String(), path: p})
	return p
}

// keyValue records a key (and the implicit tables of a dotted key) and scans
// its value.
func (s *scanner) keyValue(table keyPath, segs []string, at position) {
	p := table
	for _, k := range segs {
		if len(p) >= maxLocateDepth {
			break
		}
		p = p.key(k)
		s.record(p, at)
	}
	s.value(p)
}

// key reads a possibly dotted key and returns its segments; nil if there is
// no key here.
func (s *scanner) key() []string {
	var segs []string
	for {
		s.skipSpace(false)
		var k string
		switch c := s.peek(0); {
		case c == '"':
			k = s.basicString()
		case c == '\'':
			k = s.literalString()
		case isBareKeyChar(c):
			start := s.i
			for !s.eof() && isBareKeyChar(s.src[s.i]) {
				s.advance()
			}
			k = string(s.src[start:s.i])
		default:
			return segs
		}
		segs = append(segs, k)
		if !s.nest(len(segs)) {
			return nil
		}
		s.skipSpace(false)
		if s.peek(0) != '.' {
			return segs
		}
		s.advance()
	}
}

// value scans one value, recording the keys of inline tables and the
// elements of arrays under p.
func (s *scanner) value(p keyPath) {
	s.skipSpace(false)
	switch s.peek(0) {
	case '"':
		if s.peek(1) == '"' && s.peek(2) == '"' {
			s.multiline('"')
		} else {
			s.basicString()
		}
	case '\'':
		if s.peek(1) == '\'' && s.peek(2) == '\'' {
			s.multiline('\'')
		} else {
			s.literalString()
		}
	case '[':
		if !s.nest(s.depth + 1) {
			return
		}
		s.depth++
		defer func() { s.depth-- }()
		s.advance()
		n := 0
		for {
			s.skipSpace(true)
			switch s.peek(0) {
			case 0:
				return
			case ']':
				s.advance()
				return
			case ',':
				s.advance()
				continue
			}
			n++
			el := p
			if len(p) < maxLocateDepth {
				el = p.index(n)
				s.record(el, s.here())
			}
			before := s.i
			s.value(el)
			if s.i == before { // not a value: give up on this array
				return
			}
		}
	case '{':
		if !s.nest(s.depth + 1) {
			return
		}
		s.depth++
		defer func() { s.depth-- }()
		s.advance()
		for {
			s.skipSpace(true)
			switch s.peek(0) {
			case 0:
				return
			case '}':
				s.advance()
				return
			case ',':
				s.advance()
				continue
			}
			kat := s.here()
			before := s.i
			segs := s.key()
			s.skipSpace(false)
			if len(segs) == 0 || s.peek(0) != '=' {
				if s.i == before {
					s.advance()
				}
				return
			}
			s.advance()
			s.keyValue(p, segs, kat)
		}
	default:
		// A number, boolean or date: up to the next delimiter.
		for !s.eof() {
			switch s.src[s.i] {
			case ',', ']', '}', '\n', '#':
				return
			}
			s.advance()
		}
	}
}

// basicString reads a "..." string on one line and returns its value (escapes
// decoded as far as Go's rules agree with TOML's, else the raw text).
func (s *scanner) basicString() string {
	s.advance()
	start := s.i
	for !s.eof() {
		switch s.src[s.i] {
		case '\\':
			s.advance()
		case '"':
			raw := string(s.src[start:s.i])
			s.advance()
			if v, err := strconv.Unquote(`"` + raw + `"`); err == nil {
				return v
			}
			return raw
		case '\n':
			return string(s.src[start:s.i])
		}
		s.advance()
	}
	return string(s.src[start:])
}

// literalString reads a '...' string on one line.
func (s *scanner) literalString() string {
	s.advance()
	start := s.i
	for !s.eof() {
		switch s.src[s.i] {
		case '\'':
			v := string(s.src[start:s.i])
			s.advance()
			return v
		case '\n':
			return string(s.src[start:s.i])
		}
		s.advance()
	}
	return string(s.src[start:])
}

// multiline skips a """...""" or ”'...”' string.
func (s *scanner) multiline(q byte) {
	s.advance()
	s.advance()
	s.advance()
	for !s.eof() {
		c := s.src[s.i]
		if c == '\\' && q == '"' {
			s.advance()
			s.advance()
			continue
		}
		if c == q && s.peek(1) == q && s.peek(2) == q {
			s.advance()
			s.advance()
			s.advance()
			// Up to two more quotes may belong to the content.
			for s.peek(0) == q {
				s.advance()
			}
			return
		}
		s.advance()
	}
}
