package report

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latentbench/latentbench/harness/grid"
	"github.com/latentbench/latentbench/harness/runner"
)

func TestSummarize(t *testing.T) {
	s := Summarize([]float64{1, 2, 3, math.NaN()})
	if s.N != 3 || s.Mean != 2 || math.Abs(s.Std-1) > 1e-15 {
		t.Errorf("got %+v", s)
	}
	if got := s.format(2); got != "2 ± 1.00" && got != "2.00 ± 1.00" {
		t.Errorf("format %q", got)
	}
	if got := (Summary{Mean: 10, N: 2}).format(1); got != "10" {
		t.Errorf("agreeing k formats as %q", got)
	}
	if got := Summarize(nil).format(2); got != "—" {
		t.Errorf("empty formats as %q", got)
	}
}

func cell(seed int64, enc, det string, m map[string]float64) runner.Result {
	return runner.Result{Cell: enc + det + string(rune('0'+seed)), Dataset: "digits", Encoder: enc, EncoderLabel: enc,
		Detector: det, DetectorLabel: det, Seed: seed, Status: runner.StatusOK, Metrics: m,
		Timings: map[string]float64{"fit": 2, "score": 0.5},
		Sweeps:  map[string][]runner.KV{"kmeans": {{K: 2, V: m["v_kmeans"] / 2}, {K: 3, V: m["v_kmeans"]}}},
		Classes: &runner.ClassShares{Names: []string{"a", "b"}, All: []float64{0.5, 0.5}, Flagged: []float64{0.7, 0.3}}}
}

func results() []runner.Result {
	return []runner.Result{
		cell(0, "venc", "itrees", map[string]float64{"v_kmeans": 0.5, "k_kmeans": 3, "em": 0.002, "mv": 2, "rmse": 0.05}),
		cell(1, "venc", "itrees", map[string]float64{"v_kmeans": 0.6, "k_kmeans": 3, "em": 0.003, "mv": 3, "rmse": 0.07}),
		cell(0, "cenc", "itrees", map[string]float64{"v_kmeans": 0.8, "k_kmeans": 7, "em": 0.001, "mv": 7, "rmse": 0.03}),
		{Cell: "x", Dataset: "digits", EncoderLabel: "venc", DetectorLabel: "knn", Status: runner.StatusError, Error: "plugin knn: score: boom\nstderr"},
	}
}

func TestTables(t *testing.T) {
	tables := Tables(results())
	ids := []string{}
	for _, tb := range tables {
		ids = append(ids, tb.ID)
	}
	if strings.Join(ids, ",") != "table1,emmv,rmse,status" {
		t.Fatalf("tables %v", ids)
	}
	t1 := tables[0]
	// The VENC's two seeds: V 0.55 ± 0.0707; k agreed on.
	if t1.Rows[0][2] != "0.5500 ± 0.0707" || t1.Rows[0][3] != "3" || t1.Rows[0][4] != "2" {
		t.Errorf("table 1 row %v", t1.Rows[0])
	}
	if st := tables[3]; len(st.Rows) != 1 || st.Rows[0][6] != "plugin knn: score: boom" {
		t.Errorf("status table %v", st.Rows)
	}
	var csv strings.Builder
	if err := CSV(&csv, tables); err != nil || !strings.Contains(csv.String(), "table1,digits,venc,,v_kmeans,0.55,") {
		t.Errorf("csv %v:\n%s", err, csv.String())
	}
}

