package grid

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/latentbench/latentbench/sdk"
)

// TestLoadErrors loads each malformed grid in testdata/bad and checks the one
// error it must give: file, line, field and the telling part of the message
// (including the list of allowed values where there is one).
func TestLoadErrors(t *testing.T) {
	cases := []struct {
		file  string
		line  int
		field string
		msg   string
		n     int // number of errors expected; 0 means 1
	}{
		{"unknown_top_key", 13, "experiments", `unknown key "experiments" (allowed: claim, clustering, dataset, detector, encoder, experiment, metrics, reference, regression, report)`, 0},
		{"unknown_experiment_key", 4, "experiment.descripton", `unknown key "descripton" (allowed: description, fit_on, memory, name, notes, seeds, timeout)`, 0},
		{"unknown_dataset_key", 9, "dataset[1].trian", `unknown key "trian" (allowed: anomaly_column, `, 0},
		{"wrong_param_type", 16, "encoder[2].params.latent_dim", `must be an integer, got string "two"`, 0},
		{"wrong_bool_param", 14, "encoder[1].params.whiten", `must be true or false, got string "yes"`, 0},
		{"wrong_axis_value_type", 15, "detector[1].params.n_neighbors[2]", `must be an integer, got number 2.5`, 0},
		{"wrong_field_type", 3, "experiment.seeds[2]", `must be an integer, got string "1"`, 2},
		{"bad_choice", 13, "encoder[1].params.reconstruction_reduction[2]", `must be one of "sum", "mean", got "avg"`, 0},
		{"unknown_plugin", 11, "encoder[1].plugin", `unknown encoder plugin "projj" (available: proj, venc)`, 0},
		{"unknown_param", 16, "detector[1].params.n_trees", `detector "itrees" has no parameter "n_trees" (parameters: max_samples, n_estimators)`, 0},
		{"empty_axis", 14, "encoder[1].params.latent_dim", `empty axis`, 0},
		{"any_param_list", 14, "encoder[1].params.prior_means", `a list for a parameter of type any could be a list of values to run or one value: ` +
			`write prior_means = { axis = ["learned", "circle"] } to run each value, or prior_means = { value = ["learned", "circle"] } to pass the list as one value`, 0},
		{"explicit_axis_value_type", 14, "encoder[1].params.latent_dim.axis[2]", `must be an integer, got string "x"`, 0},
		{"any_param_bad_table", 13, "encoder[1].params.prior_means", `must be a value, a list, { axis = [...] } (values to run each) or { value = ... } (one value), got a table with key "values"`, 0},
		{"mixed_list_axis", 12, "encoder[1].params.hidden", `mixes lists and single values`, 0},
		{"bad_list_axis_element", 15, "encoder[1].params.hidden[2]", `must be a list of integers, got list [512, "x"]`, 0},
		{"duplicate_axis_value", 12, "encoder[1].params.latent_dim[3]", `value 2 is given twice in this axis (also latent_dim[1])`, 0},
		{"missing_data_file", 8, "dataset[1].path", filepath.Join("testdata", "data", "nope.csv") + " is not a file", 0},
		{"npz_drop_column", 11, "dataset[1].drop", `"x4" is not a column of ` + filepath.Join("testdata", "data", "tiny.npz") + `: X.npy has 4 columns, x0..x3`, 0},
		{"duplicate_dataset_name", 14, "dataset[2].name", `"tiny" is also the name of dataset[1] (line 5)`, 0},
		{"single_dataset_table", 5, "dataset", `must be an array of tables: write [[dataset]], not [dataset]`, 0},
		{"no_seeds", 3, "experiment.seeds", `must not be empty`, 0},
		{"missing_seeds", 3, "experiment.seeds", `required`, 0}, // falls back to the [experiment] header
		{"no_experiment", 1, "experiment", `the [experiment] table is required`, 0},
		{"duplicate_seed", 6, "experiment.seeds[3]", `seed 0 is given twice (also seeds[1])`, 0},
		{"bad_duration", 4, "experiment.timeout", `"10 minutes" is not a duration`, 0},
		{"bad_fit_on", 4, "experiment.fit_on", `"both" is not one of "test", "train"`, 0},
		{"bad_name", 2, "experiment.name", `"My Demo" is not a valid name`, 0},
		{"kmax_below_kmin", 15, "clustering.k_max", `k_max = 3 is less than k_min = 5`, 0},
		{"bad_method", 14, "clustering.methods[2]", `"dbscan" is not one of "kmeans", "gmm"`, 0},
		{"bad_contamination", 17, "metrics.contamination", `0.5 is not in (0, 0.5)`, 0},
		{"huge_uniform_points", 17, "metrics.uniform_points", `9223372036854775807 is more than 10000000`, 0},
		{"huge_n_init", 17, "clustering.n_init", `1000000000000 is more than 1000`, 0},
		{"emmv_without_detector", 14, "metrics.emmv", `has no [[detector]]`, 0},
		{"syntax_error", 2, "experiment.name", `expected value but found "bad" instead`, 0},
		{"syntax_error_in_array", 17, "encoder[2].params.latent_dim", `expected a comma (',') or array terminator (']')`, 0},
		{"duplicate_cells", 13, "encoder[2]", `has the same plugin and resolved parameters as encoder[1] (line 10), so every cell would run twice: proj {"latent_dim":2,"whiten":false}`, 0},
		{"duplicate_label", 14, "encoder[2]", `label "venc" is also that of encoder[1] (line 10)`, 0},
	}
	files, err := filepath.Glob("testdata/bad/*.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(cases) {
		t.Errorf("testdata/bad has %d files, the table %d cases", len(files), len(cases))
	}
	reg := testRegistry()
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", "bad", tc.file+".toml")
			g, err := Load(path, reg)
			if err == nil {
				t.Fatalf("Load(%s) = %d cells, want an error", path, len(g.Cells))
			}
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error %v is a %T, not Errors", err, err)
			}
			want := tc.n
			if want == 0 {
				want = 1
			}
			if len(errs) != want {
				t.Errorf("%d errors, want %d:\n%v", len(errs), want, err)
			}
			var first *Error
			if !errors.As(err, &first) {
				t.Fatalf("errors.As(*Error) failed on %v", err)
			}
			if first.File != path || first.Line != tc.line || first.Field != tc.field || first.Col < 1 {
				t.Errorf("got %s:%d:%d field %q, want %s:%d field %q", first.File, first.Line, first.Col, first.Field, path, tc.line, tc.field)
			}
			if !strings.Contains(first.Msg, tc.msg) {
				t.Errorf("message %q does not contain %q", first.Msg, tc.msg)
			}
			prefix := fmt.Sprintf("%s:%d: %s: ", path, tc.line, tc.field)
			if !strings.HasPrefix(first.Error(), prefix) {
				t.Errorf("Error() = %q, want prefix %q", first.Error(), prefix)
			}
			for i := 1; i < len(errs); i++ {
				if errs[i].Line < errs[i-1].Line {
					t.Errorf("errors not sorted by line: %v", err)
				}
			}
		})
	}
}

