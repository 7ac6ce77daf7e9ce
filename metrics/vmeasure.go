package metrics

import (
	"fmt"
	"math"
	"slices"
)

// HomogeneityCompletenessV returns the homogeneity h, completeness c and
// V-measure v of the clustering labelsPred against the classes labelsTrue
// (Rosenberg & Hirschberg 2007, "V-Measure: A conditional entropy-based
// external cluster evaluation measure", EMNLP-CoNLL), computed exactly as
// scikit-learn 1.2's sklearn.metrics.homogeneity_completeness_v_measure:
//
//	H(C) = −Σ_c (n_c/N)·(log n_c − log N)          (natural logarithm)
//	I(C;K) = Σ_{c,k: n_ck>0} (n_ck/N)·(log n_ck − log N) + (n_ck/N)·(log N + log N − log(n_c·n_k))
//	h = I/H(C)  (= 1 − H(C|K)/H(C); 1 if H(C) = 0)
//	c = I/H(K)  (= 1 − H(K|C)/H(K); 1 if H(K) = 0)
//	v = (1+β)·h·c / (β·h + c)   (0 if h + c = 0)
//
// Terms of I with |term| < machine epsilon are dropped and I is clipped at 0,
// as scikit-learn's mutual_info_score does. Label values are arbitrary ints
// (only equality matters). Empty input gives (1, 1, 1), as scikit-learn.
// β = 1 is the usual V-measure; β < 1 weights homogeneity more.
//
// It panics if the two label slices differ in length (a programming error,
// as a dimension mismatch in gonum).
func HomogeneityCompletenessV(labelsTrue, labelsPred []int, beta float64) (h, c, v float64) {
	if len(labelsTrue) != len(labelsPred) {
		panic(fmt.Sprintf("metrics: HomogeneityCompletenessV: %d true labels but %d predicted labels",
			len(labelsTrue), len(labelsPred)))
	}
	n := len(labelsTrue)
	if n == 0 {
		return 1, 1, 1
	}
	ci, nc := vmDenseIndex(labelsTrue)
	ki, nk := vmDenseIndex(labelsPred)
	pi := make([]int64, nc)
	pj := make([]int64, nk)
	for i := range n {
		pi[ci[i]]++
		pj[ki[i]]++
	}
	entC := vmEntropy(pi, n)
	entK := vmEntropy(pj, n)
	mi := vmMutualInfo(ci, ki, pi, pj, n)

	h, c = 1.0, 1.0
	if entC != 0 {
		h = mi / entC
	}
	if entK != 0 {
		c = mi / entK
	}
	if h+c == 0 {
		return h, c, 0
	}
	return h, c, (1 + beta) * h * c / (beta*h + c)
}

// vmDenseIndex maps labels to 0..m−1 in increasing order of label value
// (numpy.unique's order) and returns the indices and m.
func vmDenseIndex(labels []int) ([]int32, int) {
	uniq := slices.Clone(labels)
	slices.Sort(uniq)
	uniq = slices.Compact(uniq)
	idx := make([]int32, len(labels))
	// Small label ranges (the usual case) use a lookup table, others a binary search.
	lo, hi := uniq[0], uniq[len(uniq)-1]
	if span := uint64(hi) - uint64(lo); span < uint64(4*len(labels)+64) {
		table := make([]int32, span+1)
		for j, u := range uniq {
			table[uint64(u)-uint64(lo)] = int32(j)
		}
		for i, l := range labels {
			idx[i] = table[uint64(l)-uint64(lo)]
		}
	} else {
		for i, l := range labels {
			j, _ := slices.BinarySearch(uniq, l)
			idx[i] = int32(j)
		}
	}
	return idx, len(uniq)
}

// vmEntropy is scikit-learn's sklearn.metrics.cluster.entropy on class counts:
// −Σ (p/N)·(log p − log N), 0 for a single class.
func vmEntropy(counts []int64, n int) float64 {
	if len(counts) == 1 {
		return 0
	}
	logN := math.Log(float64(n))
	fn := float64(n)
	s := 0.0
	for _, p := range counts {
		fp := float64(p)
		s += (fp / fn) * (math.Log(fp) - logN)
	}
	return -s
}

// vmMutualInfo is scikit-learn's mutual_info_score on the contingency table
// of the dense class indices ci and cluster indices ki, visiting the non-zero
// cells in row-major order as scipy's sparse.find on the CSR table does.
func vmMutualInfo(ci, ki []int32, pi, pj []int64, n int) float64 {
	nc, nk := len(pi), len(pj)
	if nc == 1 || nk == 1 {
		return 0
	}
	logN := math.Log(float64(n))
	fn := float64(n)
	eps := math.Nextafter(1, 2) - 1
	s := 0.0
	term := func(i, j int, nij int64) {
		cnm := float64(nij) / fn
		logOuter := -math.Log(float64(pi[i]*pj[j])) + logN + logN
		t := cnm*(math.Log(float64(nij))-logN) + cnm*logOuter
		if math.Abs(t) < eps {
			t = 0
		}
		s += t
	}
	if cells := int64(nc) * int64(nk); cells <= 1<<20 || cells <= 4*int64(n) {
		table := make([]int64, cells)
		for i := range ci {
			table[int64(ci[i])*int64(nk)+int64(ki[i])]++
		}
		for i := range nc {
			row := table[i*nk : (i+1)*nk]
			for j, nij := range row {
				if nij > 0 {
					term(i, j, nij)
				}
			}
		}
	} else {
		keys := make([]int64, len(ci))
		for i := range ci {
			keys[i] = int64(ci[i])*int64(nk) + int64(ki[i])
		}
		slices.Sort(keys)
		for a := 0; a < len(keys); {
			b := a + 1
			for b < len(keys) && keys[b] == keys[a] {
				b++
			}
			term(int(keys[a]/int64(nk)), int(keys[a]%int64(nk)), int64(b-a))
			a = b
		}
	}
	return max(s, 0)
}
