package lof

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
)

// mixture2D returns n points of a 2-D Gaussian mixture: 10 components on a circle of radius 3,
// weights rising from 1 to 2, spreads 0.25..0.7 (the design of gen_golden.py's mixture2d).
func mixture2D(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 0x6c6f66))
	const comps = 10
	var cum [comps]float64
	total := 0.0
	for c := range cum {
		total += 1 + float64(c)/(comps-1)
		cum[c] = total
	}
	x := make([]float64, 2*n)
	for i := 0; i < n; i++ {
		u := rng.Float64() * total
		c := sort.SearchFloat64s(cum[:], u)
		ang := 2 * math.Pi * float64(c) / comps
		s := 0.5 * (0.5 + float64(c)/comps)
		x[2*i] = 3*math.Cos(ang) + s*rng.NormFloat64()
		x[2*i+1] = 3*math.Sin(ang) + s*rng.NormFloat64()
	}
	return x
}

func gaussian(n, d int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := make([]float64, n*d)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

func mustFit(t testing.TB, x []float64, n, d int, opt Options) *Model {
	t.Helper()
	m, err := Fit(context.Background(), x, n, d, opt)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestBadInputs(t *testing.T) {
	good := gaussian(50, 2, 1)
	nan := slices.Clone(good)
	nan[2*7+1] = math.NaN()
	inf := slices.Clone(good)
	inf[2*3] = math.Inf(-1)
	for _, c := range []struct {
		name string
		x    []float64
		n, d int
		opt  Options
		want string
	}{
		{"NaN", nan, 50, 2, Options{}, "row 7, column 1"},
		{"Inf", inf, 50, 2, Options{}, "row 3, column 0"},
		{"one point", good[:2], 1, 2, Options{}, "at least 2"},
		{"no point", nil, 0, 2, Options{}, "at least 2"},
		{"negative n", good, -1, 2, Options{}, "invalid shape"},
		{"zero d", nil, 5, 0, Options{}, "invalid shape"},
		{"short x", good[:99], 50, 2, Options{}, "len(x) = 99"},
		{"overflow", good, math.MaxInt / 2, 3, Options{}, "overflows"},
		{"negative NNeighbors", good, 50, 2, Options{NNeighbors: -1}, "NNeighbors"},
		{"negative LeafSize", good, 50, 2, Options{LeafSize: -3}, "LeafSize"},
		{"negative Workers", good, 50, 2, Options{Workers: -1}, "Workers"},
		{"bad algorithm", good, 50, 2, Options{Algorithm: 7}, "unknown algorithm"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := Fit(context.Background(), c.x, c.n, c.d, c.opt)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Fit: model %v, error %v; want an error containing %q", m != nil, err, c.want)
			}
		})
	}

	m := mustFit(t, good, 50, 2, Options{})
	q := []float64{0, 0, 1, math.NaN(), 2, 2}
	if _, err := m.Score(q, 3); err == nil || !strings.Contains(err.Error(), "row 1, column 1") {
		t.Errorf("Score with NaN: %v", err)
	}
	if _, err := m.Score(q[:5], 3); err == nil {
		t.Error("Score with short x: no error")
	}
	if s, err := m.Score(nil, 0); err != nil || len(s) != 0 {
		t.Errorf("Score of no points: %v, %v", s, err)
	}
}

// TestClamp checks sklearn's n_neighbors_ = max(1, min(n_neighbors, n−1)) and its warning,
// which sklearn emits only when n_neighbors > n.
func TestClamp(t *testing.T) {
	for _, c := range []struct {
		n, nn, wantK int
		warn         bool
	}{
		{2, 0, 1, false}, // default 20 > 2
		{10, 0, 9, true},
		{20, 20, 19, false},
		{21, 20, 20, false},
		{30, 1, 1, false},
		{30, 100, 29, true},
	} {
		if c.nn == 0 {
			c.warn = c.n < DefaultNNeighbors
		}
		x := gaussian(c.n, 3, uint64(c.n))
		m := mustFit(t, x, c.n, 3, Options{NNeighbors: c.nn})
		if m.NNeighbors() != c.wantK || (len(m.Warnings()) > 0) != c.warn {
			t.Errorf("n=%d NNeighbors=%d: k=%d warnings=%q; want k=%d warning=%v", c.n, c.nn, m.NNeighbors(), m.Warnings(), c.wantK, c.warn)
		}
		// With k = n−1 every point's neighbourhood is all other points: check LOF from its
		// definition with a direct O(n²) computation.
		if c.wantK == c.n-1 {
			checkDirectLOF(t, m, x, c.n, 3)
		}
	}
}

