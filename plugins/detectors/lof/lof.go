// Package lof implements the Local Outlier Factor (Breunig, Kriegel, Ng & Sander, "LOF:
// Identifying Density-Based Local Outliers", SIGMOD 2000) as scikit-learn 1.2.1's
// LocalOutlierFactor(novelty=True) computes it (sklearn/neighbors/_lof.py), for the LOF detector
// of docs/method.md: n_neighbors 20, Euclidean distance, novelty mode for new points, and a normality
// score −LOF (higher = more normal).
//
// With N_k(p) the k nearest training points of p (a training point is not its own neighbour):
//
//	k-distance(o)     = distance from o to its k-th nearest other training point
//	reach-dist(p, o)  = max(k-distance(o), d(p, o))
//	lrd(p)            = 1 / (mean_{o ∈ N_k(p)} reach-dist(p, o) + 1e-10)
//	LOF(p)            = mean_{o ∈ N_k(p)} lrd(o) / lrd(p)
//
// The 1e-10 is sklearn's: it keeps lrd finite (≤ 1e10) when more than k points coincide.
// Fit computes k-distance and lrd of the training points and their scores −LOF
// (sklearn's negative_outlier_factor_, TrainScores); Score computes −LOF of new points against
// the training set (sklearn's score_samples): a query point that equals a training point has
// that point among its neighbours at distance 0.
//
// k = n_neighbors_ = max(1, min(NNeighbors, n−1)), as sklearn clamps it; like sklearn, a warning
// is recorded (Model.Warnings) only when NNeighbors > n.
//
// # Matching sklearn to the last bit
//
// Neighbours come from a k-d tree for at most 15 dimensions and from brute force beyond, or
// when NNeighbors ≥ n/2: sklearn's algorithm="auto" rule. The k-d tree is sklearn's KDTree
// rebuilt exactly (same nodes, same point order inside the leaves, same traversal order, same
// bounded max-heap, same final quicksort), so when several points are at the same distance from
// a query the k-NN sets are sklearn's, not merely some valid k-NN sets. On discretised data
// (integer features, rounded values) this choice moves LOF by up to 10–20 % (ADBench breastw,
// thyroid), and it depends on the leaf size, which is therefore an option. Means are summed in
// numpy's pairwise order. With the k-d tree the results are bit-identical to sklearn's; the brute
// path differs in how squared distances are rounded (see bruteQuery).
//
// Beyond 15 dimensions the brute force runs on blocks through BLAS (blocked.go: gonum's, or
// OpenBLAS when built with -tags netlib), with the expansion ‖q‖² − 2q·x + ‖x‖² that sklearn's
// brute force uses, in memory bounded by the block size; the expansion only selects candidates,
// whose distances are then summed directly, so the neighbours and the LOF are bit-identical to
// the direct search's.
//
// Queries run on Options.Workers goroutines; every result is a pure function of the input, so
// the output does not depend on the number of workers.
package lof

import (
	"context"
	"fmt"
	"math"

	"github.com/latentbench/latentbench/internal/parallel"
)

// Algorithm selects the nearest-neighbour search.
type Algorithm int

const (
	// Auto is sklearn's algorithm="auto": brute force when d > 15 or NNeighbors ≥ n/2 (integer
	// division, the requested NNeighbors), the k-d tree otherwise.
	Auto Algorithm = iota
	// KDTree forces the k-d tree.
	KDTree
	// Brute forces the exhaustive search.
	Brute
)

// String returns sklearn's name of the algorithm.
func (a Algorithm) String() string {
	switch a {
	case Auto:
		return "auto"
	case KDTree:
		return "kd_tree"
	case Brute:
		return "brute"
	}
	return fmt.Sprintf("Algorithm(%d)", int(a))
}

// Defaults of Options, those of sklearn's LocalOutlierFactor.
const (
	DefaultNNeighbors = 20
	DefaultLeafSize   = 30
)

// lrdEpsilon is the constant sklearn adds to the mean reachability distance.
const lrdEpsilon = 1e-10