func TestErrorFormat(t *testing.T) {
	e := &Error{File: "configs/x.toml", Line: 12, Col: 1, Field: "encoder[2].params.latent_dim", Msg: `must be an integer, got string "two"`}
	if got, want := e.Error(), `configs/x.toml:12: encoder[2].params.latent_dim: must be an integer, got string "two"`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	e = &Error{File: "a.toml", Line: 3, Msg: "bad"}
	if got := e.Error(); got != "a.toml:3: bad" {
		t.Errorf("Error() without field = %q", got)
	}
	es := Errors{e, e}
	if got := es.Error(); got != "a.toml:3: bad\na.toml:3: bad" {
		t.Errorf("Errors.Error() = %q", got)
	}
}

func TestLoadUnreadable(t *testing.T) {
	_, err := Load(filepath.Join("testdata", "no-such.toml"), testRegistry())
	if err == nil || !strings.Contains(err.Error(), "no-such.toml") {
		t.Errorf("Load of a missing file: %v", err)
	}
}

func mustLoad(t testing.TB, name string) *Grid {
	t.Helper()
	g, err := Load(filepath.Join("testdata", "valid", name), testRegistry())
	if err != nil {
		t.Fatalf("Load(%s): %v", name, err)
	}
	return g
}

func labels(ins []Instance) []string {
	out := make([]string, len(ins))
	for i := range ins {
		out[i] = ins[i].Label
	}
	return out
}

