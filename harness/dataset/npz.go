package dataset

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/latentbench/latentbench/sdk"
)

// npyArray is a parsed .npy member: its header fields and raw data.
type npyArray struct {
	descr   string // e.g. "<f8"
	fortran bool
	shape   []int
	data    []byte
}

// parseNPY parses the NumPy .npy format (format versions 1.0, 2.0 and 3.0,
// numpy/lib/format.py): the magic "\x93NUMPY", a version, a little-endian
// header length (2 bytes in 1.0, 4 in 2.0/3.0), then a Python dict literal
// with keys 'descr', 'fortran_order' and 'shape', then the raw data.
func parseNPY(name string, b []byte) (*npyArray, error) {
	a, count, size, err := parseNPYHeader(name, b)
	if err != nil {
		return nil, err
	}
	if len(a.data) != count*size {
		return nil, fmt.Errorf("%s: %d data bytes, want %d for shape %v of %s", name, len(a.data), count*size, a.shape, a.descr)
	}
	return a, nil
}

// npyPrefixLen returns the length of the magic, version, header length and
// header at the start of b (at least its first 12 bytes), without parsing
// the header.
func npyPrefixLen(name string, b []byte) (int, error) {
	if len(b) < 10 || string(b[:6]) != "\x93NUMPY" {
		return 0, fmt.Errorf("%s: not a .npy array (bad magic)", name)
	}
	switch b[6] {
	case 1:
		return 10 + int(binary.LittleEndian.Uint16(b[8:10])), nil
	case 2, 3:
		if len(b) < 12 {
			return 0, fmt.Errorf("%s: truncated .npy header", name)
		}
		return 12 + int(binary.LittleEndian.Uint32(b[8:12])), nil
	}
	return 0, fmt.Errorf("%s: unsupported .npy format version %d.%d", name, b[6], b[7])
}

// parseNPYHeader parses the header of a .npy array in b; the returned
// array's data is the rest of b, whatever its length. count is the product
// of the shape (checked for overflow), size the element's byte size.
func parseNPYHeader(name string, b []byte) (a *npyArray, count, size int, err error) {
	end, err := npyPrefixLen(name, b)
	if err != nil {
		return nil, 0, 0, err
	}
	off := 10
	if b[6] != 1 {
		off = 12
	}
	if end > len(b) {
		return nil, 0, 0, fmt.Errorf("%s: truncated .npy header", name)
	}
	h := string(b[off:end])
	a = &npyArray{data: b[end:]}
	if a.descr, err = npyQuoted(h, "descr"); err != nil {
		return nil, 0, 0, fmt.Errorf("%s: %w in header %q", name, err, h)
	}
	fo, err := npyValue(h, "fortran_order")
	if err != nil {
		return nil, 0, 0, fmt.Errorf("%s: %w in header %q", name, err, h)
	}
	switch {
	case strings.HasPrefix(fo, "True"):
		a.fortran = true
	case strings.HasPrefix(fo, "False"):
	default:
		return nil, 0, 0, fmt.Errorf("%s: bad fortran_order in header %q", name, h)
	}
	sh, err := npyValue(h, "shape")
	if err != nil || !strings.HasPrefix(sh, "(") || !strings.Contains(sh, ")") {
		return nil, 0, 0, fmt.Errorf("%s: bad shape in header %q", name, h)
	}
	for _, f := range strings.Split(sh[1:strings.IndexByte(sh, ')')], ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSuffix(f, "L"))
		if err != nil || n < 0 {
			return nil, 0, 0, fmt.Errorf("%s: bad shape in header %q", name, h)
		}
		a.shape = append(a.shape, n)
	}
	if size, err = npyItemSize(a.descr); err != nil {
		return nil, 0, 0, fmt.Errorf("%s: %w", name, err)
	}
	// The shape's product, checked for overflow: a product that wraps
	// around could match the data's length and claim billions of rows.
	count = 1
	for _, n := range a.shape {
		if n > 0 && count > math.MaxInt/size/n {
			return nil, 0, 0, fmt.Errorf("%s: shape %v of %s is too large (%d data bytes)", name, a.shape, a.descr, len(a.data))
		}
		count *= n
	}
	return a, count, size, nil
}