// Options configures Fit. The zero value means sklearn's defaults.
type Options struct {
	// NNeighbors is k, the neighbourhood size (sklearn n_neighbors); 0 means 20. Clamped to
	// n−1 for n training points.
	NNeighbors int
	// LeafSize is the k-d tree's leaf size (sklearn leaf_size); 0 means 30. It changes the
	// result only when equidistant neighbours compete for the last places of a neighbourhood.
	LeafSize int
	// Algorithm is the neighbour search; the zero value is Auto, as sklearn.
	Algorithm Algorithm
	// Workers is the number of goroutines for queries; 0 means runtime.GOMAXPROCS(0).
	Workers int

	// direct turns the blocked brute force (blocked.go) off, for tests that compare the two.
	direct bool
	// noGram turns the blocked search's Gram matrix for self queries off (blocked.go), for
	// tests that compare the two.
	noGram bool
}

// Model is a fitted LOF detector. It is safe for concurrent use by several goroutines.
type Model struct {
	n, d       int
	nNeighbors int // requested (after the default)
	k          int // effective, sklearn's n_neighbors_
	leafSize   int
	algo       Algorithm // resolved: KDTree or Brute
	workers    int

	x     []float64 // training points, row-major n×d
	kdist []float64 // k-distance of each training point
	lrd   []float64 // local reachability density of each training point
	nof   []float64 // −LOF of each training point (negative_outlier_factor_)
	tree  *kdTree   // nil for Brute
	xnorm []float64 // ‖x_i‖² for the blocked brute force (blocked.go), nil if it is not used
	xlo   int       // exactRange(x), with xnorm
	xhi   int
	// noGram: self queries take their dot products block by block like other queries.
	noGram bool

	warnings []string
}

// resolve applies the defaults and checks the options.
func (o Options) resolve() (Options, error) {
	if o.NNeighbors < 0 {
		return o, fmt.Errorf("lof: NNeighbors = %d, want ≥ 1 (0 for the default %d)", o.NNeighbors, DefaultNNeighbors)
	}
	if o.NNeighbors == 0 {
		o.NNeighbors = DefaultNNeighbors
	}
	if o.LeafSize < 0 {
		return o, fmt.Errorf("lof: LeafSize = %d, want ≥ 1 (0 for the default %d)", o.LeafSize, DefaultLeafSize)
	}
	if o.LeafSize == 0 {
		o.LeafSize = DefaultLeafSize
	}
	if o.Algorithm < Auto || o.Algorithm > Brute {
		return o, fmt.Errorf("lof: unknown algorithm %v", o.Algorithm)
	}
	if o.Workers < 0 {
		return o, fmt.Errorf("lof: Workers = %d, want ≥ 0", o.Workers)
	}
	o.Workers = parallel.Workers(o.Workers)
	return o, nil
}

// chooseAlgorithm is sklearn's NeighborsBase._fit rule for algorithm="auto" with the
// Euclidean metric.
func chooseAlgorithm(a Algorithm, n, d, nNeighbors int) Algorithm {
	if a != Auto {
		return a
	}
	if d > 15 || nNeighbors >= n/2 {
		return Brute
	}
	return KDTree
}

// checkMatrix validates an n×d row-major matrix: shape, and finite values (sklearn's
// check_array rejects NaN and ±Inf).
func checkMatrix(what string, x []float64, n, d int) error {
	if n < 0 || d < 1 {
		return fmt.Errorf("lof: %s: invalid shape %d×%d", what, n, d)
	}
	if n > 0 && d > math.MaxInt/n {
		return fmt.Errorf("lof: %s: shape %d×%d overflows", what, n, d)
	}
	if len(x) != n*d {
		return fmt.Errorf("lof: %s: len(x) = %d, want n·d = %d·%d = %d", what, len(x), n, d, n*d)
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("lof: %s: non-finite value %v at row %d, column %d", what, v, i/d, i%d)
		}
	}
	return nil
}

