package dataset

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// readJSON decodes a testdata file into v.
func readJSON(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// closeF32 compares a float32 result with a float64 reference within float32
// rounding (relative 1e-6, absolute 1e-6 near zero).
func closeF32(got float32, want float64) bool {
	return math.Abs(float64(got)-want) <= 1e-6*math.Max(1, math.Abs(want))
}

// writeFile writes content into dir/name and returns the path.
func writeFile(t testing.TB, dir, name string, content []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// idxBytes builds an IDX file: magic, big-endian dimensions, data.
func idxBytes(magic uint32, dims []int, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, magic)
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, uint32(d))
	}
	return append(b, data...)
}

// synthIDX is a tiny synthetic idx data set: nTrain and nTest images of h×w
// pixels, pixel (i, j) of image k = (k*7 + j*3 + 1) % 256, label k % 10.
type synthIDX struct {
	nTrain, nTest, h, w int
}

func (m synthIDX) images(n, offset int) []byte {
	d := m.h * m.w
	px := make([]byte, n*d)
	for k := 0; k < n; k++ {
		for j := 0; j < d; j++ {
			px[k*d+j] = byte(((k+offset)*7 + j*3 + 1) % 256)
		}
	}
	return px
}

func (m synthIDX) labels(n, offset int) []byte {
	lb := make([]byte, n)
	for k := range lb {
		lb[k] = byte((k + offset) % 10)
	}
	return lb
}

// write writes the four gzip'd IDX files into dir, test images offset by 1000.
func (m synthIDX) write(t testing.TB, dir string) {
	t.Helper()
	files := map[string][]byte{
		DefaultTrainImages: idxBytes(idxImagesMagic, []int{m.nTrain, m.h, m.w}, m.images(m.nTrain, 0)),
		DefaultTrainLabels: idxBytes(idxLabelsMagic, []int{m.nTrain}, m.labels(m.nTrain, 0)),
		DefaultTestImages:  idxBytes(idxImagesMagic, []int{m.nTest, m.h, m.w}, m.images(m.nTest, 1000)),
		DefaultTestLabels:  idxBytes(idxLabelsMagic, []int{m.nTest}, m.labels(m.nTest, 1000)),
	}
	for name, b := range files {
		writeFile(t, dir, name, gzipBytes(t, b))
	}
}

// npyBytes builds a version 1.0 .npy file with the given header fields.
func npyBytes(descr string, fortran bool, shape string, data []byte) []byte {
	fo := "False"
	if fortran {
		fo = "True"
	}
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", descr, fo, shape)
	for (10+len(h)+1)%64 != 0 {
		h += " "
	}
	h += "\n"
	b := []byte("\x93NUMPY\x01\x00")
	b = binary.LittleEndian.AppendUint16(b, uint16(len(h)))
	b = append(b, h...)
	return append(b, data...)
}

// writeNPZ writes a zip with the given members into dir/name.
func writeNPZ(t testing.TB, dir, name string, members map[string][]byte) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range sortedKeys(members) {
		w, err := zw.Create(m)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(members[m]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return writeFile(t, dir, name, buf.Bytes())
}

func f8Bytes(v ...float64) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	}
	return b
}

func i8Bytes(v ...int64) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint64(b, uint64(x))
	}
	return b
}

func boolp(b bool) *bool { return &b }
