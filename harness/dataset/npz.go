package dataset

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
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
	if len(b) < 10 || string(b[:6]) != "\x93NUMPY" {
		return nil, fmt.Errorf("%s: not a .npy array (bad magic)", name)
	}
	major := b[6]
	var hlen, off int
	switch major {
	case 1:
		hlen, off = int(binary.LittleEndian.Uint16(b[8:10])), 10
	case 2, 3:
		if len(b) < 12 {
			return nil, fmt.Errorf("%s: truncated .npy header", name)
		}
		hlen, off = int(binary.LittleEndian.Uint32(b[8:12])), 12
	default:
		return nil, fmt.Errorf("%s: unsupported .npy format version %d.%d", name, major, b[7])
	}
	if off+hlen > len(b) {
		return nil, fmt.Errorf("%s: truncated .npy header", name)
	}
	h := string(b[off : off+hlen])
	a := &npyArray{data: b[off+hlen:]}
	var err error
	if a.descr, err = npyQuoted(h, "descr"); err != nil {
		return nil, fmt.Errorf("%s: %w in header %q", name, err, h)
	}
	fo, err := npyValue(h, "fortran_order")
	if err != nil {
		return nil, fmt.Errorf("%s: %w in header %q", name, err, h)
	}
	switch {
	case strings.HasPrefix(fo, "True"):
		a.fortran = true
	case strings.HasPrefix(fo, "False"):
	default:
		return nil, fmt.Errorf("%s: bad fortran_order in header %q", name, h)
	}
	sh, err := npyValue(h, "shape")
	if err != nil || !strings.HasPrefix(sh, "(") || !strings.Contains(sh, ")") {
		return nil, fmt.Errorf("%s: bad shape in header %q", name, h)
	}
	for _, f := range strings.Split(sh[1:strings.IndexByte(sh, ')')], ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSuffix(f, "L"))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%s: bad shape in header %q", name, h)
		}
		a.shape = append(a.shape, n)
	}
	size, err := npyItemSize(a.descr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// The shape's product, checked for overflow: a product that wraps
	// around could match the data's length and claim billions of rows.
	count := 1
	for _, n := range a.shape {
		if n > 0 && count > math.MaxInt/size/n {
			return nil, fmt.Errorf("%s: shape %v of %s is too large (%d data bytes)", name, a.shape, a.descr, len(a.data))
		}
		count *= n
	}
	if len(a.data) != count*size {
		return nil, fmt.Errorf("%s: %d data bytes, want %d for shape %v of %s", name, len(a.data), count*size, a.shape, a.descr)
	}
	return a, nil
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
// "anomaly"], Anomaly = (y == 1), one numeric FeatureBlock "X" of width d
// with columns "x0".."x{d-1}", each column scaled with the train split's
// statistics (Spec.Scale, default "standard"; with Split "none" the train
// split is every row).
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
	scalers := make([]scaler, d)
	vals := make([]float64, len(trainPool))
	columns := make([]string, d)
	for j := 0; j < d; j++ {
		for k, r := range trainPool {
			vals[k] = x[r*d+j]
		}
		scalers[j] = fitScaler(s.scale(), vals)
		columns[j] = "x" + strconv.Itoa(j)
		rep.Numeric = append(rep.Numeric, columns[j])
	}
	classes := []string{"normal", "anomaly"}
	build := func(rows []int) Data {
		out := Data{
			X: make([]float32, len(rows)*d), N: len(rows), D: d,
			Labels: make([]int32, len(rows)), Classes: classes, Anomaly: make([]bool, len(rows)),
			Features: []sdk.FeatureBlock{{Name: "X", Kind: sdk.FeatureNumeric, Start: 0, Width: d}},
			Columns:  columns,
		}
		for i, r := range rows {
			src := x[r*d : (r+1)*d]
			dst := out.X[i*d : (i+1)*d]
			for j, v := range src {
				dst[j] = scalers[j].apply(v)
			}
			out.Labels[i] = y[r]
			out.Anomaly[i] = y[r] == 1
		}
		return out
	}
	return &Loaded{Train: build(trainRows), Test: build(testRows), Report: rep}, nil
}
