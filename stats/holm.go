package stats

import (
	"math"
	"sort"
)

// Holm returns Holm's step-down adjusted p-values (Holm 1979): with the m
// p-values sorted increasingly, p̃_(i) = max_{j ≤ i} min(1, (m − j + 1)·p_(j)),
// returned in the order of p. Rejecting where p̃ ≤ α controls the
// family-wise error rate at α; it is the procedure aeon's
// plot_critical_difference and statsmodels' multipletests(method="holm")
// apply. NaN p-values are left NaN and do not count in m.
func Holm(p []float64) []float64 {
	idx := make([]int, 0, len(p))
	for i, v := range p {
		if !math.IsNaN(v) {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]] < p[idx[b]] })
	out := make([]float64, len(p))
	for i := range out {
		out[i] = math.NaN()
	}
	m := len(idx)
	run := 0.0
	for j, i := range idx {
		a := math.Min(1, float64(m-j)*p[i])
		run = math.Max(run, a)
		out[i] = run
	}
	return out
}