// TestLoadBasic checks the tables, the instances and the order of the cells
// of a grid with axes written as a table, an inline table and a dotted key.
func TestLoadBasic(t *testing.T) {
	g := mustLoad(t, "basic.toml")

	wantExp := Experiment{Name: "demo", Seeds: []int64{0, 1}, Timeout: 10 * time.Minute, FitOn: FitOnTest,
		Description: "two datasets, four encoder instances, three detector instances"}
	if !reflect.DeepEqual(g.Experiment, wantExp) {
		t.Errorf("Experiment = %+v, want %+v", g.Experiment, wantExp)
	}
	if want := (Clustering{Methods: []string{"kmeans"}, KMin: 2, KMax: 10, NInit: 10}); !reflect.DeepEqual(g.Clustering, want) {
		t.Errorf("Clustering = %+v, want %+v", g.Clustering, want)
	}
	if want := (Metrics{EMMV: true, UniformPoints: 100000, Contamination: 0.05}); g.Metrics != want {
		t.Errorf("Metrics = %+v, want %+v", g.Metrics, want)
	}
	if len(g.Datasets) != 2 || g.Datasets[0].Name != "tiny" || g.Datasets[1].Name != "tiny-b" || g.Datasets[1].Train != 2 {
		t.Errorf("Datasets = %+v", g.Datasets)
	}
	if g.Dir != filepath.Join("testdata", "valid") || len(g.Source) == 0 {
		t.Errorf("Dir = %q, %d source bytes", g.Dir, len(g.Source))
	}

	encLabels := []string{"proj(latent_dim=2)", "proj(latent_dim=3)", "cenc(hidden=[256])", "cenc(hidden=[512,256])"}
	detLabels := []string{"itrees", "knn(n_neighbors=10)", "knn(n_neighbors=20)"}
	if got := labels(g.EncoderInstances); !reflect.DeepEqual(got, encLabels) {
		t.Errorf("encoder labels = %q, want %q", got, encLabels)
	}
	if got := labels(g.DetectorInstances); !reflect.DeepEqual(got, detLabels) {
		t.Errorf("detector labels = %q, want %q", got, detLabels)
	}

	// Resolved parameters: complete, defaults filled and normalised.
	venc := g.EncoderInstances[3]
	wantVAE := sdk.Params{"latent_dim": int64(2), "gamma": 0.3, "hidden": []int64{512, 256},
		"prior_means": "learned", "reconstruction_reduction": "sum"}
	if !reflect.DeepEqual(venc.Params, wantVAE) {
		t.Errorf("cenc params = %#v, want %#v", venc.Params, wantVAE)
	}
	if venc.Params.Int("latent_dim") != 2 || !reflect.DeepEqual(venc.Params.Ints("hidden"), []int{512, 256}) {
		t.Errorf("typed getters on resolved params failed")
	}
	if !reflect.DeepEqual(venc.Varying, map[string]any{"hidden": []int64{512, 256}}) || venc.Block != 1 || venc.Index != 3 {
		t.Errorf("cenc instance = %+v", venc)
	}
	if ifo := g.DetectorInstances[0]; ifo.Varying != nil || ifo.Params.Int("n_estimators") != 100 {
		t.Errorf("itrees instance = %+v", ifo)
	}
	if len(g.Encoders) != 2 || g.Encoders[1].Label != "cenc" || g.Encoders[1].Line != 26 ||
		len(g.Encoders[1].Axes) != 1 || g.Encoders[1].Axes[0].Name != "hidden" ||
		!reflect.DeepEqual(g.Encoders[1].Params, map[string]any{"gamma": 0.3}) {
		t.Errorf("Encoders = %+v", g.Encoders)
	}

	// Order: datasets × encoder instances × detector instances × seeds.
	if len(g.Cells) != 2*4*3*2 {
		t.Fatalf("%d cells, want 48", len(g.Cells))
	}
	i := 0
	for _, ds := range []string{"tiny", "tiny-b"} {
		for ei, enc := range encLabels {
			for di, det := range detLabels {
				for _, seed := range []int64{0, 1} {
					c := g.Cells[i]
					if c.Index != i || c.Dataset.Name != ds || c.Encoder.Label != enc || c.Detector.Label != det || c.Seed != seed ||
						c.EncoderIndex != ei || c.DetectorIndex != di || c.Detector != &g.DetectorInstances[di] ||
						c.Dataset != &g.Datasets[c.DatasetIndex] {
						t.Errorf("cell %d = %d %s %s %s %d, want %s %s %s %d", i, c.Index, c.Dataset.Name, c.Encoder.Label,
							c.Detector.Label, c.Seed, ds, enc, det, seed)
					}
					i++
				}
			}
		}
	}
	// Cells that differ only in the detector share the encoder fit.
	fits := map[string]int{}
	for i := range g.Cells {
		fits[g.Cells[i].EncodingID()]++
	}
	if len(fits) != 2*4*2 {
		t.Errorf("%d distinct encoder fits, want 16", len(fits))
	}
	for id, n := range fits {
		if n != 3 {
			t.Errorf("encoder fit %s shared by %d cells, want 3", id, n)
		}
	}
}

