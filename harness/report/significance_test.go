package report

import (
	"math"
	"strings"
	"testing"

	"github.com/latentbench/latentbench/harness/runner"
	"github.com/latentbench/latentbench/stats"
)

// TestClaimSignificance checks that a comparison over seeds is tested with
// the paired t-test when the seeds share a data split and with Welch's test
// when they do not, one-sided in the claimed direction, and that the words
// follow the test.
func TestClaimSignificance(t *testing.T) {
	cl := []float64{0.030, 0.034, 0.031}
	venc := []float64{0.040, 0.041, 0.045}
	far := []float64{0.0395, 0.0345, 0.0305} // below CL's on average by a hair: not significant
	make := func(split func(seed int64) string, vaeSeed int64) []runner.Result {
		var rs []runner.Result
		for s := int64(0); s < 3; s++ {
			for enc, v := range map[string][]float64{"cenc": cl, "venc": venc, "proj": far} {
				seed := s
				if enc == "venc" {
					seed += vaeSeed
				}
				r := cell(seed, enc, "knn", map[string]float64{"rmse": v[s]})
				r.Data = &runner.DataInfo{Digest: split(seed)}
				rs = append(rs, r)
			}
		}
		return rs
	}
	claims := `
[[claim]]
text = "CL below VENC"
source = "s"
metric = "rmse"
direction = "lower"
this = { encoder = "cenc" }
than = { encoder = "venc" }

[[claim]]
text = "CL below PROJ"
source = "s"
metric = "rmse"
direction = "lower"
this = { encoder = "cenc" }
than = { encoder = "proj" }

[[claim]]
text = "VENC below CL"
source = "s"
metric = "rmse"
direction = "lower"
this = { encoder = "venc" }
than = { encoder = "cenc" }
`
	// One split for every seed: the seeds pair the runs.
	got, _ := checks(t, claims, make(func(int64) string { return "split-A" }, 0))
	c := got["CL below VENC"]
	want, _ := stats.PairedT(cl, venc, stats.Less)
	if tt := c.Metrics[0].Tests[0]; !tt.Paired || math.Abs(tt.P-want.P) > 1e-15 {
		t.Errorf("paired: %+v, want p = %v", tt, want.P)
	}
	if c.Verdict() != "holds" || !strings.Contains(c.Detail, "paired t over 3 seeds, one-sided") {
		t.Errorf("CL below VENC: %q, %q", c.Verdict(), c.Detail)
	}
	if v := got["CL below PROJ"].Verdict(); v != "holds but not significant at 0.05" {
		t.Errorf("CL below PROJ: %q (%s)", v, got["CL below PROJ"].Detail)
	}
	if v := got["VENC below CL"].Verdict(); v != "does not hold" {
		t.Errorf("VENC below CL: %q", v)
	}
	// A split per seed, the same on both sides: still paired.
	got, _ = checks(t, claims, make(func(s int64) string { return string(rune('A' + s)) }, 0))
	if tt := got["CL below VENC"].Metrics[0].Tests[0]; !tt.Paired {
		t.Errorf("a split per seed, shared by both sides: %+v, want paired", tt)
	}
	// The VENC ran other seeds (on other splits): not paired, Welch's test.
	got, _ = checks(t, claims, make(func(s int64) string { return string(rune('A' + s)) }, 10))
	c = got["CL below VENC"]
	want, _ = stats.Welch(cl, venc, stats.Less)
	if tt := c.Metrics[0].Tests[0]; tt.Paired || math.Abs(tt.P-want.P) > 1e-15 || !strings.Contains(c.Detail, "Welch t, 3 against 3 runs") {
		t.Errorf("unpaired: %+v, want p = %v (%s)", tt, want.P, c.Detail)
	}
}