// checkDirectLOF recomputes training LOF from the definition (all other points are neighbours).
func checkDirectLOF(t *testing.T, m *Model, x []float64, n, d int) {
	t.Helper()
	dist := func(i, j int) float64 {
		s := 0.0
		for c := 0; c < d; c++ {
			u := x[i*d+c] - x[j*d+c]
			s += u * u
		}
		return math.Sqrt(s)
	}
	kd := make([]float64, n)
	for i := range kd {
		for j := 0; j < n; j++ {
			if j != i {
				kd[i] = math.Max(kd[i], dist(i, j))
			}
		}
	}
	lrd := make([]float64, n)
	for i := range lrd {
		s := 0.0
		for j := 0; j < n; j++ {
			if j != i {
				s += math.Max(kd[j], dist(i, j))
			}
		}
		lrd[i] = 1 / (s/float64(n-1) + 1e-10)
	}
	got := m.TrainScores()
	for i := range lrd {
		s := 0.0
		for j := 0; j < n; j++ {
			if j != i {
				s += lrd[j] / lrd[i]
			}
		}
		want := -s / float64(n-1)
		if math.Abs(got[i]-want) > 1e-12*math.Abs(want) {
			t.Errorf("n=%d point %d: -LOF %.17g, direct %.17g", n, i, got[i], want)
		}
	}
}

// TestDuplicates: a point copied more often than k+1 times has lrd 1/1e-10 and its copies all
// score −1, finite (sklearn's 1e-10); a query on top of it too.
func TestDuplicates(t *testing.T) {
	const n, d = 200, 2
	x := gaussian(n, d, 7)
	for i := 0; i < 40; i++ {
		copy(x[2*i:], []float64{5, 5})
	}
	m := mustFit(t, x, n, d, Options{})
	for i, s := range m.TrainScores() {
		if math.IsNaN(s) || math.IsInf(s, 0) {
			t.Fatalf("training score %d = %v", i, s)
		}
		if i < 40 && s != -1 {
			t.Errorf("copy %d scores %v, want -1", i, s)
		}
	}
	if lrd := m.LRD()[0]; lrd != 1/1e-10 {
		t.Errorf("lrd of a copy = %v, want 1e10", lrd)
	}
	s, err := m.Score([]float64{5, 5, 0, 0, 40, 40}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if s[0] != -1 || !(s[1] > -2) || !(s[2] < -5) {
		t.Errorf("scores %v: want -1 on the copies, about -1 inside the cloud, very low far out", s)
	}
}

// TestWorkersDeterministic: results are bit-identical for any number of workers.
func TestWorkersDeterministic(t *testing.T) {
	for _, c := range []struct {
		d    int
		algo Algorithm
	}{{2, KDTree}, {5, KDTree}, {5, Brute}} {
		n := 3000
		x := gaussian(n, c.d, 11)
		q := gaussian(700, c.d, 12)
		var ref, refQ []float64
		for _, w := range []int{1, 2, 5} {
			m := mustFit(t, x, n, c.d, Options{Workers: w, Algorithm: c.algo})
			s, err := m.Score(q, 700)
			if err != nil {
				t.Fatal(err)
			}
			if ref == nil {
				ref, refQ = m.TrainScores(), s
				continue
			}
			if !bitsEqual(m.TrainScores(), ref) || !bitsEqual(s, refQ) {
				t.Errorf("d=%d %v: %d workers differ from 1 worker", c.d, c.algo, w)
			}
		}
	}
}

func bitsEqual(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(u, v float64) bool { return math.Float64bits(u) == math.Float64bits(v) })
}

