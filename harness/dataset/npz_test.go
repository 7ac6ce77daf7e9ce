package dataset

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

type goldenNPZ struct {
	Descr   string    `json:"descr"`
	Fortran bool      `json:"fortran_order"`
	Shape   []int     `json:"shape"`
	X       []float64 `json:"x"`
	Y       []int32   `json:"y"`
}

// TestNPZGolden reads the tiny .npz files of gen_golden.py (Fortran and C
// order; f8, f4, u1, i2) and compares X (row-major) and y with numpy's.
func TestNPZGolden(t *testing.T) {
	var golden map[string]goldenNPZ
	readJSON(t, "golden_npz.json", &golden)
	if len(golden) != 4 {
		t.Fatalf("golden has %d files, want 4", len(golden))
	}
	for name, g := range golden {
		t.Run(name, func(t *testing.T) {
			x, n, d, y, err := readNPZ(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			if n != g.Shape[0] || d != g.Shape[1] {
				t.Fatalf("shape %dx%d, want %v", n, d, g.Shape)
			}
			if !slices.Equal(x, g.X) {
				t.Errorf("X = %v, want %v", x, g.X)
			}
			if !slices.Equal(y, g.Y) {
				t.Errorf("y = %v, want %v", y, g.Y)
			}
			// Load: labels, anomaly, classes and standardisation on train.
			l, err := Load(context.Background(), Spec{Name: name, Format: "npz", Path: name, Seed: 1, TestFraction: 0.25}, "testdata")
			if err != nil {
				t.Fatal(err)
			}
			if l.Train.N+l.Test.N != n || l.Train.D != d || l.Test.N != int(math.Round(0.25*float64(n))) {
				t.Fatalf("split %d+%d of %d", l.Train.N, l.Test.N, n)
			}
			nAnom := 0
			for _, v := range g.Y {
				nAnom += int(v)
			}
			got := 0
			for _, dd := range []Data{l.Train, l.Test} {
				if !slices.Equal(dd.Classes, []string{"normal", "anomaly"}) || len(dd.Features) != 1 || dd.Features[0].Width != d {
					t.Errorf("classes %q features %+v", dd.Classes, dd.Features)
				}
				for i := 0; i < dd.N; i++ {
					if dd.Anomaly[i] != (dd.Labels[i] == 1) {
						t.Errorf("row %d: anomaly %v label %d", i, dd.Anomaly[i], dd.Labels[i])
					}
					if dd.Anomaly[i] {
						got++
					}
				}
			}
			if got != nAnom {
				t.Errorf("%d anomalies, want %d", got, nAnom)
			}
			for j := 0; j < d; j++ {
				var sum, ss float64
				for i := 0; i < l.Train.N; i++ {
					v := float64(l.Train.X[i*d+j])
					sum += v
					ss += v * v
				}
				mean, variance := sum/float64(l.Train.N), ss/float64(l.Train.N)
				if math.Abs(mean) > 1e-6 || math.Abs(variance-1) > 1e-5 {
					t.Errorf("train column %d: mean %v variance %v, want 0, 1", j, mean, variance)
				}
			}
			// scale = none keeps the values: every train row is a row of X.
			l, err = Load(context.Background(), Spec{Name: name, Format: "npz", Path: name, Seed: 1, Scale: "none"}, "testdata")
			if err != nil {
				t.Fatal(err)
			}
			rows := map[string]bool{}
			for i := 0; i < n; i++ {
				r := make([]float32, d)
				for j := range r {
					r[j] = float32(x[i*d+j])
				}
				rows[fmt.Sprint(r)] = true
			}
			for i := 0; i < l.Train.N; i++ {
				if !rows[fmt.Sprint(l.Train.Row(i))] {
					t.Errorf("train row %d %v is not a row of X", i, l.Train.Row(i))
				}
			}
		})
	}
}

// TestNPZErrors: malformed .npz files are reported with file and member.
func TestNPZErrors(t *testing.T) {
	dir := t.TempDir()
	x2 := npyBytes("<f8", true, "(2, 1)", f8Bytes(1, 2))
	y2 := npyBytes("<i8", false, "(2,)", i8Bytes(0, 1))
	tests := []struct {
		name    string
		members map[string][]byte
		want    string
	}{
		{"ok", map[string][]byte{"X.npy": x2, "y.npy": y2}, ""},
		{"y as column", map[string][]byte{"X.npy": x2, "y.npy": npyBytes("<i8", false, "(2, 1)", i8Bytes(0, 1))}, ""},
		{"big-endian", map[string][]byte{"X.npy": npyBytes(">i4", false, "(2, 1)", []byte{0, 0, 0, 1, 0, 0, 0, 2}), "y.npy": y2}, ""},
		{"bad magic", map[string][]byte{"X.npy": []byte("NUMPY....."), "y.npy": y2}, "X.npy: not a .npy array"},
		{"bad dtype", map[string][]byte{"X.npy": npyBytes("<c16", false, "(2, 1)", make([]byte, 32)), "y.npy": y2}, `unsupported dtype "<c16"`},
		{"short data", map[string][]byte{"X.npy": npyBytes("<f8", false, "(2, 2)", f8Bytes(1, 2)), "y.npy": y2}, "X.npy: 16 data bytes, want 32"},
		{"X 1-D", map[string][]byte{"X.npy": npyBytes("<f8", false, "(2,)", f8Bytes(1, 2)), "y.npy": y2}, "X.npy has shape [2]"},
		{"y length", map[string][]byte{"X.npy": x2, "y.npy": npyBytes("<i8", false, "(3,)", i8Bytes(0, 1, 0))}, "y.npy has shape [3], want (2,)"},
		{"y value", map[string][]byte{"X.npy": x2, "y.npy": npyBytes("<i8", false, "(2,)", i8Bytes(0, 2))}, "y.npy[1] = 2, want 0 (normal) or 1 (anomaly)"},
		{"nan", map[string][]byte{"X.npy": npyBytes("<f8", false, "(2, 1)", f8Bytes(1, math.NaN())), "y.npy": y2}, "X.npy row 1 column 0 is NaN"},
		{"no y", map[string][]byte{"X.npy": x2}, "needs members X.npy and y.npy"},
		{"header", map[string][]byte{"X.npy": npyBytes("<f8", false, "[2, 1]", f8Bytes(1, 2)), "y.npy": y2}, "bad shape"},
		// A shape whose element count overflows (2^61 · 8 · 8 bytes wraps to 0).
		{"shape overflow", map[string][]byte{"X.npy": npyBytes("<f8", false, "(2305843009213693952, 8)", nil), "y.npy": npyBytes("<i8", false, "(2305843009213693952,)", nil)}, "X.npy: shape [2305843009213693952 8] of <f8 is too large (0 data bytes)"},
		{"shape overflow 2", map[string][]byte{"X.npy": npyBytes("<f8", false, "(4611686018427387904, 4)", f8Bytes(1, 2)), "y.npy": y2}, "X.npy: shape [4611686018427387904 4] of <f8 is too large (16 data bytes)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := writeNPZ(t, dir, "t.npz", tc.members)
			x, _, _, _, err := readNPZ(p)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(x, []float64{1, 2}) {
					t.Errorf("X = %v, want [1 2]", x)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), p) {
				t.Errorf("error %v, want it to name %s and contain %q", err, p, tc.want)
			}
		})
	}
}