// declare writes a grid with the given [[claim]]/[[reference]] tables as
// dir/config.toml and returns what it declares.
func declare(t *testing.T, dir, tables string) grid.Declared {
	t.Helper()
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte("[experiment]\nname = \"x\"\nseeds = [0]\n"+tables), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := grid.ReadDeclared(path)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// checks evaluates claims and indexes them by text.
func checks(t *testing.T, tables string, rs []runner.Result) (map[string]Check, []Check) {
	t.Helper()
	list := CheckClaims(declare(t, t.TempDir(), tables).Claims, rs)
	m := map[string]Check{}
	for _, c := range list {
		m[c.Text] = c
	}
	return m, list
}

// TestOwnClaimInReport: a grid's own claim about two encoders is checked in
// its report, and a claim the results contradict says so.
func TestOwnClaimInReport(t *testing.T) {
	dir := t.TempDir()
	declare(t, dir, `
[report]
claims_heading = "My trends"

[[claim]]
text = "my encoder clusters better than the VENC (k-means)"
source = "my paper, Table 4"
metric = "v_kmeans"
direction = "higher"
over = "best"
this = { encoder = "cenc", name = "mine" }
than = { encoder = "venc", name = "VENC" }

[[claim]]
text = "my encoder's EM is below the VENC's"
source = "my paper, Table 5"
metric = "em"
direction = "lower"
this = { encoder_label = "cenc" }
than = { encoder_label = "venc" }
`)
	if err := Document(dir, results(), false); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"## My trends\n\nThe grid's claims",
		"- my encoder clusters better than the VENC (k-means) — ➖ holds (one run a side: untested): mine 0.8000 vs VENC 0.5500 ± 0.0707.\n",
		"- my encoder's EM is below the VENC's — ➖ holds (one run a side: untested): cenc 0.00100 vs venc 0.00250 ± 0.00071.\n",
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("report lacks %q:\n%s", want, b)
		}
	}
	// Without claims, no claims section and no reference table.
	dir = t.TempDir()
	if err := Document(dir, results(), false); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "report.md")); strings.Contains(string(b), "holds") || strings.Contains(string(b), "beside") {
		t.Errorf("a grid without claims gets some:\n%s", b)
	}
}

func TestComparisonClaims(t *testing.T) {
	w := func(seed int64, label, det string, rmse float64) runner.Result {
		r := cell(seed, "wenc", det, map[string]float64{"rmse": rmse})
		r.EncoderLabel = label
		return r
	}
	rs := []runner.Result{
		cell(0, "venc", "knn", map[string]float64{"rmse": 0.04}),
		cell(0, "cenc", "knn", map[string]float64{"rmse": 0.03}),
		w(0, "w(gamma=1)", "knn", 0.02), w(0, "w-learned", "knn", 0.05),
		cell(0, "venc", "itrees", map[string]float64{"rmse": 0.10}),
		cell(0, "cenc", "itrees", map[string]float64{"rmse": 0.12}),
		w(0, "w(gamma=1)", "itrees", 0.03), w(0, "w-learned", "itrees", 0.09),
	}
	got, list := checks(t, `
[[claim]]
text = "CL below VENC ({detector})"
source = "s"
group = "g"
metric = "rmse"
direction = "lower"
per = "detector"
detectors = ["itrees", "knn"]
this = { encoder = "cenc", name = "CL" }
than = { encoder = "venc", name = "VENC" }
reported = [0.0311, 0.0422]
reported_by = "paper"

[[claim]]
text = "every W below VENC ({detector})"
source = "s"
group = "g"
metric = "rmse"
direction = "lower"
over = "each"
per = "detector"
this = { encoder = "wenc" }
than = { encoder = "venc", name = "VENC" }

[[claim]]
text = "the gamma block below VENC ({detector})"
source = "s"
metric = "rmse"
direction = "lower"
over = "each"
per = "detector"
this = { encoder_label = "w" }
than = { encoder = "venc" }
`, rs)
	for text, holds := range map[string]bool{
		"CL below VENC (itrees)":              false,
		"CL below VENC (knn)":                 true,
		"every W below VENC (itrees)":         true,
		"every W below VENC (knn)":            false,
		"the gamma block below VENC (itrees)": true,
		"the gamma block below VENC (knn)":    true,
	} {
		c, ok := got[text]
		if !ok || c.Holds != holds {
			t.Errorf("%q: present %v, holds %v, want %v (%s)", text, ok, c.Holds, holds, c.Detail)
		}
	}
	if d := got["every W below VENC (knn)"].Detail; d != "1 of 2 configurations: w(gamma=1) 0.0200, w-learned 0.0500 vs VENC 0.0400" {
		t.Errorf("detail %q", d)
	}
	if d := got["CL below VENC (itrees)"].Detail; d != "CL 0.1200 vs VENC 0.1000 (paper: 0.0311 vs 0.0422)" {
		t.Errorf("detail %q", d)
	}
	// A group lists its claims scope by scope: itrees, then knn (the
	// detectors of the results' order come after the listed ones).
	var order []string
	for _, c := range list {
		order = append(order, c.Text)
	}
	if want := "CL below VENC (itrees)|every W below VENC (itrees)|CL below VENC (knn)|every W below VENC (knn)|the gamma block below VENC (knn)|the gamma block below VENC (itrees)"; strings.Join(order, "|") != want {
		t.Errorf("order\n%s\nwant\n%s", strings.Join(order, "|"), want)
	}
	// The values behind a verdict are kept for tests over seeds.
	if c := got["CL below VENC (knn)"]; len(c.Metrics) != 1 || c.Metrics[0].This[0].Values[0] != 0.03 || c.Metrics[0].Than[0].Values[0] != 0.04 {
		t.Errorf("values %+v", c.Metrics)
	}
}

