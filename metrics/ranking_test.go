package metrics

import (
	"errors"
	"math"
	"testing"
)

type scoresLabelSpec struct {
	Values []int   `json:"values"`
	Seed   uint64  `json:"seed"`
	P      float64 `json:"p"`
}

func scoresGenLabels(spec scoresLabelSpec, n int) []bool {
	out := make([]bool, n)
	if spec.Values != nil {
		for i, v := range spec.Values {
			out[i] = v != 0
		}
		return out
	}
	us := &scoresUnitStream{state: spec.Seed}
	for i := range out {
		out[i] = us.next() < spec.P
	}
	return out
}

func TestRankingGoldenSklearn(t *testing.T) {
	var g struct {
		Sklearn string `json:"sklearn"`
		Cases   []struct {
			Name  string          `json:"name"`
			S     scoresSpec      `json:"s"`
			Y     scoresLabelSpec `json:"y"`
			Shift *float64        `json:"shift_anomalies"`
			ROC   float64         `json:"roc_auc"`
			AP    float64         `json:"ap"`
		} `json:"cases"`
	}
	scoresLoadJSON(t, "scores_ranking.json", &g)
	if len(g.Cases) < 10 {
		t.Fatalf("only %d golden cases", len(g.Cases))
	}
	const tol = 1e-12
	for _, c := range g.Cases {
		s := scoresGen(t, c.S)
		y := scoresGenLabels(c.Y, len(s))
		if c.Shift != nil {
			for i := range s {
				if y[i] {
					s[i] += *c.Shift
				}
			}
		}
		roc, err := ROCAUC(s, y)
		if err != nil {
			t.Errorf("%s: ROCAUC: %v", c.Name, err)
			continue
		}
		if e := scoresRelErr(roc, c.ROC, 1e-300); e > tol {
			t.Errorf("%s: ROC-AUC %.17g, sklearn %s %.17g (rel err %.2g)", c.Name, roc, g.Sklearn, c.ROC, e)
		}
		ap, err := AveragePrecision(s, y)
		if err != nil {
			t.Errorf("%s: AveragePrecision: %v", c.Name, err)
			continue
		}
		if e := scoresRelErr(ap, c.AP, 1e-300); e > tol {
			t.Errorf("%s: AP %.17g, sklearn %s %.17g (rel err %.2g)", c.Name, ap, g.Sklearn, c.AP, e)
		}
		t.Logf("%-24s n=%-6d ROC-AUC %.6f (err %.1g)  AP %.6f (err %.1g)", c.Name, len(s),
			roc, scoresRelErr(roc, c.ROC, 1e-300), ap, scoresRelErr(ap, c.AP, 1e-300))
	}
}

func TestRankingHandComputed(t *testing.T) {
	for _, c := range []struct {
		name    string
		scores  []float64
		anomaly []bool
		roc, ap float64
	}{
		// Anomalies lowest: perfect.
		{"perfect", []float64{0.1, 0.2, 0.8, 0.9}, []bool{true, true, false, false}, 1, 1},
		// Anomalies highest: ROC 0; AP: thresholds flag 1..4 points,
		// recall steps at 3 (P 1/3) and 4 (P 2/4): ½·⅓ + ½·½ = 5/12.
		{"inverted", []float64{0.1, 0.2, 0.8, 0.9}, []bool{false, false, true, true}, 0, 5.0 / 12},
		// All tied: ROC ½, AP = prevalence.
		{"tied", []float64{3, 3, 3, 3, 3}, []bool{true, false, false, true, false}, 0.5, 0.4},
		// s: a=1, n=2, a=2 (tie with n), n=3. Pairs (a, n): (1,2) ok, (1,3) ok,
		// (2,2) tie, (2,3) ok → (3 + ½)/4. AP: threshold 1 → P 1, R ½;
		// threshold 2 → tps 2, fps 1, P ⅔, R 1: ½·1 + ½·⅔ = 5/6.
		{"one tie", []float64{1, 2, 2, 3}, []bool{true, false, true, false}, 3.5 / 4, 5.0 / 6},
	} {
		roc, err := ROCAUC(c.scores, c.anomaly)
		if err != nil || math.Abs(roc-c.roc) > 1e-15 {
			t.Errorf("%s: ROCAUC = %v, %v; want %v", c.name, roc, err, c.roc)
		}
		ap, err := AveragePrecision(c.scores, c.anomaly)
		if err != nil || math.Abs(ap-c.ap) > 1e-15 {
			t.Errorf("%s: AveragePrecision = %v, %v; want %v", c.name, ap, err, c.ap)
		}
	}
}

func TestRankingErrors(t *testing.T) {
	for _, c := range []struct {
		name    string
		scores  []float64
		anomaly []bool
		oneCls  bool
	}{
		{"only normal", []float64{1, 2, 3}, []bool{false, false, false}, true},
		{"only anomalies", []float64{1, 2}, []bool{true, true}, true},
		{"empty", nil, nil, true},
		{"length mismatch", []float64{1, 2}, []bool{true}, false},
		{"NaN score", []float64{1, math.NaN()}, []bool{true, false}, false},
		{"infinite score", []float64{math.Inf(-1), 1}, []bool{true, false}, false},
	} {
		for name, f := range map[string]func([]float64, []bool) (float64, error){
			"ROCAUC": ROCAUC, "AveragePrecision": AveragePrecision,
		} {
			_, err := f(c.scores, c.anomaly)
			if err == nil {
				t.Errorf("%s %s: no error", name, c.name)
			} else if errors.Is(err, ErrOneClass) != c.oneCls {
				t.Errorf("%s %s: error %q, ErrOneClass %v expected", name, c.name, err, c.oneCls)
			}
		}
	}
}

func BenchmarkROCAUC100k(b *testing.B) {
	s := scoresGen(b, scoresSpec{Kind: "sum3", Seed: 1, N: 100000})
	y := scoresGenLabels(scoresLabelSpec{Seed: 2, P: 0.05}, len(s))
	for b.Loop() {
		if _, err := ROCAUC(s, y); err != nil {
			b.Fatal(err)
		}
	}
}