// Split "none": every row is in both splits, in file order, and the scaling
// is fitted on all rows (the ADBench protocol), for npz and csv alike.
func TestSplitNoneUsesEveryRow(t *testing.T) {
	dir := t.TempDir()
	writeNPZ(t, dir, "a.npz", map[string][]byte{
		"X.npy": npyBytes("<f8", false, "(4, 1)", f8Bytes(1, 2, 3, 6)),
		"y.npy": npyBytes("<i8", false, "(4,)", i8Bytes(0, 0, 0, 1)),
	})
	writeFile(t, dir, "a.csv", []byte("x,class\n1,a\n2,a\n3,b\n6,b\n"))
	for _, s := range []Spec{
		{Name: "n", Format: "npz", Path: "a.npz", Split: SplitNone},
		{Name: "c", Format: "csv", Path: "a.csv", Label: "class", Split: SplitNone},
	} {
		if errs := s.Validate(dir); len(errs) > 0 {
			t.Fatalf("%s: %v", s.Format, errs)
		}
		l, err := Load(context.Background(), s, dir)
		if err != nil {
			t.Fatal(err)
		}
		if l.Train.N != 4 || l.Test.N != 4 {
			t.Fatalf("%s: %d train and %d test rows, want 4 and 4", s.Format, l.Train.N, l.Test.N)
		}
		// mean 3, population sd sqrt(3.5)
		for i, v := range []float64{1, 2, 3, 6} {
			if want := (v - 3) / math.Sqrt(3.5); !closeF32(l.Test.X[i], want) || l.Train.X[i] != l.Test.X[i] {
				t.Errorf("%s: row %d = %v (train %v), want %v", s.Format, i, l.Test.X[i], l.Train.X[i], want)
			}
		}
	}
	for _, tc := range []struct {
		s     Spec
		field string
	}{
		{Spec{Name: "m", Format: "idx", Split: SplitNone}, "split"},
		{Spec{Name: "t", Format: "csv", Path: "a.csv", TestPath: "a.csv", Split: SplitNone}, "split"},
		{Spec{Name: "f", Format: "npz", Path: "a.npz", Split: SplitNone, TestFraction: 0.3}, "test_fraction"},
		{Spec{Name: "b", Format: "npz", Path: "a.npz", Split: "all"}, "split"},
	} {
		found := false
		for _, e := range tc.s.Validate(dir) {
			found = found || e.Field == tc.field
		}
		if !found {
			t.Errorf("%s: no error on %s: %v", tc.s.Name, tc.field, tc.s.Validate(dir))
		}
	}
}
