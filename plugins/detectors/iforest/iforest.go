// Package iforest implements the Isolation Forest of Liu, Ting & Zhou (2008),
// "Isolation Forest", ICDM 2008 (and the TKDD 2012 journal version), with the
// semantics of scikit-learn 1.2.1's sklearn.ensemble.IsolationForest
// (sklearn/ensemble/_iforest.py, which grows sklearn.tree.ExtraTreeRegressor
// trees with max_features=1 and splitter="random" through BaseBagging).
//
// The score returned is scikit-learn's score_samples, a normality score
// (higher = more normal):
//
//	s(x) = −2^(−E[h(x)] / c(ψ))
//
// where ψ is the sub-sample size (max_samples), E[h(x)] the mean over the trees
// of the path length of x, and c(m) the average path length of an unsuccessful
// binary-search-tree search among m points (Liu et al. 2008, eq. 1; sklearn's
// _average_path_length):
//
//	c(m) = 0 for m ≤ 1, 1 for m = 2, 2(ln(m−1) + γ) − 2(m−1)/m otherwise,
//
// γ the Euler–Mascheroni constant. The path length of x in one tree is the
// depth of the leaf x falls into plus c(size of that leaf), so a leaf that
// still holds several training points (depth limit reached, or all its points
// identical) counts the expected depth of the subtree that was not grown.
//
// Each tree is grown on ψ points drawn without replacement (with replacement
// if Options.Bootstrap) to depth at most ceil(log2(max(ψ, 2))). A node is
// split on a feature drawn uniformly among the features that are not constant
// on the node's points, at a threshold drawn uniformly in [min, max) of that
// feature on the node's points; points with value ≤ threshold go left. A node
// with fewer than two points, at the depth limit, or whose points are identical
// on every feature is a leaf.
//
// Differences from scikit-learn 1.2.1, all deliberate and documented:
//   - arithmetic is float64; scikit-learn casts X to float32 before fitting and
//     scoring (tree_dtype), so values that differ only beyond float32 precision
//     are distinct points here and identical there;
//   - a feature is constant on a node when max == min exactly; scikit-learn's
//     random splitter uses max ≤ min + 1e-7 (FEATURE_THRESHOLD, absolute);
//   - the random numbers differ (a PCG stream per tree, derived from
//     Options.Seed and the tree index, instead of NumPy's MT19937), so scores
//     agree with scikit-learn in distribution, not bit for bit. With many trees
//     both converge to the same limit; see the tests.
//
// Fitting runs the trees in parallel, scoring runs blocks of points in
// parallel; both use at most runtime.GOMAXPROCS(0) goroutines and give results
// that are bit-identical for a given seed whatever GOMAXPROCS is.
package iforest

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"

	"github.com/latentbench/latentbench/internal/parallel"
)

// Defaults of Options, as scikit-learn 1.2.1's IsolationForest.
const (
	// DefaultNEstimators is the number of trees when Options.NEstimators is 0.
	DefaultNEstimators = 100
	// AutoMaxSamples is the sub-sample size cap of max_samples="auto":
	// ψ = min(AutoMaxSamples, n).
	AutoMaxSamples = 256
)

// eulerGamma is the Euler–Mascheroni constant γ (numpy.euler_gamma).
const eulerGamma = 0.5772156649015329

// scoreBlock is the number of points a scoring goroutine handles at a time:
// its rows and accumulators stay in L1 while every tree is walked over them.
const scoreBlock = 256

// Options configures Fit. The zero value gives scikit-learn's defaults.
type Options struct {
	// NEstimators is the number of trees; 0 means DefaultNEstimators (100).
	NEstimators int
	// MaxSamples is the sub-sample size ψ each tree is grown on; 0 means
	// "auto", min(256, n). A value larger than n is clamped to n (scikit-learn
	// warns and does the same).
	MaxSamples int
	// MaxFeatures is the fraction of the features each tree may use, in
	// (0, 1]; each tree draws max(1, floor(MaxFeatures·d)) features without
	// replacement (scikit-learn's BaseBagging). 0 means 1.0, all features.
	MaxFeatures float64
	// Bootstrap draws each tree's sub-sample with replacement. As in
	// scikit-learn, a point drawn several times is one point of the tree
	// (its weight does not matter to an isolation tree), so leaf sizes count
	// distinct points.
	Bootstrap bool
	// Seed determines every random draw. Tree t uses a PCG stream derived
	// from (Seed, t), so results do not depend on the scheduling.
	Seed uint64
}

