package metrics

import (
	"fmt"
	"math"
	"slices"
)

// Class-distribution RMSE of flagged anomalies and misclassification
// anomalies, after Norlander & Sopasakis 2019, "Latent space conditioning for
// improved classification and anomaly detection", §4.2 (Fig. 4) and §4.4
// (docs/method.md).

// FlagLowest returns the indices of the points flagged as anomalies at the
// given contamination (the contamination share of points with the lowest
// scores), ordered from the lowest score up.
//
// Rule: k = round(contamination·n) points are flagged (math.Round, halves away
// from zero, of the float64 product), namely the k lowest normality scores,
// ties broken by the smaller index (a stable sort), so the result is
// deterministic and has exactly k points whatever the ties.
//
// This differs slightly from scikit-learn's contamination semantics, which
// flag the scores strictly below np.percentile(scores, 100·contamination)
// (linear interpolation): with distinct scores that is ceil(contamination·(n−1))
// points — the same k for n = 10000 and contamination 0.1 (1000 points), but
// not for every n — and with ties at the threshold it flags fewer.
//
// It fails if contamination is not in (0, 1], k rounds to 0, or a score is
// NaN.
func FlagLowest(scores []float64, contamination float64) ([]int, error) {
	n := len(scores)
	if !(contamination > 0 && contamination <= 1) {
		return nil, fmt.Errorf("metrics: FlagLowest: contamination %v not in (0, 1]", contamination)
	}
	k := int(math.Round(contamination * float64(n)))
	if k < 1 {
		return nil, fmt.Errorf("metrics: FlagLowest: contamination %v of %d points flags no point", contamination, n)
	}
	for i, s := range scores {
		if math.IsNaN(s) {
			return nil, fmt.Errorf("metrics: FlagLowest: score %d is NaN", i)
		}
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case scores[a] < scores[b]:
			return -1
		case scores[a] > scores[b]:
			return 1
		}
		return 0
	})
	return idx[:k:k], nil
}

// ClassShares compares the class mix of a flagged subset with that of all
// evaluated points (the bars of Norlander & Sopasakis 2019, Fig. 4).
type ClassShares struct {
	// Classes are the class ids present among the evaluated points, ascending.
	Classes []int
	// P[i] is the share of Classes[i] among all evaluated points (p_c).
	P []float64
	// Q[i] is the share of Classes[i] among the flagged points (q_c; 0 if the
	// class has no flagged point).
	Q []float64
	// N and Flagged are the numbers of evaluated and flagged points.
	N, Flagged int
	// RMSE is sqrt(mean over Classes of (q_c − p_c)²): lower means
	// the flagged points are spread over the classes like the data.
	RMSE float64
}

// ClassSharesOf returns the class shares of the flagged subset (indices into
// classes, each at most once) against all points, and their RMSE.
// The classes are those present among all points. It fails if flagged is
// empty or holds an index out of range or twice.
func ClassSharesOf(classes []int, flagged []int) (ClassShares, error) {
	n := len(classes)
	if len(flagged) == 0 {
		return ClassShares{}, fmt.Errorf("metrics: ClassSharesOf: no flagged point")
	}
	seen := make([]bool, n)
	for _, i := range flagged {
		if i < 0 || i >= n {
			return ClassShares{}, fmt.Errorf("metrics: ClassSharesOf: flagged index %d out of range [0, %d)", i, n)
		}
		if seen[i] {
			return ClassShares{}, fmt.Errorf("metrics: ClassSharesOf: index %d flagged twice", i)
		}
		seen[i] = true
	}
	ids := slices.Clone(classes)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	pos := make(map[int]int, len(ids))
	for i, c := range ids {
		pos[c] = i
	}
	all := make([]int, len(ids))
	for _, c := range classes {
		all[pos[c]]++
	}
	fl := make([]int, len(ids))
	for _, i := range flagged {
		fl[pos[classes[i]]]++
	}
	cs := ClassShares{
		Classes: ids,
		P:       make([]float64, len(ids)),
		Q:       make([]float64, len(ids)),
		N:       n,
		Flagged: len(flagged),
	}
	sum := 0.0
	for i := range ids {
		cs.P[i] = float64(all[i]) / float64(n)
		cs.Q[i] = float64(fl[i]) / float64(len(flagged))
		d := cs.Q[i] - cs.P[i]
		sum += d * d
	}
	cs.RMSE = math.Sqrt(sum / float64(len(ids)))
	return cs, nil
}