// TestCellIDs checks the ID's definition against an independent rendering of
// the canonical string, its stability across loads, and that reordering every
// block, dataset, axis value and seed (and writing defaults out, and
// relabelling) changes the order of the cells but not their IDs.
func TestCellIDs(t *testing.T) {
	g := mustLoad(t, "basic.toml")
	canon := "dataset=tiny\n" +
		`encoder=proj {"latent_dim":2,"whiten":false}` + "\n" +
		`detector=itrees {"max_samples":"auto","n_estimators":100}` + "\n" +
		"seed=0"
	sum := sha256.Sum256([]byte(canon))
	if want := hex.EncodeToString(sum[:])[:12]; g.Cells[0].ID != want {
		t.Errorf("cell 0 ID = %s, want %s", g.Cells[0].ID, want)
	}
	// A cell of the venc block, whose defaults include a Go int and an []int.
	c := g.Cells[3*3*2+1*2+1] // encoder 3, detector 1 (knn 10), seed 1
	canon = "dataset=tiny\n" +
		`encoder=venc {"gamma":0.3,"hidden":[512,256],"latent_dim":2,"prior_means":"learned","reconstruction_reduction":"sum"}` + "\n" +
		`detector=knn {"n_neighbors":10}` + "\n" +
		"seed=1"
	sum = sha256.Sum256([]byte(canon))
	if want := hex.EncodeToString(sum[:])[:12]; c.ID != want {
		t.Errorf("cell %d (%s) ID = %s, want %s", c.Index, cellPlace(&c), c.ID, want)
	}

	seen := map[string]bool{}
	for _, c := range g.Cells {
		if len(c.ID) != 12 || seen[c.ID] {
			t.Errorf("bad or repeated ID %q", c.ID)
		}
		seen[c.ID] = true
	}

	again := mustLoad(t, "basic.toml")
	for i := range g.Cells {
		if g.Cells[i].ID != again.Cells[i].ID {
			t.Fatalf("cell %d: ID %s, then %s", i, g.Cells[i].ID, again.Cells[i].ID)
		}
	}

	re := mustLoad(t, "reordered.toml")
	if len(re.Cells) != len(g.Cells) {
		t.Fatalf("reordered: %d cells, want %d", len(re.Cells), len(g.Cells))
	}
	ids := func(g *Grid) []string {
		out := make([]string, len(g.Cells))
		for i, c := range g.Cells {
			out[i] = c.ID
		}
		return out
	}
	a, b := ids(g), ids(re)
	if reflect.DeepEqual(a, b) {
		t.Errorf("reordered grid gives the cells in the same order")
	}
	sort.Strings(a)
	sort.Strings(b)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("reordered grid gives other IDs")
	}
	// The first cell of the reordered grid: tiny-b, venc hidden=[512,256], knn 20, seed 1.
	f := re.Cells[0]
	if f.Dataset.Name != "tiny-b" || f.Encoder.Label != "cenc(hidden=[512,256])" || f.Detector.Label != "knn(n_neighbors=20)" || f.Seed != 1 {
		t.Errorf("reordered cell 0 = %s", cellPlace(&f))
	}
}

