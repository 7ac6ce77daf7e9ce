package ranking

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/latentbench/latentbench/harness/runner"
)

// cells makes one OK cell per (data set, detector, seed) with the given
// metric values: vals[d][m][s].
func cells(metric string, dets []string, vals [][][]float64) []runner.Result {
	var out []runner.Result
	for d, per := range vals {
		for m, seeds := range per {
			for s, v := range seeds {
				out = append(out, runner.Result{
					Dataset: string(rune('a' + d)), EncoderLabel: "ident", DetectorLabel: dets[m],
					Seed: int64(s), Status: runner.StatusOK, Metrics: map[string]float64{metric: v},
				})
			}
		}
	}
	return out
}

func TestAnalyzeRanksAndDirection(t *testing.T) {
	dets := []string{"a", "b", "c"}
	// Ten data sets on which c is always best, a always worst, except
	// that a and b tie on the first; two seeds each, averaged.
	var vals [][][]float64
	for d := 0; d < 10; d++ {
		x := float64(d) / 100
		a, b := 0.5+x, 0.6+x
		if d == 0 {
			b = a
		}
		vals = append(vals, [][]float64{{a - 0.01, a + 0.01}, {b, b}, {0.9 + x, 0.9 + x}})
	}
	res := cells("auc", dets, vals)
	res = append(res, runner.Result{Dataset: "z", EncoderLabel: "ident", DetectorLabel: "a", Status: runner.StatusOK,
		Metrics: map[string]float64{"auc": 1}}) // only one detector on z: dropped
	an, err := Analyze(res, Options{Metric: "auc", Baseline: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if len(an.Blocks) != 10 || !slices.Equal(an.Dropped, []string{"z"}) || an.Seeds != 2 {
		t.Fatalf("blocks %v dropped %v seeds %d", an.Blocks, an.Dropped, an.Seeds)
	}
	if !slices.Equal(an.Ranks[0], []float64{2.5, 2.5, 1}) || !slices.Equal(an.Ranks[1], []float64{3, 2, 1}) {
		t.Errorf("ranks %v %v", an.Ranks[0], an.Ranks[1])
	}
	want := []float64{2.95, 2.05, 1}
	for m, r := range an.AvgRanks {
		if math.Abs(r-want[m]) > 1e-12 {
			t.Errorf("average rank of %s = %v, want %v", dets[m], r, want[m])
		}
	}
	if an.Friedman.P > 1e-3 || an.ImanDavenport.P > an.Friedman.P {
		t.Errorf("Friedman p = %v, Iman–Davenport p = %v: want both small, F's smaller", an.Friedman.P, an.ImanDavenport.P)
	}
	// c beats both on all ten sets: exact p = 2/2¹⁰, Holm ×3 and ×2.
	for _, p := range an.Pairs {
		if p.A == 0 && p.B == 2 && math.Abs(p.P-2.0/1024) > 1e-15 {
			t.Errorf("a vs c: p = %v, want 2/1024", p.P)
		}
	}
	if len(an.Cliques) != 0 {
		t.Errorf("cliques %v: every pair differs", an.Cliques)
	}
	if r := an.Record[0]; an.Methods[r.Method] != "b" || r.Wins != 9 || r.Ties != 1 || r.Losses != 0 {
		t.Errorf("b against a: %+v", r)
	}
	// Lower is better for RMSE: the same numbers rank the other way.
	low, err := Analyze(cells("rmse", dets, vals), Options{Metric: "rmse"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(low.Ranks[1], []float64{1, 2, 3}) {
		t.Errorf("rmse ranks %v, want 1 2 3", low.Ranks[1])
	}
	md := an.Markdown("figures/cd.png")
	for _, s := range []string{"| **average rank** | **2.95** | **2.05** | **1.00** |", "Friedman χ²", "Iman–Davenport", "![critical-difference diagram](figures/cd.png)", "| b | 9 | 1 | 0 |"} {
		if !strings.Contains(md, s) {
			t.Errorf("markdown lacks %q:\n%s", s, md)
		}
	}
}

func TestCliquesJoinIndistinguishable(t *testing.T) {
	dets := []string{"a", "b", "c"}
	// a and b alternate (no difference), c is always worst.
	var vals [][][]float64
	for d := 0; d < 12; d++ {
		a, b := 0.8, 0.7
		if d%2 == 1 {
			a, b = b, a
		}
		vals = append(vals, [][]float64{{a + float64(d)/1000}, {b}, {0.1}})
	}
	an, err := Analyze(cells("auc", dets, vals), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(an.Cliques) != 1 || len(an.Cliques[0]) != 2 || an.Methods[an.Cliques[0][1]] == "c" {
		t.Fatalf("cliques %v, want a and b together", an.Cliques)
	}
	path := filepath.Join(t.TempDir(), "cd.png")
	if err := an.DrawCD(path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < 500 || b.Dy() < 150 {
		t.Errorf("diagram %v: too small to read", b)
	}
}

func TestAnalyzeErrors(t *testing.T) {
	res := cells("auc", []string{"a", "b"}, [][][]float64{{{0.5}, {0.6}}})
	if _, err := Analyze(res, Options{}); err == nil || !strings.Contains(err.Error(), "need at least 2") {
		t.Errorf("one data set: %v", err)
	}
	if _, err := Analyze(res, Options{Metric: "k_gmm"}); err == nil {
		t.Error("k_gmm has no direction: want an error")
	}
}