// Forest is a fitted isolation forest. Its nodes live in flat arrays
// (struct of arrays, the form MarshalBinary writes) shared by all trees; tree
// t owns nodes offsets[t] ≤ j < offsets[t+1], with node indices local to the
// tree. Scoring reads a derived walking form (one flat array of 16-byte node
// records, built once at Fit or UnmarshalBinary time). A Forest is immutable
// after Fit or UnmarshalBinary and safe for concurrent use.
type Forest struct {
	opt Options // resolved: NEstimators, MaxSamples (= ψ) and MaxFeatures filled in
	d   int     // number of features of the points
	psi int     // sub-sample size ψ (scikit-learn's max_samples_)

	offsets []int32   // len nTrees+1; offsets[0] = 0, offsets[nTrees] = len(feature)
	feature []int32   // split feature of a node, −1 for a leaf
	left    []int32   // tree-local index of the left child; the right child is left+1; 0 for a leaf
	value   []float64 // threshold of an internal node; path length depth + c(size) of a leaf

	// The walking form of the same trees (built by prepare): a leaf is a
	// node whose only child is itself, reached by every comparison, so a walk
	// takes exactly height[t] branch-free steps and several points can walk
	// a tree in lockstep.
	walk   []wnode   // the nodes of all trees, indexed as feature
	wLeaf  []float64 // path length of a leaf; 0 for an internal node
	height []int32   // height of each tree (depth of its deepest leaf)
}

// wnode is a node in walking form: the three fields a step reads, in one
// 16-byte record.
type wnode struct {
	thr   float64 // threshold; +Inf for a leaf, so that x > thr is false
	child int32   // tree-local left child (right = child+1); the node itself for a leaf
	feat  int32   // split feature; 0 for a leaf
}

// prepare builds the walking form of the trees from the canonical arrays.
func (f *Forest) prepare() {
	nn := len(f.feature)
	f.walk = make([]wnode, nn)
	f.wLeaf = make([]float64, nn)
	nt := len(f.offsets) - 1
	f.height = make([]int32, nt)
	depth := make([]int32, 0, 64)
	for t := 0; t < nt; t++ {
		a, b := f.offsets[t], f.offsets[t+1]
		depth = slices.Grow(depth[:0], int(b-a))[:b-a]
		clear(depth)
		h := int32(0)
		for j := int32(0); j < b-a; j++ { // children follow their parent
			k := a + j
			if f.feature[k] < 0 {
				f.walk[k] = wnode{thr: math.Inf(1), child: j, feat: 0}
				f.wLeaf[k] = f.value[k]
				h = max(h, depth[j])
				continue
			}
			l := f.left[k]
			f.walk[k] = wnode{thr: f.value[k], child: l, feat: f.feature[k]}
			depth[l], depth[l+1] = depth[j]+1, depth[j]+1
		}
		f.height[t] = h
	}
}

// Dim returns the number of features the forest was fitted on.
func (f *Forest) Dim() int { return f.d }

// NTrees returns the number of trees.
func (f *Forest) NTrees() int { return len(f.offsets) - 1 }

// SampleSize returns ψ, the effective sub-sample size of each tree
// (scikit-learn's max_samples_).
func (f *Forest) SampleSize() int { return f.psi }

// NNodes returns the total number of nodes of all trees.
func (f *Forest) NNodes() int { return len(f.feature) }

// Options returns the resolved options the forest was fitted with: defaults
// filled in and MaxSamples equal to the effective ψ.
func (f *Forest) Options() Options { return f.opt }

