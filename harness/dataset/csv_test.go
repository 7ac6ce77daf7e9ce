package dataset

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/latentbench/latentbench/sdk"
)

type goldenCSVScale struct {
	Columns  []string           `json:"columns"`
	Features []sdk.FeatureBlock `json:"features"`
	XTrain   [][]float64        `json:"x_train"`
	XTest    [][]float64        `json:"x_test"`
}

type goldenCSV struct {
	Standard     goldenCSVScale `json:"standard"`
	MinMax       goldenCSVScale `json:"minmax"`
	None         goldenCSVScale `json:"none"`
	Classes      []string       `json:"classes"`
	LabelsTrain  []int32        `json:"labels_train"`
	LabelsTest   []int32        `json:"labels_test"`
	AnomalyTrain []bool         `json:"anomaly_train"`
	AnomalyTest  []bool         `json:"anomaly_test"`
	Missing      map[string]int `json:"missing_by_column"`
	Unseen       map[string]int `json:"unseen_by_column"`
	Rows         int            `json:"rows"`
	Dropped      int            `json:"dropped"`
	Numeric      []string       `json:"numeric"`
	Categorical  []string       `json:"categorical"`
}

func smallSpec() Spec {
	return Spec{
		Name: "small", Format: "csv", Path: "small.csv", TestPath: "small_test.csv",
		Label: "kind", AnomalyColumn: "status", NormalValues: []string{"ok"},
		Categorical: []string{"code"}, Drop: []string{"id"},
	}
}

func checkMatrix(t *testing.T, what string, d Data, want [][]float64) {
	t.Helper()
	if d.N != len(want) {
		t.Fatalf("%s: N = %d, want %d", what, d.N, len(want))
	}
	for i, row := range want {
		if d.D != len(row) {
			t.Fatalf("%s: D = %d, want %d", what, d.D, len(row))
		}
		for j, w := range row {
			if g := d.X[i*d.D+j]; !closeF32(g, w) {
				t.Errorf("%s[%d][%d] (%s) = %v, want %v", what, i, j, d.Columns[j], g, w)
			}
		}
	}
}

