package dataset

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
)

// TestDropNPZ: drop by "x<j>" and drop_constant leave those columns of X
// out, the kept ones keep their names and are scaled as before, and
// LoadReport.DroppedColumns lists each in column order with its reason.
func TestDropNPZ(t *testing.T) {
	dir := t.TempDir()
	// Row-major 4×4: x0 varies, x1 is constant 5, x2 varies, x3 varies.
	writeNPZ(t, dir, "a.npz", map[string][]byte{
		"X.npy": npyBytes("<f8", false, "(4, 4)", f8Bytes(
			1, 5, 10, 0,
			2, 5, 20, 0,
			3, 5, 30, 1,
			6, 5, 40, 1)),
		"y.npy": npyBytes("<i8", false, "(4,)", i8Bytes(0, 0, 0, 1)),
	})
	s := Spec{Name: "n", Format: "npz", Path: "a.npz", Split: SplitNone, Drop: []string{"x2"}, DropConstant: true}
	if errs := s.Validate(dir); len(errs) > 0 {
		t.Fatal(errs)
	}
	l, err := Load(context.Background(), s, dir)
	if err != nil {
		t.Fatal(err)
	}
	if l.Test.D != 2 || !slices.Equal(l.Test.Columns, []string{"x0", "x3"}) || l.Test.Features[0].Width != 2 {
		t.Fatalf("D = %d, columns %v, features %+v; want x0, x3", l.Test.D, l.Test.Columns, l.Test.Features)
	}
	want := []DroppedColumn{{Name: "x1", Why: WhyConstant, Value: "5"}, {Name: "x2", Why: WhyDrop}}
	if !slices.Equal(l.Report.DroppedColumns, want) {
		t.Errorf("dropped %+v, want %+v", l.Report.DroppedColumns, want)
	}
	if !slices.Equal(l.Report.Numeric, []string{"x0", "x3"}) {
		t.Errorf("numeric %v", l.Report.Numeric)
	}
	// x0: mean 3, sd sqrt(3.5); x3: mean 0.5, sd 0.5.
	for i, v := range []float64{1, 2, 3, 6} {
		if got := l.Test.Row(i); !closeF32(got[0], (v-3)/math.Sqrt(3.5)) || !closeF32(got[1], float64(2*(i/2)-1)) {
			t.Errorf("row %d = %v", i, got)
		}
	}

	// Without drop_constant the constant column stays (centred to 0).
	s.DropConstant = false
	l, err = Load(context.Background(), s, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(l.Test.Columns, []string{"x0", "x1", "x3"}) || l.Test.Row(0)[1] != 0 {
		t.Errorf("columns %v, row 0 %v; want x1 kept as 0", l.Test.Columns, l.Test.Row(0))
	}

	// Every column dropped: an error naming the file and the reasons.
	s.Drop, s.DropConstant = []string{"x0", "x2", "x3"}, true
	if _, err := Load(context.Background(), s, dir); err == nil ||
		!strings.Contains(err.Error(), "no column of") || !strings.Contains(err.Error(), "3 listed in drop, 1 constant") {
		t.Errorf("all dropped: err = %v", err)
	}
}

// TestDropConstantCSV: drop_constant leaves out a numeric column with one
// value after imputation and a categorical column with one category, over
// the train split only (here the train file: the test file's other values do
// not count), and lists them in file order with the listed drop.
func TestDropConstantCSV(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "train.csv", []byte("id,a,b,m,c,z,k\n1,1,7,,x,u,p\n2,2,7,4,y,u,q\n3,3,7,4,x,u,p\n"))
	writeFile(t, dir, "test.csv", []byte("id,a,b,m,c,z,k\n4,1,8,5,y,v,q\n"))
	s := Spec{Name: "c", Format: "csv", Path: "train.csv", TestPath: "test.csv", Label: "k", Drop: []string{"id"}, DropConstant: true}
	if errs := s.Validate(dir); len(errs) > 0 {
		t.Fatal(errs)
	}
	l, err := Load(context.Background(), s, dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []DroppedColumn{
		{Name: "id", Why: WhyDrop},
		{Name: "b", Why: WhyConstant, Value: "7"},
		{Name: "m", Why: WhyConstant, Value: "4"}, // the missing value is imputed with 4
		{Name: "z", Why: WhyConstant, Value: "u"},
	}
	if !slices.Equal(l.Report.DroppedColumns, want) {
		t.Errorf("dropped %+v, want %+v", l.Report.DroppedColumns, want)
	}
	if !slices.Equal(l.Train.Columns, []string{"a", "c=x", "c=y"}) || !slices.Equal(l.Test.Columns, l.Train.Columns) {
		t.Errorf("columns %v / %v, want a, c=x, c=y", l.Train.Columns, l.Test.Columns)
	}
	if !slices.Equal(l.Report.Numeric, []string{"a"}) || !slices.Equal(l.Report.Categorical, []string{"c"}) {
		t.Errorf("numeric %v, categorical %v", l.Report.Numeric, l.Report.Categorical)
	}

	// Without drop_constant only the listed column goes.
	s.DropConstant = false
	if l, err = Load(context.Background(), s, dir); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(l.Report.DroppedColumns, want[:1]) || l.Train.D != 6 {
		t.Errorf("dropped %+v, D = %d; want id alone, 6 columns", l.Report.DroppedColumns, l.Train.D)
	}

	// Nothing left: an error.
	writeFile(t, dir, "flat.csv", []byte("b,z,k\n7,u,p\n7,u,q\n"))
	s = Spec{Name: "f", Format: "csv", Path: "flat.csv", Label: "k", Split: SplitNone, DropConstant: true}
	if _, err := Load(context.Background(), s, dir); err == nil || !strings.Contains(err.Error(), "0 listed in drop, 2 constant") {
		t.Errorf("all constant: err = %v", err)
	}
}
