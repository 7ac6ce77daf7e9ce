package dataset

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	synthIDX{nTrain: 4, nTest: 2, h: 2, w: 2}.write(t, filepath.Join(mkdir(t, dir, "images")))
	mkdir(t, dir, "half")
	writeFile(t, filepath.Join(dir, "half"), DefaultTrainImages, []byte("x"))
	writeFile(t, dir, "notzip.npz", []byte("not a zip"))
	writeNPZ(t, dir, "noy.npz", map[string][]byte{"X.npy": npyBytes("<f8", false, "(1, 1)", f8Bytes(1))})
	writeFile(t, dir, "semi.csv", []byte("a;b;c\n1;2;3\n"))

	td, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	csvOK := Spec{Name: "s", Format: "csv", Path: "small.csv", Label: "kind", AnomalyColumn: "status", NormalValues: []string{"ok"}}
	npzOK := Spec{Name: "n", Format: "npz", Path: "tiny_c_f4.npz"}
	with := func(s Spec, f func(*Spec)) Spec { f(&s); return s }

	tests := []struct {
		name    string
		spec    Spec
		baseDir string
		want    []string // "field: substring of message", in order
	}{
		{"csv ok", csvOK, td, nil},
		{"csv absolute path", with(csvOK, func(s *Spec) { s.Path = filepath.Join(td, "small.csv") }), dir, nil},
		{"csv gz ok", with(csvOK, func(s *Spec) { s.Path = "small.csv.gz" }), td, nil},
		{"csv test_path ok", with(csvOK, func(s *Spec) { s.TestPath = "small_test.csv" }), td, nil},
		{"npz ok", npzOK, td, nil},
		{"idx ok", Spec{Name: "m", Format: "idx", Path: "images", Train: 2, Scale: "none"}, dir, nil},
		{"name and format missing", Spec{}, td, []string{"name: required", `format: required: one of "idx", "csv", "npz"`}},
		{"bad format", Spec{Name: "x", Format: "xls"}, td, []string{`format: "xls" is not one of "idx", "csv", "npz"`}},
		{"negative counts", with(npzOK, func(s *Spec) { s.Train, s.Test = -1, -2 }), td,
			[]string{"train: -1 is negative", "test: -2 is negative"}},
		{"bad scale", with(npzOK, func(s *Spec) { s.Scale = "robust" }), td,
			[]string{`scale: "robust" is not one of "standard", "minmax", "none"`}},
		{"test_fraction 1", with(npzOK, func(s *Spec) { s.TestFraction = 1 }), td, []string{"test_fraction: 1 is not in (0, 1)"}},
		{"test_fraction negative", with(npzOK, func(s *Spec) { s.TestFraction = -0.1 }), td, []string{"test_fraction: -0.1 is not in (0, 1)"}},
		{"npz path missing", Spec{Name: "n", Format: "npz"}, td, []string{"path: required"}},
		{"npz file absent", with(npzOK, func(s *Spec) { s.Path = "absent.npz" }), td, []string{"path: " + filepath.Join(td, "absent.npz") + " is not a file"}},
		{"npz not a zip", with(npzOK, func(s *Spec) { s.Path = "notzip.npz" }), dir, []string{"path: " + filepath.Join(dir, "notzip.npz") + " is not a .npz (zip) file"}},
		{"npz without y", with(npzOK, func(s *Spec) { s.Path = "noy.npz" }), dir, []string{"path: " + filepath.Join(dir, "noy.npz") + " has no member y.npy"}},
		{"csv keys on npz", with(npzOK, func(s *Spec) {
			s.Label, s.Separator, s.Header, s.Columns, s.Missing = "y", ";", boolp(true), []string{"a"}, []string{}
			s.TestPath, s.AnomalyColumn, s.NormalValues, s.Categorical = "t.csv", "a", []string{"0"}, []string{"c"}
		}), td, []string{
			`test_path: only used with format = "csv", not "npz"`, `separator: only used`, `header: only used`,
			`columns: only used`, `label: only used`, `anomaly_column: only used`,
			`normal_values: only used`, `categorical: only used`, `missing: only used`}},
		{"npz drop ok", with(npzOK, func(s *Spec) { s.Drop, s.DropConstant = []string{"x0", "x3"}, true }), td, nil},
		{"npz drop bad", with(npzOK, func(s *Spec) { s.Drop = []string{"x1", "x4", "x1", "b", "x01", "x-1"} }), td, []string{
			`drop: "x4" is not a column of ` + filepath.Join(td, "tiny_c_f4.npz") + `: X.npy has 4 columns, x0..x3`,
			`drop: "x1" is listed twice`,
			`drop: "b" is not an npz column name: npz columns are named "x0".."x3"`,
			`drop: "x01" is not an npz column name`, `drop: "x-1" is not an npz column name`}},
		{"npz drop all", with(npzOK, func(s *Spec) { s.Drop = []string{"x3", "x2", "x1", "x0"} }), td,
			[]string{"drop: no column is left as an input feature: X.npy has 4 columns and drop lists all of them"}},
		{"idx drop", Spec{Name: "m", Format: "idx", Path: "images", Drop: []string{"px0"}, DropConstant: true}, dir, []string{
			`drop: not used with format = "idx": its pixels are kept together as images`,
			`drop_constant: not used with format = "idx"`}},
		{"idx extras", Spec{Name: "m", Format: "idx", Path: "images", TestFraction: 0.3, Stratify: boolp(false), Scale: "standard"}, dir,
			[]string{"test_fraction: not used with format = \"idx\"", "stratify: not used", `scale: "standard" not allowed with format = "idx"`}},
		{"idx dir absent", Spec{Name: "m", Format: "idx", Path: "nope"}, dir, []string{"path: " + filepath.Join(dir, "nope") + " is not a directory"}},
		{"idx files absent", Spec{Name: "m", Format: "idx", Path: "half"}, dir,
			[]string{"path: directory " + filepath.Join(dir, "half") + " lacks train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz"}},
		{"idx path missing", Spec{Name: "m", Format: "idx"}, dir, []string{"path: required: the directory holding train-images-idx3-ubyte.gz"}},
		{"idx keys on npz", with(npzOK, func(s *Spec) { s.TrainImages, s.TestLabels = "a", "b" }), td,
			[]string{`train_images: only used with format = "idx", not "npz"`, `test_labels: only used with format = "idx", not "npz"`}},
		{"csv path missing", Spec{Name: "c", Format: "csv"}, td, []string{"path: required"}},
		{"csv file absent", with(csvOK, func(s *Spec) { s.Path = "nope.csv" }), td, []string{"path: " + filepath.Join(td, "nope.csv") + " is not a file"}},
		{"csv test file absent", with(csvOK, func(s *Spec) { s.TestPath = "nope.csv" }), td, []string{"test_path: " + filepath.Join(td, "nope.csv") + " is not a file"}},
		{"test_path with split keys", with(csvOK, func(s *Spec) { s.TestPath, s.TestFraction, s.Stratify = "small_test.csv", 0.3, boolp(true) }), td,
			[]string{"test_fraction: not used with test_path", "stratify: not used with test_path"}},
		{"bad separator", with(csvOK, func(s *Spec) { s.Separator = ";;" }), td, []string{`separator: ";;" is not one ASCII character`}},
		{"quote separator", with(csvOK, func(s *Spec) { s.Separator = `"` }), td, []string{`separator: "\"" is not one ASCII character`}},
		{"unknown label", with(csvOK, func(s *Spec) { s.Label = "species" }), td,
			[]string{`label: column "species" is not one of the file's columns: id, age, income, city, code, const, kind, status`}},
		{"unknown columns in lists", with(csvOK, func(s *Spec) { s.Drop, s.Categorical = []string{"zip"}, []string{"colour"} }), td,
			[]string{`drop: column "zip" is not one`, `categorical: column "colour" is not one`}},
		{"anomaly column is label", with(csvOK, func(s *Spec) { s.AnomalyColumn = "kind" }), td,
			[]string{`anomaly_column: "kind" is also the label column`}},
		{"anomaly column without normal values", with(csvOK, func(s *Spec) { s.NormalValues = nil }), td,
			[]string{"normal_values: required with anomaly_column"}},
		{"normal values without anomaly column", with(csvOK, func(s *Spec) { s.AnomalyColumn = "" }), td,
			[]string{"normal_values: only used with anomaly_column"}},
		{"drop label, categorical anomaly", with(csvOK, func(s *Spec) { s.Drop, s.Categorical = []string{"kind"}, []string{"status", "age"} }), td,
			[]string{`drop: column "kind" is the label column`, `categorical: column "status" is the anomaly_column column`}},
		{"categorical and dropped", with(csvOK, func(s *Spec) { s.Drop, s.Categorical = []string{"age"}, []string{"age"} }), td,
			[]string{`categorical: column "age" is also in drop`}},
		{"nothing left", with(csvOK, func(s *Spec) { s.Drop = []string{"id", "age", "income", "city", "code", "const"} }), td,
			[]string{"drop: no column is left as an input feature"}},
		{"header false without columns", with(csvOK, func(s *Spec) { s.Header, s.Label, s.AnomalyColumn, s.NormalValues = boolp(false), "", "", nil }), td,
			[]string{"header: header = false needs columns"}},
		{"columns checked", with(csvOK, func(s *Spec) {
			s.Columns = []string{"a", "", "a"}
			s.Label = "a"
			s.AnomalyColumn, s.NormalValues = "", nil
		}), td,
			[]string{"columns: column names must not be empty", `columns: column "a" is named twice`}},
		{"given names checked", with(csvOK, func(s *Spec) {
			s.Columns, s.Header = []string{"a", "b", "c"}, boolp(false)
			s.Label, s.AnomalyColumn, s.NormalValues = "b", "d", []string{"x"}
		}), td, []string{`anomaly_column: column "d" is not one of`}},
		{"wrong separator shows one column", with(csvOK, func(s *Spec) { s.Path = "semi.csv"; s.Label = "b"; s.AnomalyColumn, s.NormalValues = "", nil }), dir,
			[]string{`label: column "b" is not one of the file's columns: a;b;c`}},
		{"right separator", with(csvOK, func(s *Spec) {
			s.Path, s.Separator, s.Label = "semi.csv", ";", "b"
			s.AnomalyColumn, s.NormalValues = "", nil
		}), dir, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := tc.spec.Validate(tc.baseDir)
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d errors, want %d:\n%s", len(got), len(tc.want), strings.Join(got, "\n"))
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(got[i], w) && !strings.Contains(got[i], w) {
					t.Errorf("error %d = %q, want it to contain %q", i, got[i], w)
				}
				if field := strings.SplitN(w, ":", 2)[0]; errs[i].Field != field {
					t.Errorf("error %d field = %q, want %q", i, errs[i].Field, field)
				}
			}
		})
	}
}

