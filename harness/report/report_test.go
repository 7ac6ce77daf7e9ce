package report

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	return runner.Result{Cell: enc + det + string(rune('0'+seed)), Dataset: "mnist", Encoder: enc, EncoderLabel: enc,
		Detector: det, DetectorLabel: det, Seed: seed, Status: runner.StatusOK, Metrics: m,
		Timings: map[string]float64{"fit": 2, "score": 0.5},
		Sweeps:  map[string][]runner.KV{"kmeans": {{K: 2, V: m["v_kmeans"] / 2}, {K: 3, V: m["v_kmeans"]}}},
		Classes: &runner.ClassShares{Names: []string{"a", "b"}, All: []float64{0.5, 0.5}, Flagged: []float64{0.7, 0.3}}}
}

func results() []runner.Result {
	return []runner.Result{
		cell(0, "vae", "iforest", map[string]float64{"v_kmeans": 0.5, "k_kmeans": 3, "em": 0.002, "mv": 2, "rmse": 0.05}),
		cell(1, "vae", "iforest", map[string]float64{"v_kmeans": 0.6, "k_kmeans": 3, "em": 0.003, "mv": 3, "rmse": 0.07}),
		cell(0, "clvae", "iforest", map[string]float64{"v_kmeans": 0.8, "k_kmeans": 7, "em": 0.001, "mv": 7, "rmse": 0.03}),
		{Cell: "x", Dataset: "mnist", EncoderLabel: "vae", DetectorLabel: "lof", Status: runner.StatusError, Error: "plugin lof: score: boom\nstderr"},
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
	// The VAE's two seeds: V 0.55 ± 0.0707; k agreed on.
	if t1.Rows[0][2] != "0.5500 ± 0.0707" || t1.Rows[0][3] != "3" || t1.Rows[0][4] != "2" {
		t.Errorf("table 1 row %v", t1.Rows[0])
	}
	if st := tables[3]; len(st.Rows) != 1 || st.Rows[0][6] != "plugin lof: score: boom" {
		t.Errorf("status table %v", st.Rows)
	}
	var csv strings.Builder
	if err := CSV(&csv, tables); err != nil || !strings.Contains(csv.String(), "table1,mnist,vae,,v_kmeans,0.55,") {
		t.Errorf("csv %v:\n%s", err, csv.String())
	}
}

func TestRMSETrends(t *testing.T) {
	w := func(seed int64, label, det string, rmse float64) runner.Result {
		r := cell(seed, "wclvae", det, map[string]float64{"rmse": rmse})
		r.EncoderLabel = label
		return r
	}
	rs := []runner.Result{
		cell(0, "vae", "lof", map[string]float64{"rmse": 0.04}),
		cell(0, "clvae", "lof", map[string]float64{"rmse": 0.03}),
		w(0, "w-circle", "lof", 0.02), w(0, "w-learned", "lof", 0.05),
		cell(0, "vae", "iforest", map[string]float64{"rmse": 0.10}),
		cell(0, "clvae", "iforest", map[string]float64{"rmse": 0.12}),
		w(0, "w-circle", "iforest", 0.03), w(0, "w-learned", "iforest", 0.09),
	}
	got := map[string]Trend{}
	var order []string
	for _, tr := range Trends(rs) {
		got[tr.Claim] = tr
		if strings.Contains(tr.Claim, "RMSE") {
			order = append(order, tr.Claim)
		}
	}
	for claim, holds := range map[string]bool{
		"the CL-VAE's class-distribution RMSE is below the VAE's (iforest)":          false,
		"the CL-VAE's class-distribution RMSE is below the VAE's (lof)":              true,
		"the weighted CL-VAE's class-distribution RMSE is below the VAE's (iforest)": true,
		"the weighted CL-VAE's class-distribution RMSE is below the VAE's (lof)":     false,
	} {
		tr, ok := got[claim]
		if !ok || tr.Holds != holds {
			t.Errorf("%q: present %v, holds %v, want %v (%s)", claim, ok, tr.Holds, holds, tr.Detail)
		}
	}
	if d := got["the weighted CL-VAE's class-distribution RMSE is below the VAE's (lof)"].Detail; !strings.HasPrefix(d, "1 of 2 configurations: w-circle 0.0200, w-learned 0.0500") {
		t.Errorf("detail %q", d)
	}
	// The paper's detector comes first, with the paper's numbers.
	if !strings.Contains(order[0], "(iforest)") || !strings.Contains(got[order[0]].Detail, "paper, IF: 0.0326 vs 0.0408") {
		t.Errorf("first RMSE trend %q: %s", order[0], got[order[0]].Detail)
	}
}

func TestTrendsAndDocument(t *testing.T) {
	trends := Trends(results())
	if len(trends) == 0 || !trends[0].Holds || !strings.Contains(trends[0].Claim, "CL-VAE") {
		t.Fatalf("trends %+v", trends)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.toml"), []byte("[experiment]\nname = \"x\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
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
	for _, want := range []string{"## The paper's trends", "beside the paper's Table 1", "| mnist | clvae | k-means | 0.8000 | 7 | 0.8088 | 7 | -0.0088 |",
		"Wall time of each stage", "![Figure 1](figures/vmeasure__mnist.png)", "```toml", "| iforest | detector |",
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
}

func TestTradingDataTrendAndTable(t *testing.T) {
	bank := func(enc string, em, mv float64) runner.Result {
		r := cell(0, enc, "lof", map[string]float64{"em": em, "mv": mv})
		r.Dataset = "bank"
		return r
	}
	rs := []runner.Result{bank("vae", 0.003, 2), bank("clvae", 0.002, 3)}
	trends := Trends(rs)
	if len(trends) != 1 || trends[0].Holds || !strings.Contains(trends[0].Claim, "on bank the CL-VAE scores better than the VAE on EM and MV (lof; the paper's Table 3") {
		t.Fatalf("trends %+v", trends)
	}
	var t3 *Table
	for _, tb := range paperTables(rs) {
		if tb.ID == "paper-table3" {
			t3 = &tb
		}
		if tb.ID == "paper-table2" {
			t.Error("a Table 2 (MNIST) for tabular data")
		}
	}
	if t3 == nil || len(t3.Rows) != 2 || strings.Join(t3.Rows[1], "|") != "bank|clvae|lof|2.000|13.480|3.000|0.551" {
		t.Fatalf("table 3: %+v", t3)
	}
}

func TestClassBiasTrend(t *testing.T) {
	r := func(seed int64, flagged []float64) runner.Result {
		c := cell(seed, "vae", "iforest", map[string]float64{})
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
	find := func(rs []runner.Result) *Trend {
		for _, tr := range Trends(rs) {
			if strings.Contains(tr.Claim, "over-represents 0, 1 and 7") {
				return &tr
			}
		}
		return nil
	}
	tr := find(rs)
	if tr == nil || !tr.Holds || tr.Detail != "over-represented 0, 1, 7, under-represented 2, 4, 5, 6, 8, 9 (class shares averaged over 2 runs)" {
		t.Fatalf("trend %+v", tr)
	}
	rs[1].Classes.Flagged[8] = 0.5 // 8 now over-represented on average
	if tr := find(rs); tr == nil || tr.Holds {
		t.Errorf("8 over-represented, trend %+v", tr)
	}
}
