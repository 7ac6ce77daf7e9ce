package report

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/latentbench/latentbench/harness/runner"
)

// The numbers of Norlander & Sopasakis (2019) on MNIST's test set with a 2-D
// latent space (SPEC.md §8), by encoder plugin.
var (
	// paperV is Table 1: best V-measure and its k, by plugin and method.
	paperV = map[string]map[string][2]float64{
		"vae":    {"gmm": {0.6313, 14}, "kmeans": {0.5572, 14}},
		"clvae":  {"gmm": {0.8132, 7}, "kmeans": {0.8088, 7}},
		"wclvae": {"gmm": {0.9248, 10}, "kmeans": {0.9233, 10}},
	}
	// paperEMMV is Table 2: EM and MV, by encoder plugin and detector plugin.
	paperEMMV = map[string]map[string][2]float64{
		"vae":   {"iforest": {2.532e-3, 2.465}, "lof": {2.014e-3, 3.136}, "ocsvm": {2.533e-3, 2.442}},
		"clvae": {"iforest": {0.884e-3, 7.065}, "lof": {0.841e-3, 7.236}, "ocsvm": {0.926e-3, 6.754}},
	}
	// paperRMSE is the class-distribution RMSE with IF (§4.3).
	paperRMSE = map[string]float64{"vae": 0.0408, "clvae": 0.0326}
)

// isMNIST tells whether a data set is the paper's (by name).
func isMNIST(dataset string) bool { return strings.Contains(strings.ToLower(dataset), "mnist") }