// TestValidateFieldsAreTOMLKeys checks that every Field a FieldError may
// carry is a toml tag of Spec, so the grid parser can map it to a line.
func TestValidateFieldsAreTOMLKeys(t *testing.T) {
	src, err := os.ReadFile("spec.go")
	if err != nil {
		t.Fatal(err)
	}
	fields := []string{"name", "format", "path", "test_path", "separator", "header", "skip_lines", "test_header", "test_skip_lines", "columns",
		"label", "anomaly_column", "normal_values", "categorical", "drop", "drop_constant", "missing", "train", "test",
		"test_fraction", "stratify", "seed", "scale"}
	for _, f := range fields {
		if !strings.Contains(string(src), `toml:"`+f+`"`) {
			t.Errorf("spec.go has no toml tag %q", f)
		}
	}
	s := Spec{}
	keys := s.csvOnlyKeys()
	for _, k := range keys {
		if !slices.Contains(fields, k.key) {
			t.Errorf("csv-only key %q is not a Spec toml key", k.key)
		}
	}
}

func mkdir(t testing.TB, parts ...string) string {
	t.Helper()
	p := filepath.Join(parts...)
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestConfigsDataSetsValid: every csv and npz data set of the grids in configs/ validates
// against the bundled data, and sets no key Spec lacks (a key the loader no longer knows
// would otherwise only surface when the grid is run). Paths through an environment
// variable (${LATENTBENCH_DATA}) name data outside the repository and are skipped.
func TestConfigsDataSetsValid(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "configs", "*.toml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no grids in configs/: %v", err)
	}
	checked := 0
	for _, f := range files {
		var g struct {
			Dataset []Spec `toml:"dataset"`
		}
		md, err := toml.DecodeFile(f, &g)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		for _, k := range md.Undecoded() {
			if len(k) > 0 && k[0] == "dataset" {
				t.Errorf("%s: [[dataset]] sets %s, which is not a data set key", f, k)
			}
		}
		for _, s := range g.Dataset {
			if (s.Format != FormatCSV && s.Format != FormatNPZ) || strings.Contains(s.Path+s.TestPath, "${") {
				continue
			}
			for _, e := range s.Validate(filepath.Dir(f)) {
				t.Errorf("%s: data set %q: %v", f, s.Name, e)
			}
			checked++
		}
	}
	if checked < 10 {
		t.Errorf("checked only %d csv and npz data sets in configs/", checked)
	}
}
