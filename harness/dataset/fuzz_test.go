package dataset

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"testing"
)

// readAllRecords reads every record of data with the package's reader.
func readAllRecords(data []byte, sep byte) ([][]string, error) {
	r := newRecordReader("fuzz.csv", data, sep)
	var out [][]string
	for {
		fields, line, err := r.next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if line < 1 {
			return out, errors.New("record on a line before the first")
		}
		rec := make([]string, len(fields))
		for i, f := range fields {
			rec[i] = string(f)
		}
		out = append(out, rec)
	}
}

// FuzzRecordReader checks the CSV reader against encoding/csv on the inputs
// where the two dialects agree: comma-separated, no spaces or tabs (this
// reader trims them around fields), no carriage returns (encoding/csv turns
// \r\n inside quotes into \n) and no byte-order mark. There both must accept
// the same inputs and give the same records; on any input the reader must not
// panic and must end.
func FuzzRecordReader(f *testing.F) {
	for _, s := range []string{
		"a,b,c\n1,2,3\n", "x\n\n\ny\n", `"a ""quoted"" field",2` + "\n", "\"multi\nline\",1\n", "a,,\n,,\n",
		`a"b,c`, `"open`, `"a"b`, "last,line", "\xef\xbb\xbfbom,1\r\n2,3\r\n", " a , b \n", "\"\"\n", ",\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := readAllRecords(data, ',')
		for _, sep := range []byte{';', '\t', ' '} {
			readAllRecords(data, sep) // must not panic
		}
		if bytes.ContainsAny(data, " \t\r") || bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
			return
		}
		cr := csv.NewReader(bytes.NewReader(data))
		cr.FieldsPerRecord = -1
		want, werr := cr.ReadAll()
		if (err == nil) != (werr == nil) {
			t.Fatalf("input %q: this reader's error %v, encoding/csv's %v", data, err, werr)
		}
		if err == nil && !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("input %q: records\n%q\nencoding/csv:\n%q", data, got, want)
		}
	})
}

// FuzzParseNPY: any bytes either parse into an array whose data holds exactly
// its shape's values, or give an error; never a panic.
func FuzzParseNPY(f *testing.F) {
	f.Add(npyBytes("<f8", false, "(2, 1)", make([]byte, 16)))
	f.Add(npyBytes("|u1", true, "(3,)", []byte{1, 2, 3}))
	f.Add(npyBytes("<i4", false, "()", make([]byte, 4)))
	f.Add(npyBytes("<f8", false, "(4611686018427387904, 4)", nil))
	f.Add([]byte("\x93NUMPY\x02\x00\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := parseNPY("fuzz.npy", b)
		if err != nil {
			return
		}
		count := 1
		for _, n := range a.shape {
			count *= n
		}
		if v := a.float64s(); len(v) != count {
			t.Fatalf("shape %v (%d values) but %d values decoded", a.shape, count, len(v))
		}
	})
}

// FuzzReadNPZ: an .npz archive of two fuzzed members either loads into X
// (n×d) and y (n values 0 or 1) or gives an error; never a panic.
func FuzzReadNPZ(f *testing.F) {
	x := npyBytes("<f8", true, "(2, 2)", make([]byte, 32))
	y := npyBytes("<i8", false, "(2,)", []byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add(x, y)
	f.Add(npyBytes("<f8", true, "(4611686018427387904, 4)", nil), npyBytes("<i8", false, "(4611686018427387904,)", nil))
	f.Add(x, npyBytes("|u1", false, "(2, 1)", []byte{0, 2}))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, xb, yb []byte) {
		path := writeNPZ(t, dir, "fuzz.npz", map[string][]byte{"X.npy": xb, "y.npy": yb})
		xs, n, d, ys, err := readNPZ(path)
		if err != nil {
			return
		}
		if len(xs) != n*d || len(ys) != n {
			t.Fatalf("X has %d values for %d×%d, y %d for %d rows", len(xs), n, d, len(ys), n)
		}
	})
}