// Fit fits LOF to the n×d row-major training matrix x (x is copied). It needs n ≥ 2 finite
// points. The k-NN search of the training points runs in parallel and stops early when ctx is
// cancelled.
func Fit(ctx context.Context, x []float64, n, d int, opt Options) (*Model, error) {
	opt, err := opt.resolve()
	if err != nil {
		return nil, err
	}
	if err := checkMatrix("fit", x, n, d); err != nil {
		return nil, err
	}
	if n < 2 {
		return nil, fmt.Errorf("lof: fit: need at least 2 training points, got %d", n)
	}
	if n > math.MaxInt32 {
		return nil, fmt.Errorf("lof: fit: %d training points exceed the supported %d", n, math.MaxInt32)
	}
	m := &Model{
		n: n, d: d,
		nNeighbors: opt.NNeighbors,
		k:          max(1, min(opt.NNeighbors, n-1)),
		leafSize:   opt.LeafSize,
		algo:       chooseAlgorithm(opt.Algorithm, n, d, opt.NNeighbors),
		workers:    opt.Workers,
		x:          append([]float64(nil), x...),
		noGram:     opt.noGram,
	}
	m.warnings = clampWarnings(opt.NNeighbors, n)
	m.prepareBlocked(opt.direct)
	if err := m.fitTraining(ctx); err != nil {
		return nil, err
	}
	return m, nil
}

// clampWarnings returns sklearn's fit warning when nNeighbors exceeds the n training points
// (none when nNeighbors == n, which sklearn clamps silently).
func clampWarnings(nNeighbors, n int) []string {
	if nNeighbors <= n {
		return nil
	}
	return []string{fmt.Sprintf("n_neighbors (%d) is greater than the total number of samples (%d). "+
		"n_neighbors will be set to (n_samples - 1) for estimation.", nNeighbors, n)}
}

// fitTraining builds the index and computes kdist, lrd and nof from m.x.
func (m *Model) fitTraining(ctx context.Context) error {
	if m.algo == KDTree {
		m.tree = buildKDTree(m.x, m.n, m.d, m.leafSize, m.workers)
	}
	nbr, dist, err := m.trainNeighbors(ctx)
	if err != nil {
		return fmt.Errorf("lof: fit: neighbour search: %w", err)
	}
	n, k := m.n, m.k
	m.kdist = make([]float64, n)
	for i := range m.kdist {
		m.kdist[i] = dist[i*k+k-1]
	}
	m.lrd = make([]float64, n)
	sc := m.scratches()
	err = parallel.For(ctx, n, parallelChunk, len(sc), func(w, lo, hi int) {
		for i := lo; i < hi; i++ {
			m.lrd[i] = m.lrdOf(dist[i*k:i*k+k], nbr[i*k:i*k+k], sc[w].buf[:k])
		}
	})
	if err != nil {
		return fmt.Errorf("lof: fit: reachability densities: %w", err)
	}
	m.nof = make([]float64, n)
	err = parallel.For(ctx, n, parallelChunk, len(sc), func(w, lo, hi int) {
		for i := lo; i < hi; i++ {
			m.nof[i] = m.negLOF(m.lrd[i], nbr[i*k:i*k+k], sc[w].buf[:k])
		}
	})
	if err != nil {
		return fmt.Errorf("lof: fit: outlier factors: %w", err)
	}
	return nil
}

// trainNeighbors returns the k nearest other training points of every training point and their
// distances (n×k, row-major, sorted as sklearn sorts them). It queries k+1 neighbours and drops
// the point itself, as sklearn's kneighbors(X=None) does; if the point is not among them (more
// than k other points at distance 0), the first neighbour, another copy of it, is dropped.
func (m *Model) trainNeighbors(ctx context.Context) ([]int32, []float64, error) {
	n, k, d := m.n, m.k, m.d
	nbr := make([]int32, n*k)
	dist := make([]float64, n*k)
	// With the k-d tree, query in tree order: consecutive queries share cache lines.
	point := func(r int) int { return r }
	if m.tree != nil {
		point = func(r int) int { return int(m.tree.idx[r]) }
	}
	err := m.neighbors(ctx, n, k+1, m.tree == nil,
		func(r int) []float64 { i := point(r); return m.x[i*d : i*d+d] },
		func(_ *scratch, r int, vals []float64, ids []int32) {
			i := point(r)
			drop := 0
			for j, id := range ids {
				if int(id) == i {
					drop = j
					break
				}
			}
			o := nbr[i*k : i*k+k]
			od := dist[i*k : i*k+k]
			copy(o, ids[:drop])
			copy(o[drop:], ids[drop+1:])
			copy(od, vals[:drop])
			copy(od[drop:], vals[drop+1:])
		})
	return nbr, dist, err
}