func TestBestAndTargetClaims(t *testing.T) {
	rs := results()
	for i := range rs {
		if rs[i].Encoder == "cenc" {
			rs[i].EncoderLabel = "cenc(gamma=1)"
		}
	}
	second := cell(0, "cenc", "itrees", map[string]float64{"v_kmeans": 0.9, "k_kmeans": 12})
	second.EncoderLabel = "cenc(gamma=2)"
	rs = append(rs, second)
	got, _ := checks(t, `
[[claim]]
text = "best CL above VENC and absent PROJ"
source = "s"
metric = "v_kmeans"
direction = "higher"
over = "best"
this = { encoder = "cenc" }
than = [{ encoder = "venc" }, { encoder = "proj" }]

[[claim]]
text = "best CL's k near 10"
source = "s"
metric = "k_kmeans"
over = "best"
best_by = "v_kmeans"
near = 10
within = 1
this = { encoder = "cenc" }

[[claim]]
text = "PROJ above VENC"
source = "s"
metric = "v_kmeans"
direction = "higher"
this = { encoder = "proj" }
than = { encoder = "venc" }
`, rs)
	if c := got["best CL above VENC and absent PROJ"]; !c.Holds || c.Detail != "cenc 0.9000 (cenc(gamma=2)) vs venc 0.5500 ± 0.0707" {
		t.Errorf("best: %+v", c)
	}
	if c := got["best CL's k near 10"]; c.Holds || c.Detail != "cenc 12 (cenc(gamma=2)) against 10 ± 1" {
		t.Errorf("target: %+v", c)
	}
	if _, ok := got["PROJ above VENC"]; ok {
		t.Error("a claim about rows the results lack is checked")
	}
}

func TestReferenceTablesAndClosest(t *testing.T) {
	rs := results()
	w := cell(0, "cenc", "knn", map[string]float64{"v_kmeans": 0.79, "em": 0.002})
	w.EncoderLabel = "cenc-b"
	rs = append(rs, w)
	d := declare(t, t.TempDir(), `
[[reference]]
source = "Author (2019), Table 1"
name = "paper"
metrics = ["v_kmeans", "k_kmeans"]
closest = ["v_kmeans"]
rows = [{ encoder = "venc", v_kmeans = 0.5561, k_kmeans = 14 }, { encoder = "cenc", name = "the C-ENC", v_kmeans = 0.8077 }]

[[reference]]
source = "Author (2019), Table 2"
metrics = ["em"]
delta = false
rows = [{ encoder = "cenc", detector = "itrees", em = 0.873e-3 }]
`)
	tables := referenceTables(d.References, rs)
	if len(tables) != 2 {
		t.Fatalf("%d tables", len(tables))
	}
	t1 := tables[0]
	if t1.Title != "Beside Author (2019), Table 1" || strings.Join(t1.Header, "|") != "dataset|encoder|metric|ours|paper|Δ" {
		t.Errorf("table 1 %q %v", t1.Title, t1.Header)
	}
	var rows []string
	for _, r := range t1.Rows {
		rows = append(rows, strings.Join(r, "|"))
	}
	if want := "digits|venc|V k-means|0.5500 ± 0.0707|0.5561|-0.0061,digits|venc|k k-means|3|14|-11.0,digits|cenc|V k-means|0.8000|0.8077|-0.0077,digits|cenc-b|V k-means|0.7900|0.8077|-0.0177"; strings.Join(rows, ",") != want {
		t.Errorf("table 1 rows\n%s\nwant\n%s", strings.Join(rows, ","), want)
	}
	if t2 := tables[1]; len(t2.Rows) != 1 || strings.Join(t2.Rows[0], "|") != "digits|cenc|itrees|EM|0.00100|0.000873" {
		t.Errorf("table 2 %v %v", t2.Header, t2.Rows)
	}
	lines := closest(d.References, rs)
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "- **Closest to the C-ENC in Author (2019), Table 1**: cenc, on average 0.0077 from its figures over V k-means") {
		t.Errorf("closest %q", lines)
	}
}

