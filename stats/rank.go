package stats

import (
	"math"
	"sort"
)

// Rank returns the ranks of x, 1 for the smallest, with tied values given
// the average of the ranks they span (scipy.stats.rankdata, method
// "average"). NaN sorts after every number, as in NumPy.
func Rank(x []float64) []float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	less := func(a, b float64) bool {
		if math.IsNaN(a) {
			return false
		}
		return math.IsNaN(b) || a < b
	}
	sort.SliceStable(idx, func(i, j int) bool { return less(x[idx[i]], x[idx[j]]) })
	r := make([]float64, len(x))
	for i := 0; i < len(idx); {
		j := i + 1
		for j < len(idx) && !less(x[idx[i]], x[idx[j]]) && !less(x[idx[j]], x[idx[i]]) {
			j++
		}
		avg := float64(i+1+j) / 2 // mean of the ranks i+1 … j
		for k := i; k < j; k++ {
			r[idx[k]] = avg
		}
		i = j
	}
	return r
}

// tieSizes returns the size of every group of two or more equal values in x
// (scipy.stats.find_repeats' counts, in increasing order of the value).
func tieSizes(x []float64) []int {
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	var out []int
	for i := 0; i < len(s); {
		j := i + 1
		for j < len(s) && s[j] == s[i] {
			j++
		}
		if j-i > 1 {
			out = append(out, j-i)
		}
		i = j
	}
	return out
}