// TestAlgorithmsAgree: on continuous data (no equidistant neighbours) the k-d tree and brute
// force find the same neighbours with the same distances, so the scores are bit-identical; for
// leaf sizes from 1 to larger than n, and for several dimensions.
func TestAlgorithmsAgree(t *testing.T) {
	for _, c := range []struct{ n, d, leaf int }{{1000, 1, 30}, {1500, 2, 1}, {1500, 2, 30}, {800, 3, 2000}, {1200, 8, 10}, {600, 20, 30}} {
		x := gaussian(c.n, c.d, uint64(c.n+c.d))
		q := gaussian(300, c.d, 99)
		var scores [2][]float64
		var train [2][]float64
		for a, algo := range []Algorithm{KDTree, Brute} {
			m := mustFit(t, x, c.n, c.d, Options{Algorithm: algo, LeafSize: c.leaf})
			s, err := m.Score(q, 300)
			if err != nil {
				t.Fatal(err)
			}
			scores[a], train[a] = s, m.TrainScores()
		}
		if !bitsEqual(scores[0], scores[1]) || !bitsEqual(train[0], train[1]) {
			e1, _ := maxRelErr(train[0], train[1])
			e2, _ := maxRelErr(scores[0], scores[1])
			t.Errorf("n=%d d=%d leaf=%d: k-d tree and brute force differ (rel %.3g, %.3g)", c.n, c.d, c.leaf, e1, e2)
		}
	}
}

// TestAutoAlgorithm checks sklearn's algorithm="auto" rule.
func TestAutoAlgorithm(t *testing.T) {
	for _, c := range []struct {
		n, d, nn int
		want     Algorithm
	}{{100, 2, 20, KDTree}, {100, 15, 20, KDTree}, {100, 16, 20, Brute}, {41, 2, 20, Brute}, {40, 2, 20, Brute}, {42, 2, 20, KDTree}, {200, 2, 100, Brute}} {
		if got := chooseAlgorithm(Auto, c.n, c.d, c.nn); got != c.want {
			t.Errorf("n=%d d=%d n_neighbors=%d: %v, want %v", c.n, c.d, c.nn, got, c.want)
		}
	}
}

func TestContextCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	x := gaussian(5000, 2, 3)
	if _, err := Fit(ctx, x, 5000, 2, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Fit with a cancelled context: %v", err)
	}
	m := mustFit(t, x, 5000, 2, Options{})
	if _, err := m.ScoreContext(ctx, x, 5000); !errors.Is(err, context.Canceled) {
		t.Errorf("ScoreContext with a cancelled context: %v", err)
	}
}

// TestNthElement checks the partition property of the libstdc++ introselect rendering, on data
// with many ties, and of its heap-select fallback called directly.
func TestNthElement(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for trial := 0; trial < 300; trial++ {
		n := 1 + rng.IntN(300)
		x := make([]float64, n)
		levels := 1 + rng.IntN(10)
		for i := range x {
			x[i] = float64(rng.IntN(levels))
		}
		c := &splitLess{x: x, d: 1}
		idx := make([]int32, n)
		for i := range idx {
			idx[i] = int32(i)
		}
		rng.Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		nth := rng.IntN(n)
		if trial%2 == 0 {
			nthElement(idx, nth, c)
		} else {
			heapSelect(idx, 0, nth+1, n, c)
			idx[0], idx[nth] = idx[nth], idx[0]
		}
		want := make([]int32, n)
		for i := range want {
			want[i] = int32(i)
		}
		slices.SortFunc(want, func(a, b int32) int {
			if c.less(a, b) {
				return -1
			}
			return 1
		})
		if idx[nth] != want[nth] {
			t.Fatalf("trial %d: idx[%d] = %d, want %d", trial, nth, idx[nth], want[nth])
		}
		for i := range idx {
			if (i < nth && c.less(idx[nth], idx[i])) || (i > nth && c.less(idx[i], idx[nth])) {
				t.Fatalf("trial %d: not partitioned around %d at %d", trial, nth, i)
			}
		}
		got := slices.Clone(idx)
		slices.Sort(got)
		for i := range got {
			if got[i] != int32(i) {
				t.Fatalf("trial %d: not a permutation", trial)
			}
		}
	}
}

func TestSimultaneousSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	for n := 0; n < 60; n++ {
		vals := make([]float64, n)
		ids := make([]int32, n)
		for i := range vals {
			vals[i] = float64(rng.IntN(8))
			ids[i] = int32(i)
		}
		orig := slices.Clone(vals)
		simultaneousSort(vals, ids)
		if !slices.IsSorted(vals) {
			t.Fatalf("n=%d: not sorted: %v", n, vals)
		}
		for i, id := range ids {
			if orig[id] != vals[i] {
				t.Fatalf("n=%d: ids not permuted with the values", n)
			}
		}
	}
}