// search finds the kk nearest training points of the queries q(lo), …, q(hi−1) and calls
// emit(r, vals, ids) for each r in order, with the neighbours sorted as sklearn sorts them and
// Euclidean distances. Brute force handles bruteBatch queries per pass over the training points.
func (m *Model) search(s *scratch, lo, hi, kk int, q func(r int) []float64, emit func(r int, vals []float64, ids []int32)) {
	r := lo
	if m.tree == nil && m.d > 2 {
		var qs [bruteBatch][]float64
		var vs [bruteBatch][]float64
		var is [bruteBatch][]int32
		for ; r+bruteBatch <= hi; r += bruteBatch {
			for b := range qs {
				qs[b] = q(r + b)
				vs[b], is[b] = s.vals[b*kk:(b+1)*kk], s.ids[b*kk:(b+1)*kk]
				resetHeap(vs[b], is[b])
			}
			bruteQueryBatch(m.x, m.d, &qs, &vs, &is)
			for b := range qs {
				finishHeap(vs[b], is[b])
				emit(r+b, vs[b], is[b])
			}
		}
	}
	vals, ids := s.vals[:kk], s.ids[:kk]
	for ; r < hi; r++ {
		resetHeap(vals, ids)
		if m.tree != nil {
			s.stack = m.tree.query(q(r), vals, ids, s.stack)
		} else {
			bruteQuery(m.x, m.d, q(r), vals, ids)
		}
		finishHeap(vals, ids)
		emit(r, vals, ids)
	}
}

// resetHeap empties a neighbour heap: sklearn's NeighborsHeap starts at (+Inf, index 0).
func resetHeap(vals []float64, ids []int32) {
	for j := range vals {
		vals[j] = math.Inf(1)
		ids[j] = 0
	}
}

// finishHeap sorts a filled heap and turns squared distances into distances, as sklearn's
// KDTree.query (heap.get_arrays(sort=True), then _rdist_to_dist = sqrt) and ArgKmin do.
func finishHeap(vals []float64, ids []int32) {
	simultaneousSort(vals, ids)
	for j, v := range vals {
		vals[j] = math.Sqrt(v)
	}
}

// lrdOf is sklearn's _local_reachability_density for one point with neighbour distances dist
// and neighbours nbr: 1 / (mean_j max(dist_j, kdist(nbr_j)) + 1e-10). buf is scratch.
func (m *Model) lrdOf(dist []float64, nbr []int32, buf []float64) float64 {
	for j, o := range nbr {
		r := dist[j]
		if kd := m.kdist[o]; kd > r {
			r = kd
		}
		buf[j] = r
	}
	return 1 / (pairwiseMean(buf) + lrdEpsilon)
}

// negLOF is −mean_j(lrd(nbr_j) / lrdP), the ratios formed one by one as sklearn forms them.
func (m *Model) negLOF(lrdP float64, nbr []int32, buf []float64) float64 {
	for j, o := range nbr {
		buf[j] = m.lrd[o] / lrdP
	}
	return -pairwiseMean(buf)
}

// Score returns sklearn's score_samples for the n×d row-major matrix x of new points: −LOF of
// each point against the training set, higher = more normal. A point of x is not a neighbour of
// anything but itself is scored against all training points (novelty mode). n = 0 gives an
// empty result.
func (m *Model) Score(x []float64, n int) ([]float64, error) {
	return m.ScoreContext(context.Background(), x, n)
}

