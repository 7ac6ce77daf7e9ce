package iforest

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/latentbench/latentbench/sdk"
)

// golden is one data set written by testdata/gen_golden.py.
type golden struct {
	Name           string    `json:"name"`
	N              int       `json:"n"`
	D              int       `json:"d"`
	X              []float64 `json:"x"`
	Scores         []float64 `json:"scores"`
	Groups         []int     `json:"groups"`
	HeldoutN       int       `json:"heldout_n"`
	HeldoutX       []float64 `json:"heldout_x"`
	HeldoutScores  []float64 `json:"heldout_scores"`
	HeldoutGroups  []int     `json:"heldout_groups"`
	NEstimators    int       `json:"n_estimators"`
	MaxSamples     any       `json:"max_samples"` // "auto" or an int
	MaxFeatures    float64   `json:"max_features"`
	Bootstrap      bool      `json:"bootstrap"`
	SklearnVersion string    `json:"sklearn_version"`
}

func loadGolden(t *testing.T, name string) *golden {
	t.Helper()
	fh, err := os.Open(filepath.Join("testdata", "golden_"+name+".json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.NewDecoder(zr).Decode(&g); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(g.X) != g.N*g.D || len(g.Scores) != g.N || len(g.HeldoutX) != g.HeldoutN*g.D || len(g.HeldoutScores) != g.HeldoutN {
		t.Fatalf("%s: inconsistent golden sizes", name)
	}
	return &g
}

// options returns the Options matching the golden's scikit-learn parameters,
// with nTrees trees.
func (g *golden) options(t *testing.T, nTrees int, seed uint64) Options {
	t.Helper()
	o := Options{NEstimators: nTrees, MaxFeatures: g.MaxFeatures, Bootstrap: g.Bootstrap, Seed: seed}
	switch v := g.MaxSamples.(type) {
	case string:
		if v != "auto" {
			t.Fatalf("max_samples %q", v)
		}
	case float64:
		o.MaxSamples = int(v)
	default:
		t.Fatalf("max_samples %v", v)
	}
	return o
}

// ranks returns the ranks (1-based) of v, ties getting the average of the
// ranks they span.
func ranks(v []float64) []float64 {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return v[idx[a]] < v[idx[b]] })
	r := make([]float64, len(v))
	for i := 0; i < len(idx); {
		j := i + 1
		for j < len(idx) && v[idx[j]] == v[idx[i]] {
			j++
		}
		avg := float64(i+j+1) / 2 // mean of the 1-based ranks i+1..j
		for k := i; k < j; k++ {
			r[idx[k]] = avg
		}
		i = j
	}
	return r
}

// spearman is Spearman's rank correlation: the Pearson correlation of the
// average ranks (scipy.stats.spearmanr).
func spearman(a, b []float64) float64 {
	ra, rb := ranks(a), ranks(b)
	var ma, mb float64
	for i := range ra {
		ma += ra[i]
		mb += rb[i]
	}
	ma /= float64(len(ra))
	mb /= float64(len(rb))
	var sab, saa, sbb float64
	for i := range ra {
		x, y := ra[i]-ma, rb[i]-mb
		sab += x * y
		saa += x * x
		sbb += y * y
	}
	return sab / math.Sqrt(saa*sbb)
}

