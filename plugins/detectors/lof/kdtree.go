package lof

import (
	"math"
	"sync"
)

// kdTree is scikit-learn 1.2.1's KDTree (sklearn/neighbors/_binary_tree.pxi, _kd_tree.pyx)
// rebuilt node for node, so that its k-NN queries return the same neighbours as sklearn's even
// when several points are at the same distance:
//
//   - the tree is a complete binary tree of nLevels = int(log2(max(1, (n-1)/leafSize))) + 1
//     levels; node i has children 2i+1 and 2i+2 and is a leaf when 2i+1 ≥ 2^nLevels − 1;
//   - a node splits on the dimension of largest spread (max − min, first one on ties) at its
//     middle position n/2, the points ordered by (coordinate, index) with std::nth_element
//     (see nthElement);
//   - each node stores the bounding box of its points; the query lower bound is the squared
//     distance to that box.
//
// The points are also stored in tree order (pts), so a leaf is one contiguous block.
type kdTree struct {
	d      int
	nNodes int
	idx    []int32   // idx_array: original index of the point at each tree position
	pts    []float64 // the points in tree order, row-major
	start  []int32   // first tree position of each node
	end    []int32   // one past the last tree position of each node
	leaf   []bool
	bounds []float64 // per node: lower corner (d values) then upper corner (d values)
}

// treeLevels returns sklearn's number of tree levels for n points and the given leaf size.
func treeLevels(n, leafSize int) int {
	return int(math.Log2(math.Max(1, float64(n-1)/float64(leafSize)))) + 1
}

// buildKDTree builds the tree over the n×d row-major matrix x (which it does not keep), using up
// to workers goroutines on disjoint subtrees (the tree does not depend on their number).
func buildKDTree(x []float64, n, d, leafSize, workers int) *kdTree {
	levels := treeLevels(n, leafSize)
	nNodes := 1<<levels - 1
	t := &kdTree{
		d:      d,
		nNodes: nNodes,
		idx:    make([]int32, n),
		start:  make([]int32, nNodes),
		end:    make([]int32, nNodes),
		leaf:   make([]bool, nNodes),
		bounds: make([]float64, nNodes*2*d),
	}
	for i := range t.idx {
		t.idx[i] = int32(i)
	}
	t.build(x, 0, 0, n, workers)
	t.pts = make([]float64, n*d)
	for r, i := range t.idx {
		copy(t.pts[r*d:(r+1)*d], x[int(i)*d:(int(i)+1)*d])
	}
	return t
}

// parallelBuildMin is the smallest node that build splits between goroutines.
const parallelBuildMin = 8192

// build is sklearn's _recursive_build: init_node (bounding box), then split unless the node is
// on the last level (or, defensively, holds fewer than two points). With workers > 1 the two
// subtrees of a large node are built concurrently.
func (t *kdTree) build(x []float64, node, s, e, workers int) {
	d := t.d
	t.start[node], t.end[node] = int32(s), int32(e)
	lo := t.bounds[node*2*d : node*2*d+d]
	hi := t.bounds[node*2*d+d : node*2*d+2*d]
	for j := range lo {
		lo[j] = math.Inf(1)
		hi[j] = math.Inf(-1)
	}
	for _, i := range t.idx[s:e] {
		row := x[int(i)*d : int(i)*d+d]
		for j, v := range row {
			lo[j] = math.Min(lo[j], v)
			hi[j] = math.Max(hi[j], v)
		}
	}
	if 2*node+1 >= t.nNodes || e-s < 2 {
		t.leaf[node] = true
		return
	}
	// find_node_split_dim: largest max − min, the first dimension on ties; the box above is
	// exactly that max and min.
	dim, spread := 0, 0.0
	for j := 0; j < d; j++ {
		if s := hi[j] - lo[j]; s > spread {
			spread, dim = s, j
		}
	}
	mid := (e - s) / 2
	nthElement(t.idx[s:e], mid, &splitLess{x: x, d: d, dim: dim})
	if workers > 1 && e-s >= parallelBuildMin {
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.build(x, 2*node+1, s, s+mid, workers/2)
		}()
		t.build(x, 2*node+2, s+mid, e, workers-workers/2)
		wg.Wait()
		return
	}
	t.build(x, 2*node+1, s, s+mid, 1)
	t.build(x, 2*node+2, s+mid, e, 1)
}