// paperTables builds the tables that set our numbers beside the paper's,
// with the difference, for the MNIST rows of the paper's encoders.
func paperTables(results []runner.Result) []Table {
	var out []Table
	type row struct{ dataset, label, plugin string }
	var rows []row
	seen := map[row]bool{}
	byRow := map[row][]*runner.Result{}
	for i := range results {
		r := &results[i]
		if r.Status != runner.StatusOK || !isMNIST(r.Dataset) {
			continue
		}
		k := row{r.Dataset, r.EncoderLabel, r.Encoder}
		if !seen[k] {
			seen[k] = true
			rows = append(rows, k)
		}
		byRow[k] = append(byRow[k], r)
	}
	t1 := Table{ID: "paper-table1", Title: "Best V-measure (k) beside the paper's Table 1",
		Caption: "Best V-measure over k of our runs (mean ± std over seeds, and the mean best k) beside Norlander & Sopasakis (2019) Table 1; Δ = ours − paper.",
		Header:  []string{"dataset", "encoder", "method", "ours: V", "ours: k", "paper: V", "paper: k", "Δ V"}}
	for _, k := range rows {
		pv, ok := paperV[k.plugin]
		if !ok {
			continue
		}
		for _, m := range []string{"gmm", "kmeans"} {
			vs := perSeed(byRow[k], "v_"+m)
			if vs.N == 0 {
				continue
			}
			ks := perSeed(byRow[k], "k_"+m)
			t1.Rows = append(t1.Rows, []string{k.dataset, k.label, methodName(m), vs.format(4), ks.format(1),
				fmt.Sprintf("%.4f", pv[m][0]), fmt.Sprintf("%.0f", pv[m][1]), fmt.Sprintf("%+.4f", vs.Mean-pv[m][0])})
		}
	}
	if len(t1.Rows) > 0 {
		out = append(out, t1)
	}

	t2 := Table{ID: "paper-table2", Title: "EM and MV beside the paper's Table 2",
		Caption: "EM (higher is better) and MV (lower is better) of our runs (mean over seeds) beside Norlander & Sopasakis (2019) Table 2, in the same units (EM × 10⁻³).",
		Header:  []string{"dataset", "encoder", "detector", "ours: EM ×10⁻³", "paper: EM ×10⁻³", "ours: MV", "paper: MV"}}
	groups := map[[3]string][]*runner.Result{}
	var order [][3]string
	for i := range results {
		r := &results[i]
		if r.Status != runner.StatusOK || !isMNIST(r.Dataset) {
			continue
		}
		if _, ok := paperEMMV[r.Encoder][r.Detector]; !ok {
			continue
		}
		k := [3]string{r.Dataset, r.EncoderLabel, r.DetectorLabel}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	for _, k := range order {
		rs := groups[k]
		p := paperEMMV[rs[0].Encoder][rs[0].Detector]
		em, mv := Summarize(values(rs, "em")), Summarize(values(rs, "mv"))
		t2.Rows = append(t2.Rows, []string{k[0], k[1], k[2], fmt.Sprintf("%.3f", em.Mean*1e3), fmt.Sprintf("%.3f", p[0]*1e3),
			fmt.Sprintf("%.3f", mv.Mean), fmt.Sprintf("%.3f", p[1])})
	}
	if len(t2.Rows) > 0 {
		out = append(out, t2)
	}
	return out
}

// perSeed summarises a clustering metric once per seed (it repeats across
// detectors).
func perSeed(rs []*runner.Result, metric string) Summary {
	bySeed := map[int64]float64{}
	for _, r := range rs {
		if v, ok := r.Metrics[metric]; ok {
			bySeed[r.Seed] = v
		}
	}
	seeds := make([]int64, 0, len(bySeed))
	for s := range bySeed {
		seeds = append(seeds, s)
	}
	sort.Slice(seeds, func(i, j int) bool { return seeds[i] < seeds[j] })
	vals := make([]float64, len(seeds))
	for i, s := range seeds {
		vals[i] = bySeed[s]
	}
	return Summarize(vals)
}

func methodName(m string) string {
	if m == "gmm" {
		return "EM-GMM"
	}
	return "k-means"
}

// Trend is one of the paper's claims checked on our results.
type Trend struct {
	Claim  string
	Holds  bool
	Detail string
}

// Trends checks the paper's qualitative claims (SPEC §8) on the MNIST rows:
// CL-VAE's best V above the VAE's for both methods, the weighted CL-VAE best
// with its k near 10, and the CL-VAE's class-distribution RMSE below the VAE's.
// Rows are compared by plugin: the best-scoring configuration of each.
func Trends(results []runner.Result) []Trend {
	best := func(plugin, metric string) (float64, string, float64) {
		bestV, label, k := math.Inf(-1), "", 0.0
		groups := map[string][]*runner.Result{}
		for i := range results {
			r := &results[i]
			if r.Status == runner.StatusOK && isMNIST(r.Dataset) && r.Encoder == plugin {
				groups[r.EncoderLabel] = append(groups[r.EncoderLabel], r)
			}
		}
		for l, rs := range groups {
			s := perSeed(rs, metric)
			if s.N > 0 && s.Mean > bestV {
				bestV, label, k = s.Mean, l, perSeed(rs, "k_"+strings.TrimPrefix(metric, "v_")).Mean
			}
		}
		return bestV, label, k
	}
	var out []Trend
	for _, m := range []string{"gmm", "kmeans"} {
		v, _, _ := best("vae", "v_"+m)
		c, cl, _ := best("clvae", "v_"+m)
		if math.IsInf(v, -1) || math.IsInf(c, -1) {
			continue
		}
		out = append(out, Trend{Claim: fmt.Sprintf("CL-VAE's best V-measure is above the VAE's (%s)", methodName(m)),
			Holds: c > v, Detail: fmt.Sprintf("CL-VAE %.4f (%s) vs VAE %.4f", c, cl, v)})
	}
	for _, m := range []string{"gmm", "kmeans"} {
		w, wl, wk := best("wclvae", "v_"+m)
		if math.IsInf(w, -1) {
			continue
		}
		others := []string{}
		holds := true
		for _, p := range []string{"vae", "clvae", "pca"} {
			if o, _, _ := best(p, "v_"+m); !math.IsInf(o, -1) {
				others = append(others, fmt.Sprintf("%s %.4f", p, o))
				holds = holds && w > o
			}
		}
		out = append(out, Trend{Claim: fmt.Sprintf("the weighted CL-VAE has the best V-measure (%s)", methodName(m)),
			Holds: holds, Detail: fmt.Sprintf("%s %.4f vs %s", wl, w, strings.Join(others, ", "))})
		out = append(out, Trend{Claim: fmt.Sprintf("the weighted CL-VAE's best k is near 10 (%s)", methodName(m)),
			Holds: math.Abs(wk-10) <= 2, Detail: fmt.Sprintf("k = %.1f for %s", wk, wl)})
	}
	// EM/MV: the paper finds the VAE better than the CL-VAE on MNIST.
	for _, det := range []string{"iforest", "lof", "ocsvm"} {
		mean := func(plugin, metric string) (float64, bool) {
			var vals []float64
			for _, r := range results {
				if r.Status == runner.StatusOK && isMNIST(r.Dataset) && r.Encoder == plugin && r.Detector == det {
					if v, ok := r.Metrics[metric]; ok {
						vals = append(vals, v)
					}
				}
			}
			s := Summarize(vals)
			return s.Mean, s.N > 0
		}
		ve, ok1 := mean("vae", "em")
		ce, ok2 := mean("clvae", "em")
		vm, _ := mean("vae", "mv")
		cm, _ := mean("clvae", "mv")
		if ok1 && ok2 {
			out = append(out, Trend{Claim: fmt.Sprintf("the VAE scores better than the CL-VAE on EM and MV (%s)", det),
				Holds: ve > ce && vm < cm, Detail: fmt.Sprintf("EM %.3g vs %.3g, MV %.3f vs %.3f", ve, ce, vm, cm)})
		}
	}
	rmse := func(plugin string) (float64, bool) {
		var vals []float64
		for _, r := range results {
			if r.Status == runner.StatusOK && isMNIST(r.Dataset) && r.Encoder == plugin && r.Detector == "iforest" {
				if v, ok := r.Metrics["rmse"]; ok {
					vals = append(vals, v)
				}
			}
		}
		s := Summarize(vals)
		return s.Mean, s.N > 0
	}
	if v, ok := rmse("vae"); ok {
		if c, ok := rmse("clvae"); ok {
			out = append(out, Trend{Claim: "the CL-VAE's class-distribution RMSE (IF) is below the VAE's",
				Holds: c < v, Detail: fmt.Sprintf("CL-VAE %.4f vs VAE %.4f (paper: %.4f vs %.4f)", c, v, paperRMSE["clvae"], paperRMSE["vae"])})
		}
		if w, ok := rmse("wclvae"); ok {
			out = append(out, Trend{Claim: "the weighted CL-VAE's class-distribution RMSE (IF) is below the VAE's",
				Holds: w < v, Detail: fmt.Sprintf("weighted CL-VAE %.4f (mean over its configurations) vs VAE %.4f", w, v)})
		}
	}
	return out
}

// differences is the report's account of where our MNIST numbers differ from
// the paper's, and why (SPEC.md §8). It is written only when the results have
// the paper's encoders on MNIST.
func differences(results []runner.Result) string {
	has := map[string]bool{}
	for _, r := range results {
		if r.Status == runner.StatusOK && isMNIST(r.Dataset) {
			has[r.Encoder] = true
		}
	}
	if !has["vae"] && !has["clvae"] && !has["wclvae"] {
		return ""
	}
	return "## Where our numbers differ from the paper's\n\n" + closest(results) + `
- **The VAE**: compare its Δ above with SPEC §8's PyTorch rendering of the same losses, which reached
  0.571–0.588 against the paper's 0.5572 (k-means) and 0.6313 (EM).
- **The CL-VAE and the weighted CL-VAE at γ = 0.3 fall well short of the paper's Table 1** (the Δ column).
  The likely cause is the scale of the reconstruction term: with the Keras example's summed binary
  cross-entropy (≈ 140 nats per image against a KL of 5–8), γ = 0.3 barely shapes a 2-D latent space. The
  paper's CL-VAE numbers are reached only when the reconstruction term is 10–30× weaker; the γ sweep shows it:
  the smaller γ, the closer the weighted CL-VAE comes to the paper's V-measure and to its best k of 10. The paper's γ most likely
  multiplied a per-pixel mean (or squared-error) reconstruction term; ` + "`reconstruction_reduction = \"mean\"`" + ` is
  the parameter that renders that choice.
- **EM and MV** keep the paper's ordering (the VAE better than the CL-VAE) but not its values: both depend on the
  volume of the latent box, which follows the spread of each run's latent clusters, so they move with the
  prior's scale and the training length far more than V-measure does.
- **Class-distribution RMSE**: with the learned prior the CL-VAE's RMSE is not lower than the VAE's (as in SPEC §8's
  PyTorch runs, 0.129–0.149 against 0.125–0.129); the weighted CL-VAE with a weak reconstruction term is where
  the flagged anomalies spread over the classes like the data, the paper's point.

`
}

// closest names the weighted CL-VAE configuration whose best V-measure comes
// closest to the paper's Table 1 (mean |Δ| over EM-GMM and k-means).
func closest(results []runner.Result) string {
	groups := map[string][]*runner.Result{}
	for i := range results {
		r := &results[i]
		if r.Status == runner.StatusOK && isMNIST(r.Dataset) && r.Encoder == "wclvae" {
			groups[r.EncoderLabel] = append(groups[r.EncoderLabel], r)
		}
	}
	best, bestD := "", math.Inf(1)
	labels := make([]string, 0, len(groups))
	for l := range groups {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	for _, l := range labels {
		d, n := 0.0, 0
		for _, m := range []string{"gmm", "kmeans"} {
			if s := perSeed(groups[l], "v_"+m); s.N > 0 {
				d += math.Abs(s.Mean - paperV["wclvae"][m][0])
				n++
			}
		}
		if n > 0 && d/float64(n) < bestD {
			best, bestD = l, d/float64(n)
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("- **Closest to the paper's Table 1**: %s, on average %.4f from the paper's weighted CL-VAE over EM-GMM and k-means (its parameters: `config.toml` below).\n", best, bestD)
}