// AveragePathLength returns c(m), the average path length of an unsuccessful
// search in a binary search tree of m points (Liu, Ting & Zhou 2008, eq. 1),
// exactly as scikit-learn 1.2.1's sklearn.ensemble._iforest._average_path_length:
// 0 for m ≤ 1, 1 for m = 2, else 2(ln(m−1) + γ) − 2(m−1)/m.
func AveragePathLength(m int) float64 {
	switch {
	case m <= 1:
		return 0
	case m == 2:
		return 1
	}
	fm := float64(m)
	return 2*(math.Log(fm-1)+eulerGamma) - 2*(fm-1)/fm
}

// resolve fills in the defaults of opt for n points of d features and checks
// it. The returned ψ is the effective sub-sample size.
func resolve(opt Options, n, d int) (Options, int, error) {
	if opt.NEstimators < 0 {
		return opt, 0, fmt.Errorf("iforest: NEstimators = %d, want ≥ 0 (0 = %d)", opt.NEstimators, DefaultNEstimators)
	}
	if opt.NEstimators == 0 {
		opt.NEstimators = DefaultNEstimators
	}
	if opt.NEstimators > math.MaxInt32/2 {
		return opt, 0, fmt.Errorf("iforest: NEstimators = %d is too large", opt.NEstimators)
	}
	if opt.MaxSamples < 0 {
		return opt, 0, fmt.Errorf("iforest: MaxSamples = %d, want ≥ 0 (0 = auto)", opt.MaxSamples)
	}
	psi := opt.MaxSamples
	switch {
	case psi == 0:
		psi = min(AutoMaxSamples, n)
	case psi > n:
		// scikit-learn 1.2.1 warns "max_samples (%s) is greater than the
		// total number of samples (%s)" and uses n.
		psi = n
	}
	if psi > 1<<24 {
		return opt, 0, fmt.Errorf("iforest: MaxSamples = %d is too large (at most %d)", psi, 1<<24)
	}
	opt.MaxSamples = psi
	if math.IsNaN(opt.MaxFeatures) || opt.MaxFeatures < 0 || opt.MaxFeatures > 1 {
		return opt, 0, fmt.Errorf("iforest: MaxFeatures = %v, want a fraction in (0, 1] (0 = 1.0)", opt.MaxFeatures)
	}
	if opt.MaxFeatures == 0 {
		opt.MaxFeatures = 1
	}
	return opt, psi, nil
}

// checkMatrix reports an error if x is not a finite n×d row-major matrix
// with n ≥ 1.
func checkMatrix(x []float64, n, d int) error {
	if n <= 0 {
		return fmt.Errorf("iforest: n = %d points, want at least 1", n)
	}
	return checkPoints(x, n, d)
}

// checkPoints is checkMatrix allowing n = 0 (nothing to score).
func checkPoints(x []float64, n, d int) error {
	if n < 0 {
		return fmt.Errorf("iforest: n = %d points", n)
	}
	if d <= 0 {
		return fmt.Errorf("iforest: d = %d features, want at least 1", d)
	}
	if n > math.MaxInt32 || d > math.MaxInt32 || n > math.MaxInt/d {
		return fmt.Errorf("iforest: %d×%d matrix is too large", n, d)
	}
	if len(x) != n*d {
		return fmt.Errorf("iforest: len(x) = %d, want n·d = %d·%d = %d", len(x), n, d, n*d)
	}
	for k, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("iforest: non-finite value %v at row %d, column %d", v, k/d, k%d)
		}
	}
	return nil
}

// Fit grows an isolation forest on the n points of d features in x
// (row-major, len(x) = n·d). It returns an error, never panics, for n or d
// not positive, a length mismatch, a NaN or infinite value (naming its row and
// column, both 0-based), invalid options, or the cancellation of ctx.
func Fit(ctx context.Context, x []float64, n, d int, opt Options) (*Forest, error) {
	if err := checkMatrix(x, n, d); err != nil {
		return nil, err
	}
	return fit(ctx, x, n, d, opt)
}