func TestSpearman(t *testing.T) {
	for _, c := range []struct {
		a, b []float64
		want float64
	}{
		{[]float64{1, 2, 3, 4}, []float64{10, 20, 30, 40}, 1},
		{[]float64{1, 2, 3, 4}, []float64{4, 3, 2, 1}, -1},
		// scipy.stats.spearmanr([1,2,2,3,5], [2,1,3,3,4]).correlation
		{[]float64{1, 2, 2, 3, 5}, []float64{2, 1, 3, 3, 4}, 0.7631578947368421},
	} {
		if got := spearman(c.a, c.b); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("spearman(%v, %v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
	if got := ranks([]float64{3, 1, 3, 2, 3}); !slices.Equal(got, []float64{4, 1, 4, 2, 4}) {
		t.Errorf("ranks = %v", got)
	}
}

func maxMeanAbs(a, b []float64) (mx, mean float64) {
	for i := range a {
		e := math.Abs(a[i] - b[i])
		mx = max(mx, e)
		mean += e
	}
	return mx, mean / float64(len(a))
}

// goTrees is the number of trees of the forests compared with the goldens.
// The goldens come from 5000-tree scikit-learn forests; at 2000 trees, two
// scikit-learn seeds agree to Spearman ≈ 0.998 and max |Δ| ≈ 0.008–0.012 on
// these sets (measured when the goldens were made).
const goTrees = 2000

// Tolerances against the many-tree scikit-learn reference: the rank
// correlation, and the absolute agreement of the scores (which a wrong c(ψ),
// depth limit or leaf correction would break even if ranks survived).
const (
	minSpearman = 0.99
	maxAbsDiff  = 0.03
	maxMeanDiff = 0.006
)

func TestGoldenSklearn(t *testing.T) {
	for _, name := range []string{"mix2d", "dups2d", "mix6d", "mix6d_opts", "thyroid"} {
		t.Run(name, func(t *testing.T) {
			g := loadGolden(t, name)
			f, err := Fit(context.Background(), g.X, g.N, g.D, g.options(t, goTrees, 1))
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				what string
				x    []float64
				n    int
				want []float64
			}{
				{"fitted points", g.X, g.N, g.Scores},
				{"held-out points", g.HeldoutX, g.HeldoutN, g.HeldoutScores},
			} {
				got := f.Score(c.x, c.n)
				rho := spearman(got, c.want)
				mx, mean := maxMeanAbs(got, c.want)
				t.Logf("%s, %s: Spearman %.5f, max |Δ| %.4f, mean |Δ| %.5f (ψ = %d)", name, c.what, rho, mx, mean, f.SampleSize())
				if rho < minSpearman {
					t.Errorf("%s: Spearman %.5f < %v", c.what, rho, minSpearman)
				}
				if mx > maxAbsDiff || mean > maxMeanDiff {
					t.Errorf("%s: max |Δ| %.4f (limit %v), mean |Δ| %.5f (limit %v)", c.what, mx, maxAbsDiff, mean, maxMeanDiff)
				}
			}
		})
	}
}

// mixture returns n points of a 2-D Gaussian mixture (row-major) and the
// component of each.
func mixture(n int, seed uint64) ([]float64, []int) {
	r := rand.New(rand.NewPCG(seed, 7))
	centres := [][2]float64{{0, 0}, {5, 5}, {-4, 6}}
	x := make([]float64, 2*n)
	comp := make([]int, n)
	for i := 0; i < n; i++ {
		k := r.IntN(3)
		comp[i] = k
		x[2*i] = centres[k][0] + r.NormFloat64()
		x[2*i+1] = centres[k][1] + 0.7*r.NormFloat64()
	}
	return x, comp
}

func TestScoreRangeAndFarOutlier(t *testing.T) {
	for _, c := range []struct {
		name string
		n    int
		opt  Options
	}{
		{"default", 3000, Options{}},
		{"small ψ", 3000, Options{MaxSamples: 16, Seed: 3}},
		{"bootstrap", 3000, Options{Bootstrap: true, Seed: 4}},
		{"all points", 200, Options{MaxSamples: 200, Seed: 5}},
	} {
		t.Run(c.name, func(t *testing.T) {
			x, _ := mixture(c.n, 11)
			x = append(x, 300, -250) // one far outlier, the last row
			n := c.n + 1
			f, err := Fit(context.Background(), x, n, 2, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			s := f.Score(x, n)
			for i, v := range s {
				if !(v >= -1 && v <= 0) {
					t.Fatalf("score[%d] = %v outside [−1, 0]", i, v)
				}
			}
			out := s[n-1]
			inMin := slices.Min(s[:n-1])
			if !(out < inMin) {
				t.Errorf("far outlier scores %v, not below every inlier (min %v)", out, inMin)
			}
			// A point never seen, farther still, is at least as abnormal as
			// any inlier (with small ψ an extreme inlier may share its leaves).
			if far := f.Score([]float64{-1e6, 1e6}, 1)[0]; !(far <= inMin) {
				t.Errorf("unseen far point scores %v > inlier min %v", far, inMin)
			}
		})
	}
}

func TestAveragePathLength(t *testing.T) {
	// sklearn.ensemble._iforest._average_path_length([m]) in scikit-learn 1.2.1
	for _, c := range []struct {
		m    int
		want float64
	}{
		{0, 0}, {1, 0}, {2, 1},
		{3, 1.207392357589623},
		{256, 10.244770920119917},
		{1000, 12.969940887100172},
	} {
		if got := AveragePathLength(c.m); math.Abs(got-c.want) > 1e-14*max(1, c.want) {
			t.Errorf("c(%d) = %.17g, want %.17g", c.m, got, c.want)
		}
	}
}

// leafSize inverts c: the m in [1, psi] with c(m) = v, or 0 if none.
func leafSize(v float64, psi int) int {
	for m := 1; m <= psi; m++ {
		if math.Abs(AveragePathLength(m)-v) < 1e-9 {
			return m
		}
	}
	return 0
}

// TestTreeInvariants walks the fitted trees: depth ≤ ceil(log2 ψ), every
// leaf value is depth + c(size) with the sizes summing to ψ, and the trees
// are full binary trees.
func TestTreeInvariants(t *testing.T) {
	x, _ := mixture(1000, 2)
	// Duplicated rows make leaves that hold several identical points.
	for i := 0; i < 300; i++ {
		copy(x[2*i:2*i+2], []float64{1, 1})
	}
	for _, psi := range []int{1, 2, 3, 100, 256, 1000} {
		f, err := Fit(context.Background(), x, 1000, 2, Options{MaxSamples: psi, NEstimators: 20, Seed: uint64(psi)})
		if err != nil {
			t.Fatal(err)
		}
		maxDepth := int(math.Ceil(math.Log2(float64(max(psi, 2)))))
		for tr := 0; tr < f.NTrees(); tr++ {
			a, b := f.offsets[tr], f.offsets[tr+1]
			feat, left, val := f.feature[a:b], f.left[a:b], f.value[a:b]
			leaves, points := 0, 0
			var walk func(j int32, depth int)
			walk = func(j int32, depth int) {
				if depth > maxDepth {
					t.Fatalf("ψ=%d tree %d: depth %d > %d", psi, tr, depth, maxDepth)
				}
				if feat[j] >= 0 {
					walk(left[j], depth+1)
					walk(left[j]+1, depth+1)
					return
				}
				leaves++
				m := leafSize(val[j]-float64(depth), psi)
				if m == 0 {
					t.Fatalf("ψ=%d tree %d leaf %d: value %v at depth %d is not depth + c(m)", psi, tr, j, val[j], depth)
				}
				points += m
			}
			walk(0, 0)
			if want := int(b - a); 2*leaves-1 != want {
				t.Errorf("ψ=%d tree %d: %d leaves for %d nodes", psi, tr, leaves, want)
			}
			if points != psi {
				t.Errorf("ψ=%d tree %d: leaves hold %d points", psi, tr, points)
			}
		}
		if psi == 1 {
			for _, v := range f.Score(x, 1000) {
				if v != -0.5 {
					t.Fatalf("ψ = 1: score %v, want −0.5 as scikit-learn", v)
				}
			}
		}
	}
}

func TestIdenticalPointsAreOneLeaf(t *testing.T) {
	// All points equal: every tree is a single leaf of ψ points, the path
	// length is c(ψ) and the score −2^(−1) = −0.5 for every point.
	x := make([]float64, 3*500)
	for i := range x {
		x[i] = float64(i % 3)
	}
	f, err := Fit(context.Background(), x, 500, 3, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f.NNodes() != f.NTrees() {
		t.Errorf("%d nodes in %d trees, want single leaves", f.NNodes(), f.NTrees())
	}
	for i, v := range f.Score(x, 500) {
		if math.Abs(v+0.5) > 1e-15 {
			t.Fatalf("score[%d] = %v, want −0.5", i, v)
		}
	}
}

func TestDeterminism(t *testing.T) {
	x, _ := mixture(5000, 9)
	for _, opt := range []Options{
		{Seed: 42},
		{Seed: 42, Bootstrap: true, MaxSamples: 500},
		{Seed: 42, MaxFeatures: 0.5},
	} {
		var ref []float64
		var refBytes []byte
		for _, procs := range []int{1, 2, 3, 8} {
			prev := runtime.GOMAXPROCS(procs)
			f, err := Fit(context.Background(), x, 5000, 2, opt)
			var s []float64
			if err == nil {
				s = f.Score(x, 5000)
			}
			runtime.GOMAXPROCS(prev)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := f.MarshalBinary()
			if ref == nil {
				ref, refBytes = s, b
				continue
			}
			if !slices.Equal(s, ref) {
				t.Errorf("%+v: GOMAXPROCS=%d gives different scores", opt, procs)
			}
			if !slices.Equal(b, refBytes) {
				t.Errorf("%+v: GOMAXPROCS=%d gives a different forest", opt, procs)
			}
		}
		o := opt
		o.Seed++
		f, err := Fit(context.Background(), x, 5000, 2, o)
		if err != nil {
			t.Fatal(err)
		}
		if slices.Equal(f.Score(x, 5000), ref) {
			t.Errorf("%+v: seeds %d and %d give the same scores", opt, opt.Seed, o.Seed)
		}
	}
}

func TestFitErrors(t *testing.T) {
	ok := []float64{0, 1, 2, 3, 4, 5}
	withNaN := slices.Clone(ok)
	withNaN[5] = math.NaN()
	withInf := slices.Clone(ok)
	withInf[2] = math.Inf(-1)
	for _, c := range []struct {
		name string
		x    []float64
		n, d int
		opt  Options
		want string
	}{
		{"n=0", nil, 0, 2, Options{}, "n = 0"},
		{"d=0", nil, 3, 0, Options{}, "d = 0"},
		{"short", ok[:5], 3, 2, Options{}, "len(x) = 5"},
		{"NaN", withNaN, 3, 2, Options{}, "row 2, column 1"},
		{"Inf", withInf, 3, 2, Options{}, "row 1, column 0"},
		{"trees<0", ok, 3, 2, Options{NEstimators: -1}, "NEstimators"},
		{"ψ<0", ok, 3, 2, Options{MaxSamples: -5}, "MaxSamples"},
		{"features>1", ok, 3, 2, Options{MaxFeatures: 1.5}, "MaxFeatures"},
		{"features NaN", ok, 3, 2, Options{MaxFeatures: math.NaN()}, "MaxFeatures"},
	} {
		f, err := Fit(context.Background(), c.x, c.n, c.d, c.opt)
		if err == nil || f != nil {
			t.Errorf("%s: Fit = %v, %v, want an error", c.name, f, err)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not mention %q", c.name, err, c.want)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Fit(ctx, ok, 3, 2, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Fit: %v", err)
	}
}

func TestOptionsResolution(t *testing.T) {
	x, _ := mixture(100, 1)
	for _, c := range []struct {
		opt            Options
		psi, trees     int
		maxFeat        float64
		nodesAtMost    int
		singleFeatures bool
	}{
		{Options{}, 100, 100, 1, 0, false},
		{Options{MaxSamples: 1000}, 100, 100, 1, 0, false}, // clamped to n, as scikit-learn
		{Options{MaxSamples: 10, NEstimators: 7}, 10, 7, 1, 7 * 19, false},
		{Options{MaxFeatures: 0.3}, 100, 100, 0.3, 0, true}, // floor(0.3·2) = 0 → 1 feature per tree
	} {
		f, err := Fit(context.Background(), x, 100, 2, c.opt)
		if err != nil {
			t.Fatal(err)
		}
		o := f.Options()
		if f.SampleSize() != c.psi || o.MaxSamples != c.psi || f.NTrees() != c.trees || o.NEstimators != c.trees || o.MaxFeatures != c.maxFeat {
			t.Errorf("%+v: ψ %d, trees %d, options %+v", c.opt, f.SampleSize(), f.NTrees(), o)
		}
		if c.nodesAtMost > 0 && f.NNodes() > c.nodesAtMost {
			t.Errorf("%+v: %d nodes > %d", c.opt, f.NNodes(), c.nodesAtMost)
		}
		if c.singleFeatures {
			for tr := 0; tr < f.NTrees(); tr++ {
				used := map[int32]bool{}
				for _, ft := range f.feature[f.offsets[tr]:f.offsets[tr+1]] {
					if ft >= 0 {
						used[ft] = true
					}
				}
				if len(used) > 1 {
					t.Fatalf("tree %d splits on %d features, want 1", tr, len(used))
				}
			}
		}
	}
}

func TestScoreTo(t *testing.T) {
	x, _ := mixture(700, 3)
	f, err := Fit(context.Background(), x, 700, 2, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]float64, 700)
	if err := f.ScoreTo(context.Background(), dst, x, 700); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(dst, f.Score(x, 700)) {
		t.Error("ScoreTo and Score differ")
	}
	bad := slices.Clone(x[:6])
	bad[3] = math.NaN()
	if err := f.ScoreTo(context.Background(), dst, bad, 3); err == nil || !strings.Contains(err.Error(), "row 1, column 1") {
		t.Errorf("ScoreTo with NaN: %v", err)
	}
	if err := f.ScoreTo(context.Background(), dst[:2], x[:6], 3); err == nil {
		t.Error("ScoreTo with short dst: no error")
	}
	if err := f.ScoreTo(context.Background(), nil, nil, 0); err != nil {
		t.Errorf("ScoreTo of no point: %v", err)
	}
	if s := f.Score(nil, 0); len(s) != 0 {
		t.Errorf("Score of no point: %v", s)
	}
	// AllocsPerRun runs with GOMAXPROCS = 1, where scoring starts no goroutine.
	if allocs := testing.AllocsPerRun(5, func() {
		_ = f.ScoreTo(context.Background(), dst, x, 700)
	}); allocs != 0 {
		t.Errorf("ScoreTo allocates %v times", allocs)
	}
}

// n_estimators = 0 is refused by the plugin, not silently read as 100.
func TestZeroEstimatorsRefused(t *testing.T) {
	d := sdk.Description{Params: ParamSpecs()}
	p, err := d.Resolve(map[string]any{"n_estimators": 0})
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckParams(p); err == nil || !strings.Contains(err.Error(), "n_estimators = 0: must be at least 1") {
		t.Errorf("error %v", err)
	}
}
