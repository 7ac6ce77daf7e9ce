package iforest

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// splitmix64 is Steele, Lea & Flood's SplitMix64 finaliser, used to derive
// independent seeds.
func splitmix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// treeRNG returns the random stream of tree t of a forest with the given seed.
func treeRNG(seed, t uint64) rand.PCG {
	hi := splitmix64(seed ^ 0x6a09e667f3bcc909)
	lo := splitmix64(hi ^ splitmix64(t^0xbb67ae8584caa73b))
	return *rand.NewPCG(hi, lo)
}

// uniformInt returns a uniform integer in [0, m), m ≥ 1 (Lemire 2019,
// "Fast random integer generation in an interval").
func uniformInt(r *rand.PCG, m int) int {
	um := uint64(m)
	hi, lo := bits.Mul64(r.Uint64(), um)
	if lo < um {
		thresh := -um % um
		for lo < thresh {
			hi, lo = bits.Mul64(r.Uint64(), um)
		}
	}
	return int(hi)
}

// uniformFloat returns a uniform float64 in [0, 1) with 53 random bits.
func uniformFloat(r *rand.PCG) float64 {
	return float64(r.Uint64()>>11) * 0x1p-53
}

// builder grows trees; one per goroutine, its scratch reused tree after tree.
type builder struct {
	x         []float64 // n×d row-major training points
	n, d      int
	psi       int
	nFeat     int // features per tree
	maxDepth  int
	bootstrap bool

	perm  []int32   // identity permutation of 0..n−1, restored after every tree
	swaps []int32   // partial Fisher–Yates swap targets, to undo them
	seen  []uint64  // bitset of n, for de-duplicating bootstrap draws
	rows  []int32   // the distinct sampled rows of the current tree
	feats []int32   // the features of the current tree (original indices)
	cand  []int32   // candidate features of a node (a permutation of 0..nFeat−1)
	cols  []float64 // cols[k·psi + i]: feature feats[k] of sampled point i
	idx   []int32   // sampled point indices, partitioned node by node
	stack []node
}

// node is a pending node of the tree being grown.
type node struct {
	id         int32 // tree-local node index
	start, end int32 // its points are idx[start:end]
	depth      int32
}

func newBuilder(x []float64, n, d, psi, nFeat, maxDepth int, bootstrap bool) *builder {
	b := &builder{
		x: x, n: n, d: d, psi: psi, nFeat: nFeat, maxDepth: maxDepth, bootstrap: bootstrap,
		rows:  make([]int32, 0, psi),
		feats: make([]int32, nFeat),
		cand:  make([]int32, nFeat),
		cols:  make([]float64, nFeat*psi),
		idx:   make([]int32, psi),
		stack: make([]node, 0, 2*maxDepth+2),
	}
	if bootstrap {
		b.seen = make([]uint64, (n+63)/64)
	}
	// perm serves to draw the sub-sample (without replacement, ψ < n) and
	// the tree's features (nFeat < d).
	need := 0
	if !bootstrap && psi < n {
		need = n
	}
	if nFeat < d {
		need = max(need, d)
	}
	if need > 0 {
		b.perm = make([]int32, need)
		for i := range b.perm {
			b.perm[i] = int32(i)
		}
		b.swaps = make([]int32, max(psi, nFeat))
	}
	return b
}

// sampleWithoutReplacement draws k distinct values of 0..m−1 (m ≤ len(perm))
// into dst by a partial Fisher–Yates shuffle of perm, then undoes the swaps
// so that perm is the identity again for the next call.
func (b *builder) sampleWithoutReplacement(r *rand.PCG, m, k int, dst []int32) {
	sw := b.swaps[:k]
	for i := 0; i < k; i++ {
		j := i + uniformInt(r, m-i)
		sw[i] = int32(j)
		b.perm[i], b.perm[j] = b.perm[j], b.perm[i]
	}
	copy(dst, b.perm[:k])
	for i := k - 1; i >= 0; i-- {
		j := sw[i]
		b.perm[i], b.perm[j] = b.perm[j], b.perm[i]
	}
}