// TestCSVGolden compares the encoding of small.csv / small_test.csv with the
// scikit-learn pipelines of testdata/gen_golden.py, for each scale.
func TestCSVGolden(t *testing.T) {
	var g goldenCSV
	readJSON(t, "golden_csv.json", &g)
	for _, tc := range []struct {
		scale string
		want  goldenCSVScale
	}{{"", g.Standard}, {"standard", g.Standard}, {"minmax", g.MinMax}, {"none", g.None}} {
		t.Run("scale="+tc.scale, func(t *testing.T) {
			s := smallSpec()
			s.Scale = tc.scale
			l, err := Load(context.Background(), s, "testdata")
			if err != nil {
				t.Fatal(err)
			}
			checkMatrix(t, "train", l.Train, tc.want.XTrain)
			checkMatrix(t, "test", l.Test, tc.want.XTest)
			for _, d := range []Data{l.Train, l.Test} {
				if !slices.Equal(d.Columns, tc.want.Columns) {
					t.Errorf("columns = %q, want %q", d.Columns, tc.want.Columns)
				}
				if !slices.Equal(d.Features, tc.want.Features) {
					t.Errorf("features = %+v, want %+v", d.Features, tc.want.Features)
				}
				if !slices.Equal(d.Classes, g.Classes) {
					t.Errorf("classes = %q, want %q", d.Classes, g.Classes)
				}
			}
			if !slices.Equal(l.Train.Labels, g.LabelsTrain) || !slices.Equal(l.Test.Labels, g.LabelsTest) {
				t.Errorf("labels = %v / %v, want %v / %v", l.Train.Labels, l.Test.Labels, g.LabelsTrain, g.LabelsTest)
			}
			if !slices.Equal(l.Train.Anomaly, g.AnomalyTrain) || !slices.Equal(l.Test.Anomaly, g.AnomalyTest) {
				t.Errorf("anomaly = %v / %v, want %v / %v", l.Train.Anomaly, l.Test.Anomaly, g.AnomalyTrain, g.AnomalyTest)
			}
			r := l.Report
			if r.Rows != g.Rows || r.Dropped != g.Dropped {
				t.Errorf("rows, dropped = %d, %d, want %d, %d", r.Rows, r.Dropped, g.Rows, g.Dropped)
			}
			if !mapsEqual(r.MissingByColumn, g.Missing) {
				t.Errorf("missing = %v, want %v", r.MissingByColumn, g.Missing)
			}
			if !mapsEqual(r.UnseenByColumn, g.Unseen) {
				t.Errorf("unseen = %v, want %v", r.UnseenByColumn, g.Unseen)
			}
			if !slices.Equal(r.Numeric, g.Numeric) || !slices.Equal(r.Categorical, g.Categorical) {
				t.Errorf("numeric %q categorical %q, want %q %q", r.Numeric, r.Categorical, g.Numeric, g.Categorical)
			}
			if r.SplitTrain != len(g.LabelsTrain) || r.SplitTest != len(g.LabelsTest) || r.StratifiedBy != "" {
				t.Errorf("split %d/%d stratified %q", r.SplitTrain, r.SplitTest, r.StratifiedBy)
			}
		})
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestCSVGzipSameAsPlain loads small.csv and small.csv.gz with a seeded
// split: same rows, same digest.
func TestCSVGzipSameAsPlain(t *testing.T) {
	s := smallSpec()
	s.TestPath = ""
	s.Seed = 7
	a, err := Load(context.Background(), s, "testdata")
	if err != nil {
		t.Fatal(err)
	}
	s.Path = "small.csv.gz"
	b, err := Load(context.Background(), s, "testdata")
	if err != nil {
		t.Fatal(err)
	}
	if a.Digest != b.Digest {
		t.Errorf("digest of .csv %s != .csv.gz %s", a.Digest, b.Digest)
	}
	if a.Train.N+a.Test.N != 22 || a.Report.StratifiedBy != "label" {
		t.Errorf("rows %d+%d, stratified by %q", a.Train.N, a.Test.N, a.Report.StratifiedBy)
	}
}

// TestCSVSplit checks the seeded split: stratified by label, by anomaly
// without label, plain without either or with stratify = false.
func TestCSVSplit(t *testing.T) {
	base := smallSpec()
	base.TestPath = ""
	base.Seed = 3
	base.TestFraction = 0.5
	tests := []struct {
		name   string
		mod    func(*Spec)
		strat  string
		byWhat func(d Data, i int) int
	}{
		{"label", func(*Spec) {}, "label", func(d Data, i int) int { return int(d.Labels[i]) }},
		{"anomaly", func(s *Spec) { s.Label = "" }, "anomaly", func(d Data, i int) int {
			if d.Anomaly[i] {
				return 1
			}
			return 0
		}},
		{"none", func(s *Spec) { s.Label, s.AnomalyColumn, s.NormalValues = "", "", nil }, "", nil},
		{"off", func(s *Spec) { s.Stratify = boolp(false) }, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := base
			tc.mod(&s)
			l, err := Load(context.Background(), s, "testdata")
			if err != nil {
				t.Fatal(err)
			}
			if l.Report.StratifiedBy != tc.strat {
				t.Errorf("stratified by %q, want %q", l.Report.StratifiedBy, tc.strat)
			}
			n := l.Train.N + l.Test.N
			if want := int(math.Round(0.5 * float64(n))); l.Test.N != want {
				t.Errorf("test rows %d, want round(0.5·%d) = %d", l.Test.N, n, want)
			}
			if tc.byWhat != nil {
				count := func(d Data) map[int]int {
					m := map[int]int{}
					for i := 0; i < d.N; i++ {
						m[tc.byWhat(d, i)]++
					}
					return m
				}
				tr, te := count(l.Train), count(l.Test)
				for k, nTrain := range tr {
					total := nTrain + te[k]
					if want := float64(l.Test.N) * float64(total) / float64(n); math.Abs(float64(te[k])-want) >= 1 {
						t.Errorf("stratum %d: %d of %d rows in test, want %v ± 1", k, te[k], total, want)
					}
				}
			}
			l2, err := Load(context.Background(), s, "testdata")
			if err != nil {
				t.Fatal(err)
			}
			if l.Digest != l2.Digest {
				t.Error("same spec, different digest")
			}
			s.Seed++
			l3, err := Load(context.Background(), s, "testdata")
			if err != nil {
				t.Fatal(err)
			}
			if l.Digest == l3.Digest {
				t.Error("another seed, same digest")
			}
		})
	}
}

// TestCSVLayouts covers header-less files, columns renaming a header line,
// tabs, missing = [], CRLF, BOM, spaces, empty lines, and the standardisation
// of the train split (mean 0, variance 1).
func TestCSVLayouts(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "nohead.csv", []byte("1,x,a\n2,y,b\n3,x,a\n4,y,b\n5,x,a\n"))
	writeFile(t, dir, "counthead.csv", []byte("5,2,foo,bar\n1,x,a\n2,y,b\n3,x,a\n4,y,b\n5,x,a\n"))
	writeFile(t, dir, "tabs.tsv", []byte("n\tc\tl\n1\tNA\ta\n2\ty\tb\n3\tx\ta\n4\ty\tb\n5\tx\ta\n"))
	writeFile(t, dir, "crlf.csv", []byte("\xef\xbb\xbfn,c,l\r\n1, x ,a\r\n\r\n2,\"y\",b\r\n3,x,a\r\n4,y,b\r\n5,x,a"))
	tests := []struct {
		name    string
		spec    Spec
		columns []string
		x0      []float32 // first train row
	}{
		{"no header", Spec{Path: "nohead.csv", Header: boolp(false), Columns: []string{"n", "c", "l"}, Label: "l"},
			[]string{"n", "c=x", "c=y"}, []float32{-1.4142135, 1, 0}},
		{"columns rename a count line", Spec{Path: "counthead.csv", Columns: []string{"n", "c", "l"}, Label: "l", Scale: "none"},
			[]string{"n", "c=x", "c=y"}, []float32{1, 1, 0}},
		{"tab separator written as \\t", Spec{Path: "tabs.tsv", Separator: `\t`, Label: "l", Scale: "minmax"},
			[]string{"n", "c=(missing)", "c=x", "c=y"}, []float32{0, 1, 0, 0}},
		{"tab separator", Spec{Path: "tabs.tsv", Separator: "\t", Label: "l", Missing: []string{}, Scale: "minmax"},
			[]string{"n", "c=NA", "c=x", "c=y"}, []float32{0, 1, 0, 0}},
		{"crlf, bom, spaces, empty line", Spec{Path: "crlf.csv", Label: "l", Categorical: []string{"n"}},
			[]string{"n=1", "n=2", "n=3", "n=4", "n=5", "c=x", "c=y"}, []float32{1, 0, 0, 0, 0, 1, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.spec
			s.Name, s.Format = "t", "csv"
			s.TestPath = s.Path // the whole file is both splits: the first row is known
			l, err := Load(context.Background(), s, dir)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(l.Train.Columns, tc.columns) {
				t.Fatalf("columns %q, want %q", l.Train.Columns, tc.columns)
			}
			if l.Train.N != 5 || l.Test.N != 5 {
				t.Fatalf("split %d/%d, want 5/5", l.Train.N, l.Test.N)
			}
			if !slices.Equal(l.Train.Classes, []string{"a", "b"}) {
				t.Errorf("classes %q", l.Train.Classes)
			}
			if s.Scale == "" && tc.columns[0] == "n" {
				var sum, ss float64
				for i := 0; i < l.Train.N; i++ {
					v := float64(l.Train.Row(i)[0])
					sum += v
					ss += v * v
				}
				if math.Abs(sum) > 1e-6 || math.Abs(ss/5-1) > 1e-6 {
					t.Errorf("train column n has mean %v, variance %v; want 0, 1", sum/5, ss/5)
				}
			}
			if got := l.Train.Row(0); !slices.EqualFunc(got, tc.x0, func(a, b float32) bool { return math.Abs(float64(a-b)) < 1e-6 }) {
				t.Errorf("first row %v, want %v", got, tc.x0)
			}
		})
	}
}