// minRdist is sklearn's KDTree min_rdist for p = 2: the squared distance from q to the node's
// box, summed over dimensions in order. sklearn writes each term as pow(0.5·d, 2) with
// d = (lo−q + |lo−q|) + (q−hi + |q−hi|) = 2·gap, which is the gap squared.
func (t *kdTree) minRdist(node int, q []float64) float64 {
	d := t.d
	b := t.bounds[node*2*d : node*2*d+2*d]
	rd := 0.0
	for j, v := range q {
		g := 0.0
		if l := b[j]; v < l {
			g = l - v
		} else if h := b[d+j]; v > h {
			g = v - h
		}
		rd += float64(g * g)
	}
	return rd
}

// minRdist2 is minRdist for d = 2.
func (t *kdTree) minRdist2(node int, q0, q1 float64) float64 {
	b := t.bounds[node*4 : node*4+4]
	g0, g1 := 0.0, 0.0
	if q0 < b[0] {
		g0 = b[0] - q0
	} else if q0 > b[2] {
		g0 = q0 - b[2]
	}
	if q1 < b[1] {
		g1 = b[1] - q1
	} else if q1 > b[3] {
		g1 = q1 - b[3]
	}
	return float64(g0*g0) + float64(g1*g1)
}

// stackItem is a node waiting to be visited, with its lower bound.
type stackItem struct {
	node int
	lb   float64
}

// query fills the max-heap (vals, ids), initialised by the caller to (+Inf, 0), with the
// len(vals) nearest points to q, as squared distances. It is sklearn's
// _query_single_depthfirst: a node is skipped when its lower bound exceeds the current k-th
// distance; otherwise a leaf pushes its points in tree order and an inner node visits the child
// with the smaller lower bound first (the left one on ties). The explicit stack visits nodes in
// exactly the order of sklearn's recursion, and checks the bound when a node is popped, which is
// when the recursion would enter it. The scratch stack is returned for reuse.
func (t *kdTree) query(q []float64, vals []float64, ids []int32, stack []stackItem) []stackItem {
	if t.d == 2 {
		return t.query2(q[0], q[1], vals, ids, stack)
	}
	d := t.d
	stack = append(stack[:0], stackItem{0, t.minRdist(0, q)})
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if it.lb > vals[0] {
			continue
		}
		node := it.node
		if t.leaf[node] {
			s, e := int(t.start[node]), int(t.end[node])
			pts := t.pts[s*d : e*d]
			for r := 0; r < e-s; r++ {
				if rd := rdistBounded(q, pts[r*d:r*d+d], vals[0]); rd < vals[0] {
					heapPush(vals, ids, rd, t.idx[s+r])
				}
			}
			continue
		}
		c1, c2 := 2*node+1, 2*node+2
		lb1, lb2 := t.minRdist(c1, q), t.minRdist(c2, q)
		if lb1 <= lb2 {
			stack = append(stack, stackItem{c2, lb2}, stackItem{c1, lb1})
		} else {
			stack = append(stack, stackItem{c1, lb1}, stackItem{c2, lb2})
		}
	}
	return stack
}

// query2 is query for d = 2.
func (t *kdTree) query2(q0, q1 float64, vals []float64, ids []int32, stack []stackItem) []stackItem {
	stack = append(stack[:0], stackItem{0, t.minRdist2(0, q0, q1)})
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if it.lb > vals[0] {
			continue
		}
		node := it.node
		if t.leaf[node] {
			s, e := int(t.start[node]), int(t.end[node])
			pts := t.pts[2*s : 2*e]
			idx := t.idx[s:e]
			for r := range idx {
				u0 := q0 - pts[2*r]
				u1 := q1 - pts[2*r+1]
				rd := float64(u0*u0) + float64(u1*u1)
				if rd < vals[0] {
					heapPush(vals, ids, rd, idx[r])
				}
			}
			continue
		}
		c1, c2 := 2*node+1, 2*node+2
		lb1, lb2 := t.minRdist2(c1, q0, q1), t.minRdist2(c2, q0, q1)
		if lb1 <= lb2 {
			stack = append(stack, stackItem{c2, lb2}, stackItem{c1, lb1})
		} else {
			stack = append(stack, stackItem{c1, lb1}, stackItem{c2, lb2})
		}
	}
	return stack
}
