package dataset

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// readData returns the contents of path, decompressed when it starts with the
// gzip magic bytes (so .csv.gz and .gz files are read transparently).
func readData(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return gunzipIfNeeded(path, raw)
}

func gunzipIfNeeded(path string, raw []byte) ([]byte, error) {
	if len(raw) < 2 || raw[0] != 0x1f || raw[1] != 0x8b {
		return raw, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer zr.Close()
	// The gzip trailer's ISIZE (size mod 2^32 of the last member) is a good
	// capacity hint: one allocation for the usual single-member file.
	hint := 0
	if len(raw) >= 18 {
		hint = int(binary.LittleEndian.Uint32(raw[len(raw)-4:]))
	}
	buf := bytes.NewBuffer(make([]byte, 0, hint+bytes.MinRead))
	if _, err := buf.ReadFrom(zr); err != nil {
		return nil, fmt.Errorf("%s: decompressing: %w", path, err)
	}
	return buf.Bytes(), nil
}

// ParseError is a syntax error of a CSV file, at a 1-based line and byte column.
type ParseError struct {
	File   string
	Line   int
	Column int
	Msg    string
}

// Error formats the error as "file:line:column: message".
func (e *ParseError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// recordReader splits CSV text into records (RFC 4180: fields separated by
// one ASCII byte, optionally double-quoted, "" inside quotes for a quote,
// quoted fields may span lines; LF or CRLF line ends). Unquoted fields and the
// space around quoted ones are trimmed of spaces and tabs (unless the
// separator is one of them); a quote inside an unquoted field is an error;
// empty lines are skipped. A leading UTF-8 byte-order mark is ignored.
type recordReader struct {
	file      string
	data      []byte
	pos       int
	line      int // 1-based line of data[pos]
	lineStart int // offset of the start of that line
	sep       byte
	trim      bool
	fields    [][]byte
}

func newRecordReader(file string, data []byte, sep byte) *recordReader {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	return &recordReader{file: file, data: data, line: 1, sep: sep, trim: sep != ' ' && sep != '\t'}
}

func (r *recordReader) errAt(pos int, format string, args ...any) error {
	return &ParseError{File: r.file, Line: r.line, Column: pos - r.lineStart + 1, Msg: fmt.Sprintf(format, args...)}
}

func (r *recordReader) isSpace(c byte) bool { return r.trim && (c == ' ' || c == '\t') }

// next returns the fields of the next non-empty record and the line it starts
// on, or io.EOF. The fields alias the reader's data or fresh memory and stay
// valid; the slice holding them is reused by the next call.
func (r *recordReader) next() ([][]byte, int, error) {
	data := r.data
	for {
		if r.pos >= len(data) {
			return nil, 0, io.EOF
		}
		// Skip empty lines.
		p := r.pos
		if data[p] == '\n' {
			r.newline(p + 1)
			continue
		}
		if data[p] == '\r' && p+1 < len(data) && data[p+1] == '\n' {
			r.newline(p + 2)
			continue
		}
		break
	}
	startLine := r.line
	r.fields = r.fields[:0]
	p := r.pos
	for {
		for p < len(data) && r.isSpace(data[p]) {
			p++
		}
		if p < len(data) && data[p] == '"' {
			quoteLine, quoteCol := r.line, p-r.lineStart+1
			p++
			begin := p
			escaped := false
			for {
				i := bytes.IndexByte(data[p:], '"')
				if i < 0 {
					return nil, 0, &ParseError{File: r.file, Line: quoteLine, Column: quoteCol, Msg: "quoted field is not closed"}
				}
				for q := p; q < p+i; q++ {
					if data[q] == '\n' {
						r.newline(q + 1)
					}
				}
				p += i + 1
				if p < len(data) && data[p] == '"' {
					escaped = true
					p++
					continue
				}
				break
			}
			field := data[begin : p-1]
			if escaped {
				field = bytes.ReplaceAll(field, []byte(`""`), []byte(`"`))
			}
			r.fields = append(r.fields, field)
			for p < len(data) && r.isSpace(data[p]) {
				p++
			}
			switch {
			case p >= len(data):
				r.pos = p
				return r.fields, startLine, nil
			case data[p] == r.sep:
				p++
				continue
			case data[p] == '\n':
				r.newline(p + 1)
				return r.fields, startLine, nil
			case data[p] == '\r' && p+1 < len(data) && data[p+1] == '\n':
				r.newline(p + 2)
				return r.fields, startLine, nil
			default:
				return nil, 0, r.errAt(p, "unexpected %q after a closing quote", data[p])
			}
		}
		q := p
		for q < len(data) {
			c := data[q]
			if c == r.sep || c == '\n' {
				break
			}
			if c == '"' {
				return nil, 0, r.errAt(q, "quote inside an unquoted field (quote the whole field and double the quote)")
			}
			q++
		}
		end := q
		if end > p && data[end-1] == '\r' && (end == len(data) || data[end] == '\n') {
			end--
		}
		for end > p && r.isSpace(data[end-1]) {
			end--
		}
		r.fields = append(r.fields, data[p:end])
		if q < len(data) && data[q] == r.sep {
			p = q + 1
			continue
		}
		if q < len(data) {
			r.newline(q + 1)
		} else {
			r.pos = q
		}
		return r.fields, startLine, nil
	}
}

// skipLines moves past the first n lines of the file, whatever they hold.
func (r *recordReader) skipLines(n int) {
	for ; n > 0 && r.pos < len(r.data); n-- {
		i := bytes.IndexByte(r.data[r.pos:], '\n')
		if i < 0 {
			r.pos = len(r.data)
			return
		}
		r.newline(r.pos + i + 1)
	}
}

func (r *recordReader) newline(next int) {
	r.pos = next
	r.line++
	r.lineStart = next
}

// readHeader returns the fields of the first record of a CSV file after its
// first skip lines, reading at most the first MiB of its (decompressed) text.
func readHeader(path string, sep byte, skip int) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var src io.Reader = f
	magic := make([]byte, 2)
	if n, _ := io.ReadFull(f, magic); n == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer zr.Close()
		src = zr
	} else if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	buf := make([]byte, 1<<20)
	n, err := io.ReadFull(src, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	buf = buf[:n]
	if n == len(buf) {
		// Cut at the last line end so that a partial line is not taken for a record.
		if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
			buf = buf[:i+1]
		}
	}
	rr := newRecordReader(path, buf, sep)
	rr.skipLines(skip)
	fields, _, err := rr.next()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: the file is empty (no header line)", path)
	}
	if err != nil {
		return nil, err
	}
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = string(f)
	}
	return out, nil
}