// ScoreContext is Score that stops early, with ctx's error, when ctx is cancelled.
func (m *Model) ScoreContext(ctx context.Context, x []float64, n int) ([]float64, error) {
	if err := checkMatrix("score", x, n, m.d); err != nil {
		return nil, err
	}
	out := make([]float64, n)
	k, d := m.k, m.d
	err := m.neighbors(ctx, n, k, n == m.n && sameBits(x, m.x),
		func(i int) []float64 { return x[i*d : i*d+d] },
		func(s *scratch, i int, vals []float64, ids []int32) {
			lrdQ := m.lrdOf(vals, ids, s.buf[:k])
			out[i] = m.negLOF(lrdQ, ids, s.buf[:k])
		})
	if err != nil {
		return nil, fmt.Errorf("lof: score: %w", err)
	}
	return out, nil
}

// TrainScores returns sklearn's negative_outlier_factor_: −LOF of each training point, its
// neighbourhood taken among the other training points. The slice is a copy.
func (m *Model) TrainScores() []float64 { return append([]float64(nil), m.nof...) }

// KDistances returns the k-distance of each training point (sklearn's
// _distances_fit_X_[:, -1]). The slice is a copy.
func (m *Model) KDistances() []float64 { return append([]float64(nil), m.kdist...) }

// LRD returns the local reachability density of each training point (sklearn's _lrd).
// The slice is a copy.
func (m *Model) LRD() []float64 { return append([]float64(nil), m.lrd...) }

// NNeighbors returns the neighbourhood size in use, sklearn's n_neighbors_ =
// max(1, min(Options.NNeighbors, n−1)).
func (m *Model) NNeighbors() int { return m.k }

// N returns the number of training points.
func (m *Model) N() int { return m.n }

// Dim returns the number of features.
func (m *Model) Dim() int { return m.d }

// Algorithm returns the neighbour search in use (KDTree or Brute).
func (m *Model) Algorithm() Algorithm { return m.algo }

// Warnings returns the warnings sklearn would have emitted during fit (NNeighbors > n).
func (m *Model) Warnings() []string { return append([]string(nil), m.warnings...) }

// sameBits reports whether a and b hold the same float64 bit patterns.
func sameBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i, v := range a {
		if math.Float64bits(v) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// scratch is one worker's reusable buffers.
type scratch struct {
	vals  []float64
	ids   []int32
	buf   []float64
	stack []stackItem
}

// parallelChunk is the number of points a worker takes at a time.
const parallelChunk = 256

// scratches returns one scratch per worker.
func (m *Model) scratches() []*scratch {
	sc := make([]*scratch, m.workers)
	for w := range sc {
		sc[w] = &scratch{
			vals:  make([]float64, bruteBatch*(m.k+1)),
			ids:   make([]int32, bruteBatch*(m.k+1)),
			buf:   make([]float64, m.k+1),
			stack: make([]stackItem, 0, 64),
		}
	}
	return sc
}

// emitFunc receives the sorted neighbours (vals, ids) of query r, on a worker with scratch s.
type emitFunc func(s *scratch, r int, vals []float64, ids []int32)

// neighbors finds the kk nearest training points of the queries q(0), …, q(nq−1) on m.workers
// goroutines and calls emit for each, with the neighbours sorted as sklearn sorts them and
// Euclidean distances: by blocks (blocked.go) when the model has the norms for it, else by
// search. self says that q(r) is training row r for every r (the blocked search may then
// use the Gram matrix). It returns ctx's error if ctx is cancelled first.
func (m *Model) neighbors(ctx context.Context, nq, kk int, self bool, q func(r int) []float64, emit emitFunc) error {
	sc := m.scratches()
	if m.xnorm != nil && nq > 0 {
		return m.searchBlocked(ctx, nq, kk, self, q, emit, sc)
	}
	return parallel.For(ctx, nq, parallelChunk, len(sc), func(w, lo, hi int) {
		m.search(sc[w], lo, hi, kk, q, func(r int, vals []float64, ids []int32) { emit(sc[w], r, vals, ids) })
	})
}