// npyValue returns the text after 'key': in a header dict.
func npyValue(h, key string) (string, error) {
	i := strings.Index(h, "'"+key+"'")
	if i < 0 {
		return "", fmt.Errorf("no %q", key)
	}
	rest := strings.TrimSpace(h[i+len(key)+2:])
	if !strings.HasPrefix(rest, ":") {
		return "", fmt.Errorf("no value for %q", key)
	}
	return strings.TrimSpace(rest[1:]), nil
}

func npyQuoted(h, key string) (string, error) {
	v, err := npyValue(h, key)
	if err != nil {
		return "", err
	}
	if len(v) < 2 || (v[0] != '\'' && v[0] != '"') {
		return "", fmt.Errorf("bad %q", key)
	}
	end := strings.IndexByte(v[1:], v[0])
	if end < 0 {
		return "", fmt.Errorf("bad %q", key)
	}
	return v[1 : 1+end], nil
}

// npyItemSize checks a dtype string and returns its byte size. Supported:
// byte order '<', '>', '|' or '=' (native: little-endian here), kinds f
// (4, 8 bytes), i and u (1, 2, 4, 8 bytes), b (bool, 1 byte).
func npyItemSize(descr string) (int, error) {
	if len(descr) < 3 || !strings.ContainsRune("<>|=", rune(descr[0])) {
		return 0, fmt.Errorf("unsupported dtype %q", descr)
	}
	size, err := strconv.Atoi(descr[2:])
	ok := err == nil
	switch descr[1] {
	case 'f':
		ok = ok && (size == 4 || size == 8)
	case 'i', 'u':
		ok = ok && (size == 1 || size == 2 || size == 4 || size == 8)
	case 'b':
		ok = ok && size == 1
	default:
		ok = false
	}
	if !ok {
		return 0, fmt.Errorf("unsupported dtype %q (want f4, f8, i1..i8, u1..u8 or b1)", descr)
	}
	return size, nil
}

// float64s decodes the array's elements in storage order.
func (a *npyArray) float64s() []float64 {
	var order binary.ByteOrder = binary.LittleEndian
	if a.descr[0] == '>' {
		order = binary.BigEndian
	}
	size, _ := npyItemSize(a.descr)
	n := len(a.data) / size
	out := make([]float64, n)
	b := a.data
	switch a.descr[1:] {
	case "f8":
		for i := range out {
			out[i] = math.Float64frombits(order.Uint64(b[8*i:]))
		}
	case "f4":
		for i := range out {
			out[i] = float64(math.Float32frombits(order.Uint32(b[4*i:])))
		}
	case "i8":
		for i := range out {
			out[i] = float64(int64(order.Uint64(b[8*i:])))
		}
	case "u8":
		for i := range out {
			out[i] = float64(order.Uint64(b[8*i:]))
		}
	case "i4":
		for i := range out {
			out[i] = float64(int32(order.Uint32(b[4*i:])))
		}
	case "u4":
		for i := range out {
			out[i] = float64(order.Uint32(b[4*i:]))
		}
	case "i2":
		for i := range out {
			out[i] = float64(int16(order.Uint16(b[2*i:])))
		}
	case "u2":
		for i := range out {
			out[i] = float64(order.Uint16(b[2*i:]))
		}
	case "i1":
		for i := range out {
			out[i] = float64(int8(b[i]))
		}
	case "u1", "b1":
		for i := range out {
			out[i] = float64(b[i])
		}
	}
	return out
}

