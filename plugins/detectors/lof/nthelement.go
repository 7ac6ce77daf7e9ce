package lof

import "math/bits"

// splitLess orders point indices by their coordinate on one dimension, ties by index: the
// IndexComparator of scikit-learn 1.2.1's partition_node_indices (sklearn/utils/_sorting.pyx).
type splitLess struct {
	x   []float64
	d   int
	dim int
}

func (c *splitLess) less(a, b int32) bool {
	va := c.x[int(a)*c.d+c.dim]
	vb := c.x[int(b)*c.d+c.dim]
	if va == vb {
		return a < b
	}
	return va < vb
}

// nthElement rearranges idx so that idx[nth] holds the element a full sort would put there,
// with no larger element before it and no smaller one after it.
//
// scikit-learn's KDTree calls C++ std::nth_element, and the resulting order of the points inside
// each half (hence inside each leaf) decides which of several equidistant points a k-NN query
// meets first. This is a step-for-step rendering of GNU libstdc++'s introselect
// (bits/stl_algo.h: __introselect, __unguarded_partition_pivot, __move_median_to_first,
// __unguarded_partition, __insertion_sort, __heap_select), which built the Debian scikit-learn,
// so the permutation matches KDTree.get_arrays()[1] exactly (checked by the golden tests).
func nthElement(idx []int32, nth int, c *splitLess) {
	n := len(idx)
	if n == 0 || nth == n {
		return
	}
	depth := 2 * (bits.Len(uint(n)) - 1)
	first, last := 0, n
	for last-first > 3 {
		if depth == 0 {
			heapSelect(idx, first, nth+1, last, c)
			idx[first], idx[nth] = idx[nth], idx[first]
			return
		}
		depth--
		cut := partitionPivot(idx, first, last, c)
		if cut <= nth {
			first = cut
		} else {
			last = cut
		}
	}
	insertionSort(idx, first, last, c)
}

func partitionPivot(idx []int32, first, last int, c *splitLess) int {
	mid := first + (last-first)/2
	moveMedianToFirst(idx, first, first+1, mid, last-1, c)
	return unguardedPartition(idx, first+1, last, first, c)
}

func moveMedianToFirst(idx []int32, result, a, b, cc int, c *splitLess) {
	var t int
	if c.less(idx[a], idx[b]) {
		if c.less(idx[b], idx[cc]) {
			t = b
		} else if c.less(idx[a], idx[cc]) {
			t = cc
		} else {
			t = a
		}
	} else if c.less(idx[a], idx[cc]) {
		t = a
	} else if c.less(idx[b], idx[cc]) {
		t = cc
	} else {
		t = b
	}
	idx[result], idx[t] = idx[t], idx[result]
}

func unguardedPartition(idx []int32, first, last, pivot int, c *splitLess) int {
	for {
		for c.less(idx[first], idx[pivot]) {
			first++
		}
		last--
		for c.less(idx[pivot], idx[last]) {
			last--
		}
		if first >= last {
			return first
		}
		idx[first], idx[last] = idx[last], idx[first]
		first++
	}
}

func insertionSort(idx []int32, first, last int, c *splitLess) {
	if first == last {
		return
	}
	for i := first + 1; i < last; i++ {
		v := idx[i]
		if c.less(v, idx[first]) {
			copy(idx[first+1:i+1], idx[first:i])
			idx[first] = v
			continue
		}
		j := i
		for c.less(v, idx[j-1]) {
			idx[j] = idx[j-1]
			j--
		}
		idx[j] = v
	}
}

// heapSelect is libstdc++'s __heap_select: make a max-heap of [first, middle) and sift every
// smaller element of [middle, last) into it. introselect falls back to it after 2·log2(n)
// unproductive partitions.
func heapSelect(idx []int32, first, middle, last int, c *splitLess) {
	h := idx[first:middle]
	n := len(h)
	if n >= 2 {
		for parent := (n - 2) / 2; ; parent-- {
			adjustHeap(h, parent, h[parent], c)
			if parent == 0 {
				break
			}
		}
	}
	for i := middle; i < last; i++ {
		if c.less(idx[i], h[0]) {
			v := idx[i]
			idx[i] = h[0]
			adjustHeap(h, 0, v, c)
		}
	}
}

// adjustHeap is libstdc++'s __adjust_heap followed by __push_heap.
func adjustHeap(h []int32, hole int, v int32, c *splitLess) {
	n := len(h)
	top := hole
	child := hole
	for child < (n-1)/2 {
		child = 2 * (child + 1)
		if c.less(h[child], h[child-1]) {
			child--
		}
		h[hole] = h[child]
		hole = child
	}
	if n&1 == 0 && child == (n-2)/2 {
		child = 2 * (child + 1)
		h[hole] = h[child-1]
		hole = child - 1
	}
	parent := (hole - 1) / 2
	for hole > top && c.less(h[parent], v) {
		h[hole] = h[parent]
		hole = parent
		parent = (hole - 1) / 2
	}
	h[hole] = v
}