// fit is Fit without the check of x.
func fit(ctx context.Context, x []float64, n, d int, opt Options) (*Forest, error) {
	opt, psi, err := resolve(opt, n, d)
	if err != nil {
		return nil, err
	}
	nTrees := opt.NEstimators
	nFeat := max(1, int(opt.MaxFeatures*float64(d))) // floor, as int() in BaseBagging._fit
	nFeat = min(nFeat, d)
	maxDepth := int(math.Ceil(math.Log2(float64(max(psi, 2)))))
	maxNodes := 2*psi - 1

	// Each tree writes into its own region of maxNodes nodes; the regions are
	// compacted afterwards, in tree order.
	if int64(nTrees)*int64(maxNodes) > math.MaxInt32 {
		return nil, fmt.Errorf("iforest: %d trees of up to %d nodes exceed the int32 node index", nTrees, maxNodes)
	}
	feature := make([]int32, nTrees*maxNodes)
	left := make([]int32, nTrees*maxNodes)
	value := make([]float64, nTrees*maxNodes)
	sizes := make([]int32, nTrees)

	workers := min(runtime.GOMAXPROCS(0), nTrees)
	builders := make([]*builder, workers)
	err = parallel.For(ctx, nTrees, 1, workers, func(w, t, _ int) {
		if builders[w] == nil {
			builders[w] = newBuilder(x, n, d, psi, nFeat, maxDepth, opt.Bootstrap)
		}
		lo := t * maxNodes
		r := treeRNG(opt.Seed, uint64(t))
		sizes[t] = int32(builders[w].grow(&r, feature[lo:lo+maxNodes], left[lo:lo+maxNodes], value[lo:lo+maxNodes]))
	})
	if err != nil {
		return nil, fmt.Errorf("iforest: fit interrupted: %w", err)
	}

	offsets := make([]int32, nTrees+1)
	for t := 0; t < nTrees; t++ {
		lo, off, m := t*maxNodes, int(offsets[t]), int(sizes[t])
		copy(feature[off:off+m], feature[lo:lo+m])
		copy(left[off:off+m], left[lo:lo+m])
		copy(value[off:off+m], value[lo:lo+m])
		offsets[t+1] = int32(off + m)
	}
	total := int(offsets[nTrees])
	fo := &Forest{
		opt:     opt,
		d:       d,
		psi:     psi,
		offsets: offsets,
		feature: append([]int32(nil), feature[:total]...),
		left:    append([]int32(nil), left[:total]...),
		value:   append([]float64(nil), value[:total]...),
	}
	fo.prepare()
	return fo, nil
}

// Score returns scikit-learn's score_samples of the n points in x (row-major,
// len(x) ≥ n·Dim()): −2^(−E[h(x)]/c(ψ)), in [−1, 0), higher = more normal.
// If c(ψ) = 0 (ψ = 1) every score is −0.5, as in scikit-learn.
// Score panics if x is shorter than n·Dim(); a NaN coordinate compares false
// with every threshold (the point goes left). Use ScoreTo for checked input.
func (f *Forest) Score(x []float64, n int) []float64 {
	dst := make([]float64, n)
	f.score(dst, x[:n*f.d], n)
	return dst
}

// ScoreTo writes the scores of the n points in x into dst[:n] (no allocation
// beyond the goroutines). It checks the input like Fit does (a non-finite value
// is an error naming its row and column) and returns ctx's error if ctx is
// done before scoring ends (it is checked between blocks of points).
func (f *Forest) ScoreTo(ctx context.Context, dst, x []float64, n int) error {
	if err := checkPoints(x, n, f.d); err != nil {
		return err
	}
	if len(dst) < n {
		return fmt.Errorf("iforest: len(dst) = %d < n = %d", len(dst), n)
	}
	f.scoreUntil(ctx.Done(), dst[:n], x, n)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("iforest: score interrupted: %w", err)
	}
	return nil
}

// score computes the scores into dst (len n). Blocks of scoreBlock points are
// shared among at most GOMAXPROCS goroutines; within a block the trees are
// walked in index order, so every score is summed in the same order whatever
// the number of goroutines.
func (f *Forest) score(dst, x []float64, n int) { f.scoreUntil(nil, dst, x, n) }