// TestCSVNumericRules: constant column → 0 (std 1), a column with one word
// is categorical, numeric labels sort as numbers. (An infinity in a numeric
// column is an error: see TestCSVErrors.)
func TestCSVNumericRules(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "r.csv", []byte("k,w,lab\n3,1,10\n3,2,9\n3,x,10\n3,4,9\n3,5,100\n"))
	s := Spec{Name: "r", Format: "csv", Path: "r.csv", Label: "lab", TestFraction: 0.2}
	l, err := Load(context.Background(), s, dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"k"}; !slices.Equal(l.Report.Numeric, want) {
		t.Errorf("numeric %q, want %q", l.Report.Numeric, want)
	}
	if want := []string{"w"}; !slices.Equal(l.Report.Categorical, want) {
		t.Errorf("categorical %q, want %q", l.Report.Categorical, want)
	}
	if want := []string{"9", "10", "100"}; !slices.Equal(l.Train.Classes, want) {
		t.Errorf("classes %q, want %q", l.Train.Classes, want)
	}
	for _, d := range []Data{l.Train, l.Test} {
		for i := 0; i < d.N; i++ {
			if v := d.Row(i)[0]; v != 0 {
				t.Errorf("constant column encoded as %v, want 0", v)
			}
		}
	}
}

// TestCSVErrors: parse errors name the file, line and column.
func TestCSVErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content, test string
		want                string
	}{
		{"field count", "a,b\n1,2\n3\n", "", "bad.csv:3:1: 1 fields, want 2"},
		{"unclosed quote", "a,b\n1,2\n3,\"x\n\n", "", "bad.csv:3:3: quoted field is not closed"},
		{"bare quote", "a,b\n1,2\n3,x\"y\n", "", "bad.csv:3:4: quote inside an unquoted field"},
		{"after closing quote", "a,b\n1,\"2\"x\n", "", "bad.csv:2:6: unexpected 'x' after a closing quote"},
		{"quoted newline keeps counting", "a,b\n1,\"two\nlines\"\n3\n", "", "bad.csv:4:1: 1 fields, want 2"},
		{"empty", "", "", "bad.csv: the file is empty"},
		{"test not numeric", "a,b\n1,x\n2,y\n", "a,b\n3,x\nfour,y\n", `test.csv:3: column "a" (field 1): "four" is not a number`},
		{"inf", "a,b\n1,x\n2,y\ninf,z\n", "", `bad.csv:4: column "a" (field 1): "inf" is not a finite number`},
		{"test -Infinity", "a,b\n1,x\n2,y\n", "a,b\n3,x\n-Infinity,y\n", `test.csv:3: column "a" (field 1): "-Infinity" is not a finite number`},
		{"test header differs", "a,b\n1,x\n2,y\n", "a,c\n3,x\n", "test.csv: the header (a, c) differs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			writeFile(t, dir, "bad.csv", []byte(tc.content))
			s := Spec{Name: "b", Format: "csv", Path: "bad.csv", Header: boolp(true), Columns: nil}
			if tc.content == "" {
				s.Header, s.Columns = nil, nil
			}
			if tc.test != "" {
				writeFile(t, dir, "test.csv", []byte(tc.test))
				s.TestPath = "test.csv"
			}
			_, err := loadCSV(context.Background(), s, dir)
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), filepath.Join(dir, tc.want)) {
				t.Errorf("error %q, want it to contain %q", err, filepath.Join(dir, tc.want))
			}
		})
	}
	// Validate catches bad specs before loading; Load reports them.
	_, err := Load(context.Background(), Spec{Name: "x", Format: "csv"}, dir)
	var fe FieldError
	if err == nil || !errors.As(err, &fe) || fe.Field != "path" {
		t.Errorf("Load of an invalid spec: %v", err)
	}
	// Too many rows asked for.
	writeFile(t, dir, "ok.csv", []byte("a\n1\n2\n3\n4\n5\n"))
	_, err = Load(context.Background(), Spec{Name: "x", Format: "csv", Path: "ok.csv", Train: 5}, dir)
	if err == nil || !strings.Contains(err.Error(), "train = 5: the train split has only 4 rows") {
		t.Errorf("train too large: %v", err)
	}
	// Cancellation.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Load(ctx, Spec{Name: "x", Format: "csv", Path: "ok.csv"}, dir); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled load: %v", err)
	}
}