func TestHeapPush(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for k := 1; k < 30; k++ {
		vals := make([]float64, k)
		ids := make([]int32, k)
		for i := range vals {
			vals[i] = math.Inf(1)
		}
		all := make([]float64, 200)
		for i := range all {
			all[i] = rng.Float64()
			heapPush(vals, ids, all[i], int32(i))
		}
		simultaneousSort(vals, ids)
		sorted := slices.Clone(all)
		slices.Sort(sorted)
		if !slices.Equal(vals, sorted[:k]) {
			t.Fatalf("k=%d: heap kept %v, want %v", k, vals, sorted[:k])
		}
		for i, id := range ids {
			if all[id] != vals[i] {
				t.Fatalf("k=%d: wrong index", k)
			}
		}
	}
}

// TestPairwiseSum checks numpy's summation order on sums where the order shows; the expected
// values are np.sum of the same arrays under numpy 1.24.2.
func TestPairwiseSum(t *testing.T) {
	ones := func(head float64, n int, tail bool) []float64 {
		a := make([]float64, 0, n+1)
		if !tail {
			a = append(a, head)
		}
		for i := 0; i < n; i++ {
			a = append(a, 1)
		}
		if tail {
			a = append(a, head)
		}
		return a
	}
	for _, c := range []struct {
		a    []float64
		want float64
	}{
		{ones(1e16, 8, false), 1.0000000000000008e+16},
		{ones(1e16, 20, false), 1.0000000000000016e+16},
		{ones(1e16, 5, true), 1.0000000000000004e+16},
		{ones(1e16, 200, false), 1.0000000000000188e+16},
	} {
		if got := pairwiseSum(c.a); got != c.want {
			t.Errorf("len %d: %.17g, numpy %.17g", len(c.a), got, c.want)
		}
	}
}

// TestTrainScoresCopy: the accessors return copies.
func TestTrainScoresCopy(t *testing.T) {
	m := mustFit(t, gaussian(100, 2, 2), 100, 2, Options{})
	s := m.TrainScores()
	s[0] = 42
	if m.TrainScores()[0] == 42 {
		t.Error("TrainScores returned the model's slice")
	}
}

// TestBruteBatch: the four-query brute force keeps exactly the heaps of the one-query brute
// force and of a plain loop without early exit, ties included (integer data, many equal distances), for dimensions below, at and above
// its 8-term early-exit blocks.
func TestBruteBatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, d := range []int{3, 8, 13, 17, 32} {
		const n, k = 400, 21
		x := make([]float64, n*d)
		for i := range x {
			x[i] = float64(rng.IntN(3))
		}
		for start := 0; start+bruteBatch <= 40; start += bruteBatch {
			var qs, vs [bruteBatch][]float64
			var is [bruteBatch][]int32
			for b := range qs {
				qs[b] = x[(start+b)*d : (start+b+1)*d]
				vs[b], is[b] = make([]float64, k), make([]int32, k)
				resetHeap(vs[b], is[b])
			}
			bruteQueryBatch(x, d, &qs, &vs, &is)
			for b := range qs {
				v, id := make([]float64, k), make([]int32, k)
				resetHeap(v, id)
				bruteQuery(x, d, qs[b], v, id)
				if !slices.Equal(v, vs[b]) || !slices.Equal(id, is[b]) {
					t.Fatalf("d=%d query %d: batch heap differs from single-query heap", d, start+b)
				}
				// Plain loop without the early exit.
				resetHeap(v, id)
				for i := 0; i < n; i++ {
					rd := 0.0
					for c := 0; c < d; c++ {
						u := qs[b][c] - x[i*d+c]
						rd += u * u
					}
					heapPush(v, id, rd, int32(i))
				}
				if !slices.Equal(v, vs[b]) || !slices.Equal(id, is[b]) {
					t.Fatalf("d=%d query %d: early exit changed the heap", d, start+b)
				}
			}
		}
	}
}

// TestParallelBuild: building subtrees concurrently gives the same tree.
func TestParallelBuild(t *testing.T) {
	const n = 3 * parallelBuildMin
	x := mixture2D(n, 4)
	a := buildKDTree(x, n, 2, 30, 1)
	for _, w := range []int{2, 3, 8} {
		b := buildKDTree(x, n, 2, 30, w)
		if !slices.Equal(a.idx, b.idx) || !slices.Equal(a.bounds, b.bounds) || !slices.Equal(a.pts, b.pts) ||
			!slices.Equal(a.start, b.start) || !slices.Equal(a.end, b.end) || !slices.Equal(a.leaf, b.leaf) {
			t.Errorf("tree built with %d workers differs", w)
		}
	}
}