// readNPZ reads an ADBench-style .npz: X (n×d, either memory order) and y
// (n or n×1 values 0/1, 1 = anomaly). It returns X row-major as float64.
func readNPZ(path string) (x []float64, n, d int, y []int32, err error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, 0, 0, nil, err
	}
	defer zr.Close()
	members := map[string]*npyArray{}
	for _, f := range zr.File {
		if f.Name != "X.npy" && f.Name != "y.npy" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, 0, 0, nil, fmt.Errorf("%s: %s: %w", path, f.Name, err)
		}
		buf := bytes.NewBuffer(make([]byte, 0, int(min(f.UncompressedSize64, 1<<31))+bytes.MinRead))
		_, err = buf.ReadFrom(rc)
		rc.Close()
		if err != nil {
			return nil, 0, 0, nil, fmt.Errorf("%s: %s: %w", path, f.Name, err)
		}
		a, err := parseNPY(path+": "+f.Name, buf.Bytes())
		if err != nil {
			return nil, 0, 0, nil, err
		}
		members[f.Name] = a
	}
	xa, ya := members["X.npy"], members["y.npy"]
	if xa == nil || ya == nil {
		return nil, 0, 0, nil, fmt.Errorf("%s: needs members X.npy and y.npy", path)
	}
	if len(xa.shape) != 2 {
		return nil, 0, 0, nil, fmt.Errorf("%s: X.npy has shape %v, want (rows, features)", path, xa.shape)
	}
	n, d = xa.shape[0], xa.shape[1]
	if !(len(ya.shape) == 1 && ya.shape[0] == n) && !(len(ya.shape) == 2 && ya.shape[0] == n && ya.shape[1] == 1) {
		return nil, 0, 0, nil, fmt.Errorf("%s: y.npy has shape %v, want (%d,)", path, ya.shape, n)
	}
	raw := xa.float64s()
	if xa.fortran && n > 1 && d > 1 {
		x = make([]float64, len(raw))
		for j := 0; j < d; j++ {
			col := raw[j*n : (j+1)*n]
			for i, v := range col {
				x[i*d+j] = v
			}
		}
	} else {
		x = raw
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, 0, 0, nil, fmt.Errorf("%s: X.npy row %d column %d is %v", path, i/d, i%d, v)
		}
	}
	yf := ya.float64s()
	y = make([]int32, n)
	for i, v := range yf {
		if v != 0 && v != 1 {
			return nil, 0, 0, nil, fmt.Errorf("%s: y.npy[%d] = %v, want 0 (normal) or 1 (anomaly)", path, i, v)
		}
		y[i] = int32(v)
	}
	return x, n, d, y, nil
}

// loadNPZ prepares an ADBench .npz: Labels = y with Classes ["normal",
// "anomaly"], Anomaly = (y == 1), one numeric FeatureBlock "X" with the
// kept columns of X (named "x0".."x{d-1}" by their index in X, less those
// listed in Spec.Drop and, with Spec.DropConstant, those constant over the
// train split), each scaled with the train split's statistics (Spec.Scale,
// default "standard"; with Split "none" the train split is every row).
func loadNPZ(ctx context.Context, s Spec, baseDir string) (*Loaded, error) {
	path := s.sourcePath(baseDir)
	x, n, d, y, err := readNPZ(path)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rep := LoadReport{Files: []string{path}, Rows: n, MissingByColumn: map[string]int{}, UnseenByColumn: map[string]int{}}
	var trainPool, testPool []int
	if s.allRows() {
		trainPool = make([]int, n)
		for i := range trainPool {
			trainPool[i] = i
		}
		testPool = trainPool
	} else {
		var strata []int32
		if s.stratify() {
			strata = y
			rep.StratifiedBy = "label"
		}
		trainPool, testPool = SplitRows(n, strata, s.testFraction(), newRand(s.Seed, streamSplit))
	}
	if s.allRows() {
		rep.Warnings = npzWarnings(path, y, [][]int{trainPool})
	} else {
		rep.Warnings = npzWarnings(path, y, [][]int{trainPool, testPool})
	}
	trainRows, testRows, err := splitAndSample(&s, trainPool, testPool, &rep)
	if err != nil {
		return nil, err
	}
	enc, err := fitNPZEncoding(&s, path, x, d, trainPool, &rep)
	if err != nil {
		return nil, err
	}
	return &Loaded{Train: enc.build(x, d, y, trainRows), Test: enc.build(x, d, y, testRows), Report: rep}, nil
}

// npzEncoding is the fitted encoding of an npz: the kept columns of X and
// their scaling.
type npzEncoding struct {
	keep    []int // indices into the columns of X
	scalers []scaler
	columns []string
}

