package metrics

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Ranking measures for detectors where ground-truth anomalies exist:
// a held-out class or a labelled anomaly set, reported beside EM/MV to show
// whether the unsupervised measures agree.
//
// Scores are NORMALITY scores (higher = more normal), so anomalies
// are the positive class ranked by −score: the results equal scikit-learn's
// roc_auc_score(y, −s) and average_precision_score(y, −s), ties included.

// rankGroup is one run of equal scores in ascending score order (most
// anomalous first): pos anomalies and neg normal points.
type rankGroup struct{ pos, neg int64 }

// rankGroups validates the input and returns the tied groups in ascending
// score order with the totals of anomalies and normal points.
func rankGroups(fn string, scores []float64, isAnomaly []bool) (groups []rankGroup, pos, neg int64, err error) {
	if len(scores) != len(isAnomaly) {
		return nil, 0, 0, fmt.Errorf("metrics: %s: %d scores but %d labels", fn, len(scores), len(isAnomaly))
	}
	for i, s := range scores {
		if math.IsNaN(s) || math.IsInf(s, 0) {
			return nil, 0, 0, fmt.Errorf("metrics: %s: score %d is %v; scores must be finite", fn, i, s)
		}
		if isAnomaly[i] {
			pos++
		} else {
			neg++
		}
	}
	if pos == 0 || neg == 0 {
		return nil, 0, 0, fmt.Errorf("metrics: %s: %w (%d anomalies, %d normal points)", fn, ErrOneClass, pos, neg)
	}
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		switch {
		case scores[a] < scores[b]:
			return -1
		case scores[a] > scores[b]:
			return 1
		}
		return 0
	})
	for i := 0; i < len(idx); {
		var g rankGroup
		j := i
		for ; j < len(idx) && scores[idx[j]] == scores[idx[i]]; j++ {
			if isAnomaly[idx[j]] {
				g.pos++
			} else {
				g.neg++
			}
		}
		groups = append(groups, g)
		i = j
	}
	return groups, pos, neg, nil
}

// ErrOneClass is returned (wrapped) by ROCAUC and AveragePrecision when the
// labels hold only anomalies or only normal points.
var ErrOneClass = errors.New("only one class present in the labels")

// ROCAUC returns the area under the ROC curve of detecting isAnomaly by low
// normality scores, i.e. scikit-learn's roc_auc_score(isAnomaly, −scores)
// (Hanley & McNeil 1982; sklearn.metrics.roc_auc_score). It is computed as the
// Mann–Whitney statistic
//
//	AUC = (#{(a, b): s_a < s_b} + ½·#{(a, b): s_a = s_b}) / (P·N)
//
// over anomalies a and normal points b, in exact integer arithmetic, which is
// the trapezoid area of sklearn's ROC curve (ties give its diagonal segments).
// It fails if the lengths differ, a score is not finite (sklearn rejects those
// too) or only one class is present (ErrOneClass).
func ROCAUC(scores []float64, isAnomaly []bool) (float64, error) {
	groups, pos, neg, err := rankGroups("ROCAUC", scores, isAnomaly)
	if err != nil {
		return 0, err
	}
	// twice the numerator: a tie counts 1, a correctly ordered pair 2.
	var twice, negBelowOrAt int64
	for _, g := range groups {
		negBelowOrAt += g.neg
		twice += g.pos * (2*(neg-negBelowOrAt) + g.neg)
	}
	return float64(twice) / (2 * float64(pos) * float64(neg)), nil
}

// AveragePrecision returns the average precision of detecting isAnomaly by low
// normality scores, scikit-learn 1.2's average_precision_score(isAnomaly,
// −scores) (Davis & Goadrich 2006 for the precision–recall view;
// sklearn.metrics.average_precision_score for this non-interpolated step sum):
//
//	AP = Σ_k (R_k − R_{k−1})·P_k
//
// over the distinct score thresholds k from the lowest score up, with P_k and
// R_k the precision and recall of flagging every point scoring at most the
// k-th distinct score (tied points are flagged together). The floating-point
// steps follow sklearn's (precision = tps/(tps+fps), recall = tps/tps[-1],
// −sum(diff(recall)·precision) in numpy's summation order). It fails as ROCAUC.
func AveragePrecision(scores []float64, isAnomaly []bool) (float64, error) {
	groups, pos, _, err := rankGroups("AveragePrecision", scores, isAnomaly)
	if err != nil {
		return 0, err
	}
	k := len(groups)
	precision := make([]float64, k)
	recall := make([]float64, k)
	var tps, fps int64
	for i, g := range groups {
		tps += g.pos
		fps += g.neg
		if tps+fps > 0 {
			precision[i] = float64(tps) / float64(tps+fps)
		}
		recall[i] = float64(tps) / float64(pos)
	}
	// sklearn reverses both curves and appends (precision 1, recall 0):
	// rev_recall = [R_{k-1}, ..., R_0, 0], rev_precision = [P_{k-1}, ..., P_0, 1],
	// AP = −Σ_i (rev_recall[i+1] − rev_recall[i])·rev_precision[i].
	terms := make([]float64, k)
	for i := range terms {
		j := k - 1 - i // original index of rev position i
		next := 0.0
		if j > 0 {
			next = recall[j-1]
		}
		terms[i] = float64((next - recall[j]) * precision[j])
	}
	return -emmvNumpySum(terms), nil
}