// scoreUntil is score that stops early, leaving dst incomplete, once done is
// closed.
func (f *Forest) scoreUntil(done <-chan struct{}, dst, x []float64, n int) {
	nBlocks := (n + scoreBlock - 1) / scoreBlock
	workers := min(runtime.GOMAXPROCS(0), nBlocks)
	if workers <= 1 {
		for b := 0; b < nBlocks && !closed(done); b++ {
			f.scoreBlock(dst, x, b*scoreBlock, min(n, (b+1)*scoreBlock))
		}
		return
	}
	parallel.For(context.Background(), n, scoreBlock, workers, func(_, lo, hi int) {
		if !closed(done) {
			f.scoreBlock(dst, x, lo, hi)
		}
	})
}

// closed reports whether done is closed (never, for a nil channel).
func closed(done <-chan struct{}) bool {
	select {
	case <-done:
		return true
	default:
		return false
	}
}

// gt is x > y as 0 or 1 (compiled to a flag set, not a branch).
func gt(x, y float64) int32 {
	var v int32
	if x > y {
		v = 1
	}
	return v
}

// scoreBlock scores points lo ≤ i < hi. Eight points walk each tree in
// lockstep, branch-free, so that their chains of dependent loads overlap.
func (f *Forest) scoreBlock(dst, x []float64, lo, hi int) {
	d := f.d
	acc := dst[lo:hi]
	clear(acc)
	xb := x[lo*d : hi*d]
	m := len(acc)
	nTrees := len(f.offsets) - 1
	for t := 0; t < nTrees; t++ {
		a, b := f.offsets[t], f.offsets[t+1]
		nodes, leaf := f.walk[a:b], f.wLeaf[a:b]
		h := int(f.height[t])
		i := 0
		for ; i+8 <= m; i += 8 {
			r0 := xb[(i+0)*d : (i+1)*d]
			r1 := xb[(i+1)*d : (i+2)*d]
			r2 := xb[(i+2)*d : (i+3)*d]
			r3 := xb[(i+3)*d : (i+4)*d]
			r4 := xb[(i+4)*d : (i+5)*d]
			r5 := xb[(i+5)*d : (i+6)*d]
			r6 := xb[(i+6)*d : (i+7)*d]
			r7 := xb[(i+7)*d : (i+8)*d]
			var j0, j1, j2, j3, j4, j5, j6, j7 int32
			for s := 0; s < h; s++ {
				n0 := &nodes[j0]
				j0 = n0.child + gt(r0[n0.feat], n0.thr)
				n1 := &nodes[j1]
				j1 = n1.child + gt(r1[n1.feat], n1.thr)
				n2 := &nodes[j2]
				j2 = n2.child + gt(r2[n2.feat], n2.thr)
				n3 := &nodes[j3]
				j3 = n3.child + gt(r3[n3.feat], n3.thr)
				n4 := &nodes[j4]
				j4 = n4.child + gt(r4[n4.feat], n4.thr)
				n5 := &nodes[j5]
				j5 = n5.child + gt(r5[n5.feat], n5.thr)
				n6 := &nodes[j6]
				j6 = n6.child + gt(r6[n6.feat], n6.thr)
				n7 := &nodes[j7]
				j7 = n7.child + gt(r7[n7.feat], n7.thr)
			}
			acc[i+0] += leaf[j0]
			acc[i+1] += leaf[j1]
			acc[i+2] += leaf[j2]
			acc[i+3] += leaf[j3]
			acc[i+4] += leaf[j4]
			acc[i+5] += leaf[j5]
			acc[i+6] += leaf[j6]
			acc[i+7] += leaf[j7]
		}
		for ; i < m; i++ {
			r := xb[i*d : (i+1)*d]
			var j int32
			for s := 0; s < h; s++ {
				n := &nodes[j]
				j = n.child + gt(r[n.feat], n.thr)
			}
			acc[i] += leaf[j]
		}
	}
	// scikit-learn: 2^(−depths / (n_estimators·c(ψ))), with the ratio
	// replaced by 1 when the denominator is 0.
	den := float64(nTrees) * AveragePathLength(f.psi)
	for i, h := range acc {
		r := 1.0
		if den != 0 {
			r = h / den
		}
		acc[i] = -math.Exp2(-r)
	}
}