// TestExplicitAxes checks the explicit forms of issue 15's case: an any-typed
// parameter's alternatives written { axis = [...] } are an axis (strings and
// a list alike), { value = ... } one value, for parameters of any type.
func TestExplicitAxes(t *testing.T) {
	g := mustLoad(t, "explicit_axes.toml")
	want := []string{
		"venc(latent_dim=2, prior_means=learned)", "venc(latent_dim=2, prior_means=circle)",
		"venc(latent_dim=2, prior_means=[[0.0,1.0],[1.0,0.0]])",
	}
	if got := labels(g.EncoderInstances); !reflect.DeepEqual(got, want) {
		t.Errorf("encoder labels = %q, want %q", got, want)
	}
	wantPM := []any{"learned", "circle", []any{[]any{0.0, 1.0}, []any{1.0, 0.0}}}
	for i, in := range g.EncoderInstances {
		if pm := in.Params.Value("prior_means"); !reflect.DeepEqual(pm, wantPM[i]) {
			t.Errorf("%s: prior_means = %#v, want %#v", in.Label, pm, wantPM[i])
		}
		if h := in.Params.Ints("hidden"); !reflect.DeepEqual(h, []int{512, 256}) {
			t.Errorf("%s: hidden = %v", in.Label, h)
		}
	}
	if got, want := labels(g.DetectorInstances), []string{"itrees(max_samples=256)", "itrees(max_samples=auto)"}; !reflect.DeepEqual(got, want) {
		t.Errorf("detector labels = %q, want %q", got, want)
	}
	for _, in := range g.DetectorInstances {
		if n := in.Params.Int("n_estimators"); n != 50 {
			t.Errorf("%s: n_estimators = %d", in.Label, n)
		}
	}
	if len(g.Cells) != 6 {
		t.Errorf("%d cells, want 6", len(g.Cells))
	}
}

// TestAxisProduct checks the cartesian product of two axes (sorted by name,
// values in file order, the first varying slowest), that TypeAny lists are
// not expanded, and a grid without detectors.
func TestAxisProduct(t *testing.T) {
	g := mustLoad(t, "product.toml")
	want := []string{
		"venc(gamma=0.3, latent_dim=2)", "venc(gamma=0.3, latent_dim=3)",
		"venc(gamma=0.1, latent_dim=2)", "venc(gamma=0.1, latent_dim=3)",
		"venc(gamma=1.0, latent_dim=2)", "venc(gamma=1.0, latent_dim=3)",
	}
	if got := labels(g.EncoderInstances); !reflect.DeepEqual(got, want) {
		t.Errorf("labels = %q, want %q", got, want)
	}
	for _, in := range g.EncoderInstances {
		if pm := in.Params.Value("prior_means"); !reflect.DeepEqual(pm, []any{[]any{0.0, 1.0}, []any{1.0, 0.0}}) {
			t.Errorf("%s: prior_means = %#v", in.Label, pm)
		}
		if _, ok := in.Params.Value("gamma").(float64); !ok {
			t.Errorf("%s: gamma is %T", in.Label, in.Params.Value("gamma"))
		}
	}
	if len(g.Cells) != 6 || len(g.DetectorInstances) != 0 {
		t.Fatalf("%d cells, %d detector instances", len(g.Cells), len(g.DetectorInstances))
	}
	for i, c := range g.Cells {
		if c.Detector != nil || c.DetectorIndex != -1 || c.Seed != 7 || c.EncoderIndex != i {
			t.Errorf("cell %d = %+v", i, c)
		}
	}
	if g.Metrics.EMMV {
		t.Errorf("EMMV on without detectors")
	}
	if want := (Clustering{Methods: []string{"kmeans", "gmm"}, KMin: 2, KMax: 20, NInit: 10}); !reflect.DeepEqual(g.Clustering, want) {
		t.Errorf("default Clustering = %+v", g.Clustering)
	}
	if g.Experiment.Timeout != DefaultTimeout || g.Experiment.FitOn != FitOnTest {
		t.Errorf("default Experiment = %+v", g.Experiment)
	}
}