// ClassDistribution flags the anomalies with FlagLowest(scores, contamination)
// and returns their class shares against all evaluated points with
// the flagged indices (lowest score first).
func ClassDistribution(scores []float64, classes []int, contamination float64) (ClassShares, []int, error) {
	if len(scores) != len(classes) {
		return ClassShares{}, nil, fmt.Errorf("metrics: ClassDistribution: %d scores but %d class labels", len(scores), len(classes))
	}
	flagged, err := FlagLowest(scores, contamination)
	if err != nil {
		return ClassShares{}, nil, fmt.Errorf("metrics: ClassDistribution: %w", err)
	}
	cs, err := ClassSharesOf(classes, flagged)
	if err != nil {
		return ClassShares{}, nil, fmt.Errorf("metrics: ClassDistribution: %w", err)
	}
	return cs, flagged, nil
}

// ClassDistributionRMSE is the class-distribution RMSE of Norlander &
// Sopasakis 2019 (§4.2, Fig. 4): with p_c the share of class c among the
// evaluated points and q_c its share among the flagged anomalies,
//
//	RMSE = sqrt(mean over the classes present of (q_c − p_c)²).
//
// Flagged anomalies are the round(contamination·n) lowest normality scores,
// ties broken by index (see FlagLowest for the rule and how it compares with
// scikit-learn's). flagged lists them lowest score first; ClassDistribution
// also returns the per-class shares.
func ClassDistributionRMSE(scores []float64, classes []int, contamination float64) (rmse float64, flagged []int, err error) {
	cs, flagged, err := ClassDistribution(scores, classes, contamination)
	if err != nil {
		return 0, nil, err
	}
	return cs.RMSE, flagged, nil
}

// ClusterMisclass is one cluster's row of Misclassification.
type ClusterMisclass struct {
	Cluster       int // cluster id
	Majority      int // most frequent class label in the cluster (ties: smallest label)
	Size          int // points in the cluster
	Misclassified int // points whose label differs from Majority
}

// MisclassResult lists the misclassification anomalies of a clustering.
type MisclassResult struct {
	// PerCluster has one row per cluster id, ascending.
	PerCluster []ClusterMisclass
	// Total is the number of misclassified points over all clusters.
	Total int
	// Indices are the misclassified points, ascending.
	Indices []int
}

// Misclassification finds the misclassification anomalies of Norlander &
// Sopasakis 2019 §4.4: each cluster is assigned the majority class
// label of its points (ties go to the smallest label), and every point whose
// label differs from its cluster's majority is an anomaly. clusters[i] and
// classes[i] are point i's cluster id and class label; any int ids work
// (e.g. −1 for noise is just another cluster). It panics if the lengths differ.
func Misclassification(clusters, classes []int) MisclassResult {
	if len(clusters) != len(classes) {
		panic(fmt.Sprintf("metrics: Misclassification: %d cluster ids but %d class labels", len(clusters), len(classes)))
	}
	counts := make(map[int]map[int]int)
	for i, k := range clusters {
		m := counts[k]
		if m == nil {
			m = make(map[int]int)
			counts[k] = m
		}
		m[classes[i]]++
	}
	ids := make([]int, 0, len(counts))
	for k := range counts {
		ids = append(ids, k)
	}
	slices.Sort(ids)
	res := MisclassResult{PerCluster: make([]ClusterMisclass, len(ids))}
	majority := make(map[int]int, len(ids))
	for r, k := range ids {
		row := ClusterMisclass{Cluster: k}
		best := -1
		for label, c := range counts[k] {
			row.Size += c
			if c > best || (c == best && label < row.Majority) {
				best, row.Majority = c, label
			}
		}
		row.Misclassified = row.Size - best
		res.Total += row.Misclassified
		res.PerCluster[r] = row
		majority[k] = row.Majority
	}
	res.Indices = make([]int, 0, res.Total)
	for i, k := range clusters {
		if classes[i] != majority[k] {
			res.Indices = append(res.Indices, i)
		}
	}
	return res
}
