package stats

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// tol is the agreement required with SciPy on every golden value.
const tol = 1e-12

type goldens struct {
	Scipy string `json:"scipy"`
	Rank  []struct {
		X, Ranks []float64
	} `json:"rank"`
	Wilcoxon []struct {
		Name        string    `json:"name"`
		X           []float64 `json:"x"`
		Y           []float64 `json:"y"`
		ZeroMethod  string    `json:"zero_method"`
		Alternative string    `json:"alternative"`
		Method      string    `json:"method"`
		Correction  bool      `json:"correction"`
		Statistic   float64   `json:"statistic"`
		P           float64   `json:"p"`
	} `json:"wilcoxon"`
	Friedman []struct {
		Data          [][]float64 `json:"data"`
		Chi2          float64     `json:"chi2"`
		P             float64     `json:"p"`
		ImanDavenport float64     `json:"iman_davenport"`
		ImanDavenP    float64     `json:"iman_davenport_p"`
		Ranks         [][]float64 `json:"ranks"`
	} `json:"friedman"`
	Holm []struct {
		P        []float64 `json:"p"`
		Adjusted []float64 `json:"adjusted"`
	} `json:"holm"`
	TTest []struct {
		X           []float64 `json:"x"`
		Y           []float64 `json:"y"`
		Alternative string    `json:"alternative"`
		WelchT      float64   `json:"welch_t"`
		WelchP      float64   `json:"welch_p"`
		PairedT     *float64  `json:"paired_t"`
		PairedP     *float64  `json:"paired_p"`
	} `json:"ttest"`
}

func load(t *testing.T) goldens {
	t.Helper()
	b, err := os.ReadFile("testdata/goldens.json")
	if err != nil {
		t.Fatal(err)
	}
	var g goldens
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

// close reports whether got agrees with want to tol, absolutely, or
// relatively for values beyond 1 (statistics).
func close(got, want float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

func TestRankGoldens(t *testing.T) {
	g := load(t)
	for i, c := range g.Rank {
		got := Rank(c.X)
		for j := range got {
			if got[j] != c.Ranks[j] {
				t.Errorf("case %d: rank[%d] = %v, scipy %v", i, j, got[j], c.Ranks[j])
			}
		}
	}
}

func TestWilcoxonGoldens(t *testing.T) {
	g := load(t)
	if len(g.Wilcoxon) < 100 {
		t.Fatalf("only %d Wilcoxon goldens", len(g.Wilcoxon))
	}
	seen := map[WilcoxonMethod]int{}
	worst := 0.0
	for _, c := range g.Wilcoxon {
		o := WilcoxonOptions{ZeroMethod: ZeroMethod(c.ZeroMethod), Alternative: Alternative(c.Alternative),
			Method: WilcoxonMethod(c.Method), Correction: c.Correction}
		r, err := Wilcoxon(c.X, c.Y, o)
		if err != nil {
			t.Errorf("%s %+v: %v", c.Name, o, err)
			continue
		}
		seen[r.Method]++
		worst = math.Max(worst, math.Abs(r.P-c.P))
		if !close(r.Statistic, c.Statistic) || !close(r.P, c.P) {
			t.Errorf("%s %+v: T = %v, p = %.17g; scipy %s: %v, %.17g (|Δp| = %.3g)",
				c.Name, o, r.Statistic, r.P, g.Scipy, c.Statistic, c.P, math.Abs(r.P-c.P))
		}
	}
	t.Logf("%d cases (%v), largest |Δp| against scipy %s: %.3g", len(g.Wilcoxon), seen, g.Scipy, worst)
	if seen[Exact] == 0 || seen[Approx] == 0 {
		t.Errorf("goldens cover methods %v; want both exact and approx", seen)
	}
}

func TestFriedmanGoldens(t *testing.T) {
	g := load(t)
	for i, c := range g.Friedman {
		r, err := Friedman(c.Data)
		if err != nil {
			t.Fatal(err)
		}
		if !close(r.Statistic, c.Chi2) || !close(r.P, c.P) {
			t.Errorf("case %d: χ² = %v, p = %v; scipy %v, %v", i, r.Statistic, r.P, c.Chi2, c.P)
		}
		id := ImanDavenport(r.Statistic, len(c.Data), len(c.Data[0]))
		if !close(id.Statistic, c.ImanDavenport) || !close(id.P, c.ImanDavenP) {
			t.Errorf("case %d: F = %v, p = %v; scipy %v, %v", i, id.Statistic, id.P, c.ImanDavenport, c.ImanDavenP)
		}
		for b, row := range c.Data {
			for j, rk := range Rank(row) {
				if rk != c.Ranks[b][j] {
					t.Errorf("case %d block %d: rank[%d] = %v, scipy %v", i, b, j, rk, c.Ranks[b][j])
				}
			}
		}
	}
}

func TestHolmGoldens(t *testing.T) {
	g := load(t)
	for i, c := range g.Holm {
		for j, v := range Holm(c.P) {
			if !close(v, c.Adjusted[j]) {
				t.Errorf("case %d: adjusted[%d] = %v, want %v", i, j, v, c.Adjusted[j])
			}
		}
	}
}

func TestTTestGoldens(t *testing.T) {
	g := load(t)
	for i, c := range g.TTest {
		alt := Alternative(c.Alternative)
		w, err := Welch(c.X, c.Y, alt)
		if err != nil {
			t.Fatal(err)
		}
		if !close(w.Statistic, c.WelchT) || !close(w.P, c.WelchP) {
			t.Errorf("case %d %s: Welch t = %v, p = %.17g; scipy %v, %.17g", i, alt, w.Statistic, w.P, c.WelchT, c.WelchP)
		}
		if c.PairedT == nil {
			continue
		}
		p, err := PairedT(c.X, c.Y, alt)
		if err != nil {
			t.Fatal(err)
		}
		if !close(p.Statistic, *c.PairedT) || !close(p.P, *c.PairedP) {
			t.Errorf("case %d %s: paired t = %v, p = %.17g; scipy %v, %.17g", i, alt, p.Statistic, p.P, *c.PairedT, *c.PairedP)
		}
	}
}

func TestWilcoxonErrors(t *testing.T) {
	if _, err := Wilcoxon([]float64{1, 2}, []float64{1, 2}, WilcoxonOptions{}); err == nil {
		t.Error("all differences zero under zero method wilcox: want an error, as scipy")
	}
	if _, err := Wilcoxon([]float64{1}, []float64{1, 2}, WilcoxonOptions{}); err == nil {
		t.Error("unequal lengths: want an error")
	}
	r, err := Wilcoxon([]float64{0, 0, 0}, nil, WilcoxonOptions{ZeroMethod: ZeroSplit})
	if err != nil || r.P != 1 {
		t.Errorf("zsplit with all zeros: p = %v, %v; want 1", r.P, err)
	}
}

func TestImanDavenportPerfectAgreement(t *testing.T) {
	data := [][]float64{{1, 2, 3}, {1, 2, 3}, {1, 2, 3}}
	f, err := Friedman(data)
	if err != nil {
		t.Fatal(err)
	}
	if id := ImanDavenport(f.Statistic, 3, 3); !math.IsInf(id.Statistic, 1) || id.P != 0 {
		t.Errorf("identical rankings: F = %v, p = %v; want +Inf, 0", id.Statistic, id.P)
	}
}