func TestClassShareClaim(t *testing.T) {
	r := func(seed int64, flagged []float64) runner.Result {
		c := cell(seed, "venc", "itrees", map[string]float64{})
		names := []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
		all := make([]float64, 10)
		for i := range all {
			all[i] = 0.1
		}
		c.Classes = &runner.ClassShares{Names: names, All: all, Flagged: flagged}
		return c
	}
	// Seed 1 alone would put 6 above its share; the average over seeds does not.
	rs := []runner.Result{
		r(0, []float64{0.3, 0.2, 0.02, 0.1, 0.05, 0.01, 0.02, 0.28, 0.01, 0.01}),
		r(1, []float64{0.2, 0.2, 0.05, 0.1, 0.05, 0.02, 0.12, 0.22, 0.02, 0.02}),
	}
	const claim = `
[[claim]]
text = "0, 1 and 7 over, 2, 5, 6, 8 and 9 under"
source = "s"
over_represented = ["0", "1", "7"]
under_represented = ["2", "5", "6", "8", "9"]
this = { encoder = "venc", detector = "itrees" }
`
	got, _ := checks(t, claim, rs)
	c, ok := got["0, 1 and 7 over, 2, 5, 6, 8 and 9 under"]
	if !ok || !c.Holds || c.Detail != "over-represented 0, 1, 7, under-represented 2, 4, 5, 6, 8, 9 (class shares averaged over 2 runs)" {
		t.Fatalf("claim %+v", c)
	}
	rs[1].Classes.Flagged[8] = 0.5 // 8 now over-represented on average
	if got, _ := checks(t, claim, rs); got["0, 1 and 7 over, 2, 5, 6, 8 and 9 under"].Holds {
		t.Error("8 over-represented, yet the claim holds")
	}
}

func TestDocument(t *testing.T) {
	dir := t.TempDir()
	declare(t, dir, `
[[reference]]
source = "Author (2019), Table 1"
name = "paper"
metrics = ["v_kmeans", "k_kmeans"]
rows = [{ encoder = "cenc", v_kmeans = 0.8077, k_kmeans = 7 }]
`)
	if err := os.WriteFile(filepath.Join(dir, "run.json"), []byte(`{"experiment": "x", "notes": "The author's *reading*."}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Document(dir, results(), true); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, want := range []string{"## Table 1. Beside Author (2019), Table 1", "| digits | cenc | V k-means | 0.8000 | 0.8077 | -0.0077 |",
		"Wall time of each stage", "![Figure 1](figures/vmeasure__digits.png)", "```toml", "| itrees | detector |",
		"## Notes\n\nThe author's *reading*.\n"} {
		if !strings.Contains(doc, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// Every figure the report links exists.
	for _, line := range strings.Split(doc, "\n") {
		if i := strings.Index(line, "](figures/"); i >= 0 {
			name := strings.TrimSuffix(line[i+2:], ")")
			if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
				t.Errorf("report links missing %s", name)
			}
		}
	}
	// A broken claim in config.toml is an error naming file, line and key.
	declareRaw := "[experiment]\nname = \"x\"\nseeds = [0]\n\n[[claim]]\ntext = \"t\"\nsource = \"s\"\nmetric = \"vmeasure\"\n"
	if err := os.WriteFile(filepath.Join(dir, "config.toml"), []byte(declareRaw), 0o644); err != nil {
		t.Fatal(err)
	}
	err = Document(dir, results(), false)
	if err == nil || !strings.Contains(err.Error(), "config.toml:8: claim[1].metric: \"vmeasure\" is not one of") {
		t.Errorf("broken claim: %v", err)
	}
}