// TestListParams checks list-typed parameters: a list of lists is an axis, a
// flat list one value, an empty list the empty value.
func TestListParams(t *testing.T) {
	base := `[experiment]
name = "lists"
seeds = [0]
[[dataset]]
name = "tiny"
format = "csv"
path = "../data/tiny.csv"
[[encoder]]
plugin = "venc"
`
	cases := []struct {
		params string
		want   [][]int64
	}{
		{"params.hidden = [[256], [512, 256]]", [][]int64{{256}, {512, 256}}},
		{"params.hidden = [512, 256]", [][]int64{{512, 256}}},
		{"params.hidden = [[128]]", [][]int64{{128}}},
		{"params.hidden = []", [][]int64{{}}},
		{"", [][]int64{{512}}}, // the default, a Go []int, normalised
	}
	for _, tc := range cases {
		g, err := Parse(filepath.Join("testdata", "valid", "lists.toml"), []byte(base+tc.params+"\n"), testRegistry())
		if err != nil {
			t.Errorf("%s: %v", tc.params, err)
			continue
		}
		var got [][]int64
		for _, in := range g.EncoderInstances {
			got = append(got, in.Params["hidden"].([]int64))
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: hidden values %v, want %v", tc.params, got, tc.want)
		}
	}
}

func TestPlan(t *testing.T) {
	g := mustLoad(t, "basic.toml")
	var b strings.Builder
	g.Plan(&b)
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 1+len(g.Cells)+1 {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(g.Cells)+2, b.String())
	}
	if f := strings.Fields(lines[0]); !reflect.DeepEqual(f, []string{"#", "id", "dataset", "encoder", "detector", "seed"}) {
		t.Errorf("header = %q", lines[0])
	}
	col := strings.Index(lines[0], "dataset")
	for i, c := range g.Cells {
		row := lines[i+1]
		if !strings.Contains(row, c.ID) || row[col:col+len(c.Dataset.Name)] != c.Dataset.Name {
			t.Errorf("row %d not aligned or wrong: %q", i, row)
		}
	}
	want := "48 cells: 2 datasets × 4 encoder instances × 3 detector instances × 2 seeds; 16 encoder fits, 16 clustering sweeps (kmeans; k = 2..10), 48 detector fits; timeout 10m0s per cell"
	if got := lines[len(lines)-1]; got != want {
		t.Errorf("summary = %q\nwant      %q", got, want)
	}
	p := mustLoad(t, "product.toml")
	if got, want := p.Summary(), "6 cells: 1 dataset × 6 encoder instances (no detector) × 1 seed; 6 encoder fits, 12 clustering sweeps (kmeans, gmm; k = 2..20); timeout 30m0s per cell"; got != want {
		t.Errorf("summary = %q\nwant      %q", got, want)
	}
}

func BenchmarkLoad(b *testing.B) {
	path := filepath.Join("testdata", "valid", "basic.toml")
	reg := testRegistry()
	for i := 0; i < b.N; i++ {
		if _, err := Load(path, reg); err != nil {
			b.Fatal(err)
		}
	}
}

func TestRegressionTable(t *testing.T) {
	src := []byte(`
[experiment]
name = "r"
seeds = [0]

[[dataset]]
name = "d"
format = "csv"
path = "testdata/data/tiny.csv"

[[encoder]]
plugin = "proj"

[regression]
default = 1e-6
[regression.tolerance]
v_kmeans = 0.02
em = "big"
`)
	_, err := Parse("r.toml", src, testRegistry())
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Field != "regression.tolerance.em" || errs[0].Line != 18 {
		t.Fatalf("got %v", err)
	}
	_, err = Parse("r.toml", bytes.Replace(src, []byte(`em = "big"`), []byte(`roc_auc = 1e-4`), 1), testRegistry())
	if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Field != "regression.tolerance.roc_auc" || errs[0].Line != 18 ||
		!strings.Contains(errs[0].Error(), `unknown metric "roc_auc" (allowed: v_kmeans, k_kmeans, misclassified_kmeans, v_gmm, k_gmm, misclassified_gmm, em, mv, emmv_subsets, rmse, auc, ap)`) {
		t.Fatalf("a misspelt metric: got %v", err)
	}
	g, err := Parse("r.toml", bytes.Replace(src, []byte(`em = "big"`), []byte(`em = 1e-4`), 1), testRegistry())
	if err != nil {
		t.Fatal(err)
	}
	if g.Regression.For("v_kmeans") != 0.02 || g.Regression.For("em") != 1e-4 || g.Regression.For("mv") != 1e-6 {
		t.Errorf("tolerances %+v", g.Regression)
	}
}