// fitNPZEncoding decides the kept columns (Spec.Drop, Spec.DropConstant
// over trainPool; constant as scikit-learn's VarianceThreshold(0) decides
// it: maximum = minimum) and fits each one's scaling on trainPool. It lists
// the dropped and the numeric columns in rep.
func fitNPZEncoding(s *Spec, path string, x []float64, d int, trainPool []int, rep *LoadReport) (*npzEncoding, error) {
	listed := map[int]bool{}
	for _, name := range s.Drop {
		j, ok := npzColumn(name)
		if !ok || j >= d {
			return nil, fmt.Errorf("drop: %q is not a column of %s: X.npy has %d columns, x0..x%d", name, path, d, d-1)
		}
		listed[j] = true
	}
	enc := &npzEncoding{}
	vals := make([]float64, len(trainPool))
	for j := 0; j < d; j++ {
		name := "x" + strconv.Itoa(j)
		if listed[j] {
			rep.DroppedColumns = append(rep.DroppedColumns, DroppedColumn{Name: name, Why: WhyDrop})
			continue
		}
		for k, r := range trainPool {
			vals[k] = x[r*d+j]
		}
		if s.DropConstant && len(vals) > 0 && slices.Min(vals) == slices.Max(vals) {
			rep.DroppedColumns = append(rep.DroppedColumns, DroppedColumn{Name: name, Why: WhyConstant,
				Value: strconv.FormatFloat(vals[0], 'g', -1, 64)})
			continue
		}
		enc.keep = append(enc.keep, j)
		enc.scalers = append(enc.scalers, fitScaler(s.scale(), vals))
		enc.columns = append(enc.columns, name)
		rep.Numeric = append(rep.Numeric, name)
	}
	if len(enc.keep) == 0 {
		return nil, fmt.Errorf("no column of %s is left as an input feature: %s", path, droppedSummary(rep.DroppedColumns))
	}
	return enc, nil
}

// build encodes rows of the n×d row-major x with labels y.
func (enc *npzEncoding) build(x []float64, d int, y []int32, rows []int) Data {
	w := len(enc.keep)
	out := Data{
		X: make([]float32, len(rows)*w), N: len(rows), D: w,
		Labels: make([]int32, len(rows)), Classes: []string{"normal", "anomaly"}, Anomaly: make([]bool, len(rows)),
		Features: []sdk.FeatureBlock{{Name: "X", Kind: sdk.FeatureNumeric, Start: 0, Width: w}},
		Columns:  enc.columns,
	}
	for i, r := range rows {
		src := x[r*d : (r+1)*d]
		dst := out.X[i*w : (i+1)*w]
		for k, j := range enc.keep {
			dst[k] = enc.scalers[k].apply(src[j])
		}
		out.Labels[i] = y[r]
		out.Anomaly[i] = y[r] == 1
	}
	return out
}

// droppedSummary counts dropped columns by reason: "3 listed in drop, 2
// constant (drop_constant)".
func droppedSummary(cols []DroppedColumn) string {
	listed, constant := 0, 0
	for _, c := range cols {
		if c.Why == WhyConstant {
			constant++
		} else {
			listed++
		}
	}
	return fmt.Sprintf("%d listed in drop, %d constant over the rows the scaling is fitted on (drop_constant)", listed, constant)
}

// npzColumn returns the index of the npz column named "x<index>" (the names
// loadNPZ gives the columns of X: "x0", "x1", ...; no sign, no leading zero).
func npzColumn(name string) (int, bool) {
	digits, ok := strings.CutPrefix(name, "x")
	if !ok || digits == "" || len(digits) > 9 || (digits[0] == '0' && len(digits) > 1) {
		return 0, false
	}
	j := 0
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		j = 10*j + int(c-'0')
	}
	return j, true
}

// npzShape reads the shape of the X.npy member of the .npz file zr from its
// header alone, without decompressing the data.
func npzShape(path string, zr *zip.Reader) (shape []int, err error) {
	for _, f := range zr.File {
		if f.Name != "X.npy" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: X.npy: %w", path, err)
		}
		defer rc.Close()
		name := path + ": X.npy"
		b := make([]byte, 12)
		if _, err := io.ReadFull(rc, b); err != nil {
			return nil, fmt.Errorf("%s: truncated .npy header: %w", name, err)
		}
		end, err := npyPrefixLen(name, b)
		if err != nil {
			return nil, err
		}
		if end > 1<<20 {
			return nil, fmt.Errorf("%s: a .npy header of %d bytes", name, end)
		}
		if end > len(b) {
			rest := make([]byte, end-len(b))
			if _, err := io.ReadFull(rc, rest); err != nil {
				return nil, fmt.Errorf("%s: truncated .npy header: %w", name, err)
			}
			b = append(b, rest...)
		}
		a, _, _, err := parseNPYHeader(name, b[:end])
		if err != nil {
			return nil, err
		}
		return a.shape, nil
	}
	return nil, fmt.Errorf("%s has no member X.npy", path)
}
