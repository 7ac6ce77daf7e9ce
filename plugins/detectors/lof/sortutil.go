package lof

import "math"

// This file holds the small numerical kernels whose exact operation order decides the last bits
// (and, for equidistant neighbours, the neighbour sets) of scikit-learn's results:
// its fixed-size neighbour max-heap, its simultaneous quicksort, and numpy's pairwise summation.

// heapPush inserts (val, vi) into the fixed-size max-heap (vals, ids) of k candidates, replacing
// the current largest value. It is scikit-learn 1.2.1's heap_push (sklearn/utils/_heap.pyx):
// a value that is not strictly smaller than the root is rejected, so among equidistant points
// the one pushed first stays, and which of several tied maxima is evicted follows from the
// sift-down below (left child preferred when the children are equal).
func heapPush(vals []float64, ids []int32, val float64, vi int32) {
	size := len(vals)
	if val >= vals[0] {
		return
	}
	cur := 0
	for {
		l := 2*cur + 1
		r := l + 1
		var sw int
		if l >= size {
			break
		} else if r >= size {
			if vals[l] > val {
				sw = l
			} else {
				break
			}
		} else if vals[l] >= vals[r] {
			if val < vals[l] {
				sw = l
			} else {
				break
			}
		} else {
			if val < vals[r] {
				sw = r
			} else {
				break
			}
		}
		vals[cur] = vals[sw]
		ids[cur] = ids[sw]
		cur = sw
	}
	vals[cur] = val
	ids[cur] = vi
}

// simultaneousSort sorts vals ascending and applies the same swaps to ids. It is scikit-learn
// 1.2.1's simultaneous_sort (sklearn/utils/_sorting.pyx): a median-of-three quicksort that is
// not stable, so the order of equal distances (which decides the summation order of the
// reachability distances) is reproduced only by doing the very same swaps.
func simultaneousSort(vals []float64, ids []int32) {
	for {
		size := len(vals)
		switch {
		case size <= 1:
			return
		case size == 2:
			if vals[0] > vals[1] {
				dualSwap(vals, ids, 0, 1)
			}
			return
		case size == 3:
			if vals[0] > vals[1] {
				dualSwap(vals, ids, 0, 1)
			}
			if vals[1] > vals[2] {
				dualSwap(vals, ids, 1, 2)
				if vals[0] > vals[1] {
					dualSwap(vals, ids, 0, 1)
				}
			}
			return
		}
		p := size / 2
		if vals[0] > vals[size-1] {
			dualSwap(vals, ids, 0, size-1)
		}
		if vals[size-1] > vals[p] {
			dualSwap(vals, ids, size-1, p)
			if vals[0] > vals[size-1] {
				dualSwap(vals, ids, 0, size-1)
			}
		}
		pivot := vals[size-1]
		store := 0
		for i := 0; i < size-1; i++ {
			if vals[i] < pivot {
				dualSwap(vals, ids, i, store)
				store++
			}
		}
		dualSwap(vals, ids, store, size-1)
		// Left part recursively, right part by iteration: the same swaps in the same order
		// as sklearn's two recursive calls.
		if store > 1 {
			simultaneousSort(vals[:store], ids[:store])
		}
		if store+2 >= size {
			return
		}
		vals, ids = vals[store+1:], ids[store+1:]
	}
}

func dualSwap(vals []float64, ids []int32, a, b int) {
	vals[a], vals[b] = vals[b], vals[a]
	ids[a], ids[b] = ids[b], ids[a]
}

// negZero is -0.0, the start value of numpy's short pairwise sums.
var negZero = math.Copysign(0, -1)

// pairwiseSum returns the sum of a in numpy 1.24's order (pairwise_sum in
// numpy/core/src/umath/loops_utils.h.src), which is what np.sum and np.mean use along a
// contiguous axis: fewer than 8 terms are added in sequence starting from -0.0; up to 128 terms
// use 8 interleaved accumulators combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)) followed by the
// remainder in sequence; longer runs are split in two halves (the first a multiple of 8 long).
func pairwiseSum(a []float64) float64 {
	n := len(a)
	switch {
	case n < 8:
		res := negZero
		for _, v := range a {
			res += v
		}
		return res
	case n <= 128:
		r0, r1, r2, r3 := a[0], a[1], a[2], a[3]
		r4, r5, r6, r7 := a[4], a[5], a[6], a[7]
		i := 8
		for ; i < n-n%8; i += 8 {
			r0 += a[i]
			r1 += a[i+1]
			r2 += a[i+2]
			r3 += a[i+3]
			r4 += a[i+4]
			r5 += a[i+5]
			r6 += a[i+6]
			r7 += a[i+7]
		}
		res := ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
		for ; i < n; i++ {
			res += a[i]
		}
		return res
	default:
		n2 := n / 2
		n2 -= n2 % 8
		return pairwiseSum(a[:n2]) + pairwiseSum(a[n2:])
	}
}

// pairwiseMean is np.mean of a 1-D run: pairwiseSum(a) / len(a).
func pairwiseMean(a []float64) float64 {
	return pairwiseSum(a) / float64(len(a))
}