// grow grows one tree with random stream r into the node arrays (capacity
// 2ψ−1) and returns its number of nodes. The random draws are, in order: the
// tree's features (if MaxFeatures < 1), its sub-sample, then per node in
// depth-first order (left subtree first) the feature and the threshold.
func (b *builder) grow(r *rand.PCG, feature, left []int32, value []float64) int {
	// Features of this tree (scikit-learn draws them before the samples).
	if b.nFeat < b.d {
		b.sampleWithoutReplacement(r, b.d, b.nFeat, b.feats)
	} else {
		for k := range b.feats {
			b.feats[k] = int32(k)
		}
	}
	// Sub-sample.
	rows := b.rows[:b.psi]
	switch {
	case b.bootstrap:
		rows = rows[:0]
		for i := 0; i < b.psi; i++ {
			p := uniformInt(r, b.n)
			w, bit := p>>6, uint64(1)<<(p&63)
			if b.seen[w]&bit == 0 {
				b.seen[w] |= bit
				rows = append(rows, int32(p))
			}
		}
		for _, p := range rows {
			b.seen[p>>6] = 0
		}
	case b.psi < b.n:
		b.sampleWithoutReplacement(r, b.n, b.psi, rows)
	default:
		for i := range rows {
			rows[i] = int32(i)
		}
	}
	m := len(rows)
	// Gather the sampled points column by column.
	for k, f := range b.feats {
		col := b.cols[k*b.psi : k*b.psi+m]
		for i, p := range rows {
			col[i] = b.x[int(p)*b.d+int(f)]
		}
	}
	idx := b.idx[:m]
	for i := range idx {
		idx[i] = int32(i)
	}
	// The candidate order is reset per tree so that a tree does not depend
	// on the trees grown before it by the same goroutine.
	for i := range b.cand {
		b.cand[i] = int32(i)
	}

	nNodes := int32(1)
	stack := append(b.stack[:0], node{id: 0, start: 0, end: int32(m), depth: 0})
	for len(stack) > 0 {
		nd := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		size := int(nd.end - nd.start)
		pts := idx[nd.start:nd.end]

		k, lo, hi := -1, 0.0, 0.0
		if size >= 2 && int(nd.depth) < b.maxDepth {
			k, lo, hi = b.drawFeature(r, pts)
		}
		if k < 0 {
			feature[nd.id] = -1
			left[nd.id] = 0
			value[nd.id] = float64(nd.depth) + AveragePathLength(size)
			continue
		}
		thr := drawThreshold(r, lo, hi)
		// Partition: values ≤ thr first. Both sides are non-empty because
		// lo ≤ thr < hi.
		col := b.cols[k*b.psi : k*b.psi+m]
		i, j := 0, len(pts)-1
		for i <= j {
			if col[pts[i]] <= thr {
				i++
			} else {
				pts[i], pts[j] = pts[j], pts[i]
				j--
			}
		}
		mid := nd.start + int32(i)
		feature[nd.id] = b.feats[k]
		left[nd.id] = nNodes
		value[nd.id] = thr
		l, rt := nNodes, nNodes+1
		nNodes += 2
		// Right pushed first so the left subtree is grown (and draws) first.
		stack = append(stack,
			node{id: rt, start: mid, end: nd.end, depth: nd.depth + 1},
			node{id: l, start: nd.start, end: mid, depth: nd.depth + 1})
	}
	b.stack = stack
	return int(nNodes)
}

// drawFeature draws the split feature of a node with points pts: uniformly
// among the tree's features that are not constant on pts (as scikit-learn's
// RandomSplitter with max_features=1, which redraws after hitting a constant
// feature). It returns the tree-local feature index and its min and max on
// pts, or k = −1 if every feature is constant (the node is a leaf).
func (b *builder) drawFeature(r *rand.PCG, pts []int32) (k int, lo, hi float64) {
	cand := b.cand // a permutation of 0..nFeat−1; which one does not matter
	for nc := len(cand); nc > 0; nc-- {
		c := uniformInt(r, nc)
		k = int(cand[c])
		col := b.cols[k*b.psi : (k+1)*b.psi]
		lo = col[pts[0]]
		hi = lo
		for _, p := range pts[1:] {
			v := col[p]
			if v < lo {
				lo = v
			} else if v > hi {
				hi = v
			}
		}
		if hi > lo {
			return k, lo, hi
		}
		cand[c], cand[nc-1] = cand[nc-1], cand[c]
	}
	return -1, 0, 0
}

// drawThreshold draws a threshold uniformly in [lo, hi), lo < hi finite, as
// scikit-learn's RandomSplitter: lo + u·(hi − lo), replaced by lo if rounding
// made it reach hi.
func drawThreshold(r *rand.PCG, lo, hi float64) float64 {
	u := uniformFloat(r)
	span := hi - lo
	var t float64
	if math.IsInf(span, 0) { // hi − lo overflowed
		t = lo*(1-u) + hi*u
	} else {
		t = lo + u*span
	}
	if !(t < hi) || t < lo {
		t = lo
	}
	return t
}
