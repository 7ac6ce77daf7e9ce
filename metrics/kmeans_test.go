package metrics

import (
	"bufio"
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// clusLloydCase is KMeans(k, init=Init, n_init=1) of scikit-learn.
type clusLloydCase struct {
	K       int       `json:"k"`
	Init    []float64 `json:"init"`
	Labels  []int     `json:"labels"`
	Inertia float64   `json:"inertia"`
	NIter   int       `json:"n_iter"`
	Centers []float64 `json:"centers"`
}

// clusEMCase is GaussianMixture(k, random_state=0) of scikit-learn and the
// k-means labels its initialisation used.
type clusEMCase struct {
	K          int       `json:"k"`
	InitLabels []int     `json:"init_labels"`
	LowerBound float64   `json:"lower_bound"`
	NIter      int       `json:"n_iter"`
	Converged  bool      `json:"converged"`
	Weights    []float64 `json:"weights"`
	Means      []float64 `json:"means"`
	Labels     []int     `json:"labels"`
}

type clusSet struct {
	Name    string          `json:"name"`
	N       int             `json:"n"`
	D       int             `json:"d"`
	Ks      []int           `json:"ks"`
	Truth   []int           `json:"truth"`
	KMeansV [][]float64     `json:"kmeans_v"` // [k][seed]
	GMMV    [][]float64     `json:"gmm_v"`    // [k][seed]
	Lloyd   []clusLloydCase `json:"lloyd"`
	EM      []clusEMCase    `json:"em"`
	X       []float64       `json:"x"`
	CSV     string          `json:"csv"`
}

// clusSets loads clustering_golden.json.gz and the CSV data it refers to.
func clusSets(t testing.TB) []clusSet {
	t.Helper()
	var golden struct {
		Sklearn string    `json:"sklearn"`
		Sets    []clusSet `json:"sets"`
	}
	clusLoadJSON(t, "clustering_golden.json.gz", &golden)
	if len(golden.Sets) != 4 {
		t.Fatalf("%d data sets in golden file, want 4", len(golden.Sets))
	}
	for i := range golden.Sets {
		s := &golden.Sets[i]
		if s.CSV != "" {
			x, y := clusReadCSV(t, s.CSV)
			if len(y) != s.N || !slices.Equal(y, s.Truth) {
				t.Fatalf("%s: CSV labels differ from the golden file's", s.Name)
			}
			s.X = x
		}
		if len(s.X) != s.N*s.D {
			t.Fatalf("%s: %d values for %d×%d", s.Name, len(s.X), s.N, s.D)
		}
	}
	return golden.Sets
}

// clusReadCSV reads scikit-learn's bundled CSV format: a header line
// "n,d,names...", then n rows of d floats and an integer class.
func clusReadCSV(t testing.TB, name string) ([]float64, []int) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		t.Fatalf("%s: empty", name)
	}
	head := strings.Split(sc.Text(), ",")
	n, err1 := strconv.Atoi(head[0])
	d, err2 := strconv.Atoi(head[1])
	if err1 != nil || err2 != nil {
		t.Fatalf("%s: bad header %q", name, sc.Text())
	}
	x := make([]float64, 0, n*d)
	y := make([]int, 0, n)
	for sc.Scan() {
		fields := strings.Split(strings.TrimSpace(sc.Text()), ",")
		if len(fields) != d+1 {
			t.Fatalf("%s: row with %d fields, want %d", name, len(fields), d+1)
		}
		for _, s := range fields[:d] {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			x = append(x, v)
		}
		c, err := strconv.ParseFloat(fields[d], 64)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		y = append(y, int(c))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(y) != n {
		t.Fatalf("%s: %d rows, header says %d", name, len(y), n)
	}
	return x, y
}

// clusCheckBest compares the best k of the mean-V curves: Go's best V within
// 0.02 of scikit-learn's, and Go's best k one whose scikit-learn mean V is
// within 0.02 of scikit-learn's best (near-ties make either k acceptable).
func clusCheckBest(t *testing.T, what string, ks []int, goV, skV [][]float64) {
	t.Helper()
	gBest, sBest := 0, 0
	for i := range ks {
		if clusMean(goV[i]) > clusMean(goV[gBest]) {
			gBest = i
		}
		if clusMean(skV[i]) > clusMean(skV[sBest]) {
			sBest = i
		}
	}
	gv, sv := clusMean(goV[gBest]), clusMean(skV[sBest])
	if math.Abs(gv-sv) > 0.02 || clusMean(skV[gBest]) < sv-0.02 {
		t.Errorf("%s: best k %d (mean V %.4f), scikit-learn best k %d (mean V %.4f; %.4f at k = %d)",
			what, ks[gBest], gv, ks[sBest], sv, clusMean(skV[gBest]), ks[gBest])
	}
	t.Logf("%s: best k %d (mean V %.4f), scikit-learn best k %d (mean V %.4f)", what, ks[gBest], gv, ks[sBest], sv)
}

func clusMean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// TestKMeansLloydMatchesSklearn starts Lloyd from the k-means++ centres that
// scikit-learn drew (and from initialisations that leave clusters empty) and
// requires the same labels, iteration count, inertia and centres.
func TestKMeansLloydMatchesSklearn(t *testing.T) {
	worstInertia, worstCenter := 0.0, 0.0
	for _, s := range clusSets(t) {
		for _, tc := range s.Lloyd {
			res, err := KMeans(s.X, s.N, s.D, KMeansOptions{K: tc.K, Init: tc.Init})
			if err != nil {
				t.Fatalf("%s k=%d: %v", s.Name, tc.K, err)
			}
			if !slices.Equal(res.Labels, tc.Labels) {
				diff := 0
				for i := range res.Labels {
					if res.Labels[i] != tc.Labels[i] {
						diff++
					}
				}
				t.Errorf("%s k=%d: %d of %d labels differ from scikit-learn's", s.Name, tc.K, diff, s.N)
			}
			if res.NIter != tc.NIter {
				t.Errorf("%s k=%d: %d iterations, scikit-learn %d", s.Name, tc.K, res.NIter, tc.NIter)
			}
			rel := math.Abs(res.Inertia-tc.Inertia) / tc.Inertia
			worstInertia = max(worstInertia, rel)
			if !(rel <= 1e-10) {
				t.Errorf("%s k=%d: inertia %.17g, scikit-learn %.17g", s.Name, tc.K, res.Inertia, tc.Inertia)
			}
			scale := 0.0
			for _, v := range tc.Centers {
				scale = max(scale, math.Abs(v))
			}
			for i, v := range res.Centers {
				e := math.Abs(v-tc.Centers[i]) / scale
				worstCenter = max(worstCenter, e)
				if !(e <= 1e-10) {
					t.Errorf("%s k=%d: centre value %d = %.17g, scikit-learn %.17g", s.Name, tc.K, i, v, tc.Centers[i])
					break
				}
			}
		}
	}
	t.Logf("largest relative inertia difference %.3g, largest centre difference %.3g (relative to max |centre|)",
		worstInertia, worstCenter)
}

// TestKMeansVMatchesSklearn compares, for every k, the mean V-measure over
// seeds of KMeans(n_init = 10) with scikit-learn's mean over its
// random_state = 0..S−1 (single runs cannot be compared: the random streams
// differ). Acceptance: within 0.02.
func TestKMeansVMatchesSklearn(t *testing.T) {
	for _, s := range clusSets(t) {
		seeds := len(s.KMeansV[0])
		kmin, kmax := s.Ks[0], s.Ks[len(s.Ks)-1]
		goV := make([][]float64, len(s.Ks))
		for seed := range seeds {
			sw, err := SweepKMeans(context.Background(), s.X, s.N, s.D, s.Truth, kmin, kmax,
				KMeansOptions{Seed: uint64(seed)})
			if err != nil {
				t.Fatal(err)
			}
			for i, ks := range sw.PerK {
				goV[i] = append(goV[i], ks.V)
			}
		}
		worst := 0.0
		for i, k := range s.Ks {
			g, p := clusMean(goV[i]), clusMean(s.KMeansV[i])
			worst = max(worst, math.Abs(g-p))
			if !(math.Abs(g-p) <= 0.02) {
				t.Errorf("%s k=%d: mean V over %d seeds %.4f, scikit-learn %.4f", s.Name, k, seeds, g, p)
			}
		}
		t.Logf("%s: k-means, %d seeds, largest |mean V − scikit-learn's| over k = %d..%d: %.4f",
			s.Name, seeds, kmin, kmax, worst)
		clusCheckBest(t, s.Name+" k-means", s.Ks, goV, s.KMeansV)
	}
}

// clusMixture draws n points of a fixed 2-D mixture of `comp` Gaussian blobs
// (a deterministic LCG and Box–Muller; no dependence on math/rand versions).
func clusMixture(n, comp int, seed uint64) ([]float64, []int) {
	state := seed*6364136223846793005 + 1442695040888963407
	unif := func() float64 {
		state = state*6364136223846793005 + 1442695040888963407
		return (float64(state>>11) + 0.5) / (1 << 53)
	}
	x := make([]float64, 2*n)
	y := make([]int, n)
	for i := range n {
		c := i % comp
		r := math.Sqrt(-2 * math.Log(unif()))
		a := 2 * math.Pi * unif()
		x[2*i] = 6*math.Cos(2*math.Pi*float64(c)/float64(comp)) + r*math.Cos(a)
		x[2*i+1] = 6*math.Sin(2*math.Pi*float64(c)/float64(comp)) + 0.5*r*math.Sin(a)
		y[i] = c
	}
	return x, y
}

func TestKMeansInvariants(t *testing.T) {
	x, _ := clusMixture(600, 4, 1)
	n, d := 600, 2
	for _, k := range []int{1, 2, 4, 7} {
		// A tiny Tol makes the runs end by strict convergence.
		res, err := KMeans(x, n, d, KMeansOptions{K: k, Seed: 3, Tol: 1e-14})
		if err != nil {
			t.Fatal(err)
		}
		if res.K != k || res.D != d || len(res.Centers) != k*d || len(res.Labels) != n || res.NIter < 1 {
			t.Fatalf("k=%d: malformed result K=%d D=%d %d centres %d labels NIter=%d",
				k, res.K, res.D, len(res.Centers), len(res.Labels), res.NIter)
		}
		// Labels are the nearest centres and Inertia their squared distances.
		pred, err := res.Predict(x, n)
		if err != nil {
			t.Fatal(err)
		}
		inertia := 0.0
		for i, l := range res.Labels {
			inertia += kmSqDist(x[i*d:(i+1)*d], res.Centers[l*d:(l+1)*d])
		}
		if !slices.Equal(pred, res.Labels) {
			t.Errorf("k=%d: labels are not the nearest centres", k)
		}
		if math.Abs(inertia-res.Inertia) > 1e-9*inertia {
			t.Errorf("k=%d: Inertia %.17g, recomputed %.17g", k, res.Inertia, inertia)
		}
		// At convergence every centre is the mean of its points.
		sums := make([]float64, k*d)
		counts := make([]float64, k)
		for i, l := range res.Labels {
			counts[l]++
			for t2 := range d {
				sums[l*d+t2] += x[i*d+t2]
			}
		}
		for j := range k {
			if counts[j] == 0 {
				t.Errorf("k=%d: cluster %d is empty", k, j)
				continue
			}
			for t2 := range d {
				if m := sums[j*d+t2] / counts[j]; math.Abs(m-res.Centers[j*d+t2]) > 1e-9 {
					t.Errorf("k=%d: centre %d coordinate %d = %g, mean of its points %g", k, j, t2, res.Centers[j*d+t2], m)
				}
			}
		}
	}
	// k = n puts every point in its own cluster: inertia 0.
	small := []float64{0, 0, 1, 0, 0, 1, 5, 5, 5, 6}
	res, err := KMeans(small, 5, 2, KMeansOptions{K: 5, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Inertia != 0 {
		t.Errorf("k = n: inertia %g, want 0", res.Inertia)
	}
	// One dimension and d > 2 use the general path.
	x3 := make([]float64, 3*200)
	for i := range 200 {
		for t2 := range 3 {
			x3[3*i+t2] = float64((i%2)*10) + math.Sin(float64(7*i+t2))
		}
	}
	res, err = KMeans(x3, 200, 3, KMeansOptions{K: 2, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range res.Labels {
		if l != res.Labels[i%2] {
			t.Fatalf("d=3: two well separated groups not recovered")
		}
	}
}

// TestKMeansDeterministic: the same seed gives the same result whatever the
// number of workers and GOMAXPROCS; different seeds draw different seeds.
func TestKMeansDeterministic(t *testing.T) {
	x, _ := clusMixture(800, 6, 2)
	ref, err := KMeans(x, 800, 2, KMeansOptions{K: 9, Seed: 42, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	prev := runtime.GOMAXPROCS(1)
	one, err := KMeans(x, 800, 2, KMeansOptions{K: 9, Seed: 42})
	runtime.GOMAXPROCS(prev)
	if err != nil {
		t.Fatal(err)
	}
	many, err := KMeans(x, 800, 2, KMeansOptions{K: 9, Seed: 42, Workers: 7})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ref, one) || !reflect.DeepEqual(ref, many) {
		t.Error("result depends on Workers or GOMAXPROCS")
	}
	// Different seeds give different k-means++ draws.
	data, err := kmPrepare("test", x, 800, 2, KMeansOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w := newKMWork(800, 2, 9)
	data.plusPlus(w, 9, kmRNG(1, 0))
	a := slices.Clone(w.centers)
	data.plusPlus(w, 9, kmRNG(2, 0))
	if slices.Equal(a, w.centers) {
		t.Error("seeds 1 and 2 drew the same k-means++ centres")
	}
	data.plusPlus(w, 9, kmRNG(1, 0))
	if !slices.Equal(a, w.centers) {
		t.Error("seed 1 drew different k-means++ centres twice")
	}
}

func TestKMeansPlusPlusSpreads(t *testing.T) {
	// Five tight, far-apart blobs: greedy k-means++ puts one seed in each
	// (the D² weighting makes a second seed in a blob vanishingly unlikely).
	x, y := clusMixture(500, 5, 4)
	for i := range x {
		x[i] *= 10
	}
	data, err := kmPrepare("test", x, 500, 2, KMeansOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w := newKMWork(500, 2, 5)
	for seed := range uint64(20) {
		data.plusPlus(w, 5, kmRNG(seed, 0))
		seen := map[int]bool{}
		for j := range 5 {
			best, bestD := 0, math.Inf(1)
			for i := range 500 {
				if s := kmSqDist(data.x[2*i:2*i+2], w.centers[2*j:2*j+2]); s < bestD {
					best, bestD = i, s
				}
			}
			if bestD != 0 {
				t.Fatalf("seed %d: centre %d is not a data point", seed, j)
			}
			seen[y[best]] = true
		}
		if len(seen) != 5 {
			t.Errorf("seed %d: k-means++ seeds cover %d of 5 blobs", seed, len(seen))
		}
	}
}

func TestKMeansErrors(t *testing.T) {
	x := []float64{0, 0, 1, 1, 2, 2}
	for _, tc := range []struct {
		name string
		x    []float64
		n, d int
		opt  KMeansOptions
	}{
		{"k = 0", x, 3, 2, KMeansOptions{K: 0}},
		{"k > n", x, 3, 2, KMeansOptions{K: 4}},
		{"NaN", []float64{0, 0, math.NaN(), 1, 2, 2}, 3, 2, KMeansOptions{K: 2}},
		{"Inf", []float64{0, 0, math.Inf(1), 1, 2, 2}, 3, 2, KMeansOptions{K: 2}},
		{"shape", x, 4, 2, KMeansOptions{K: 2}},
		{"n = 0", nil, 0, 2, KMeansOptions{K: 1}},
		{"negative NInit", x, 3, 2, KMeansOptions{K: 2, NInit: -1}},
		{"Init length", x, 3, 2, KMeansOptions{K: 2, Init: []float64{0, 0}}},
		{"Init NaN", x, 3, 2, KMeansOptions{K: 1, Init: []float64{math.NaN(), 0}}},
	} {
		if _, err := KMeans(tc.x, tc.n, tc.d, tc.opt); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	if _, err := (KMeansResult{}).Predict(x, 3); err == nil {
		t.Error("Predict on an empty result: no error")
	}
	res, err := KMeans(x, 3, 2, KMeansOptions{K: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := res.Predict(x, 2); err == nil {
		t.Error("Predict with a wrong n: no error")
	}
	if _, err := res.Predict([]float64{math.Inf(-1), 0}, 1); err == nil {
		t.Error("Predict of -Inf: no error")
	}
}

func TestKMeansSameClustering(t *testing.T) {
	for _, tc := range []struct {
		a, b []int32
		want bool
	}{
		{[]int32{0, 0, 1, 2}, []int32{2, 2, 0, 1}, true},
		{[]int32{0, 0, 1, 2}, []int32{2, 1, 0, 1}, false},
		// One-directional, as scikit-learn's: a maps consistently onto b.
		{[]int32{0, 1, 2, 2}, []int32{0, 0, 1, 1}, true},
	} {
		if got := kmSameClustering(tc.a, tc.b, 3); got != tc.want {
			t.Errorf("kmSameClustering(%v, %v) = %v", tc.a, tc.b, got)
		}
	}
}

func clusBenchData(b *testing.B) ([]float64, []int) {
	b.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "clustering_bench10k.f64"))
	if err != nil {
		b.Fatal(err)
	}
	rawY, err := os.ReadFile(filepath.Join("testdata", "clustering_bench10k.i64"))
	if err != nil {
		b.Fatal(err)
	}
	const n = 10000
	if len(raw) != 8*2*n || len(rawY) != 8*n {
		b.Fatalf("bench data: %d and %d bytes", len(raw), len(rawY))
	}
	x := make([]float64, 2*n)
	for i := range x {
		x[i] = math.Float64frombits(clusLE64(raw[8*i:]))
	}
	y := make([]int, n)
	for i := range y {
		y[i] = int(int64(clusLE64(rawY[8*i:])))
	}
	return x, y
}

func clusLE64(b []byte) uint64 {
	var v uint64
	for i := 7; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

// BenchmarkSweepKMeans10k is the Go side of
// bench/peers/kmeans_sweep.py --data metrics/testdata/clustering_bench10k.f64
// --n 10000 --d 2 --kmin 2 --kmax 20 --n-init 10.
func BenchmarkSweepKMeans10k(b *testing.B) {
	x, y := clusBenchData(b)
	b.ResetTimer()
	for b.Loop() {
		if _, err := SweepKMeans(context.Background(), x, 10000, 2, y, 2, 20, KMeansOptions{NInit: 10}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkKMeans10kK10 is one KMeans(K = 10, n_init = 10) on the same data.
func BenchmarkKMeans10kK10(b *testing.B) {
	x, _ := clusBenchData(b)
	b.ResetTimer()
	for b.Loop() {
		if _, err := KMeans(x, 10000, 2, KMeansOptions{K: 10}); err != nil {
			b.Fatal(err)
		}
	}
}

// clusNaiveLloyd is a direct rendering of scikit-learn's _kmeans_single_lloyd
// (nearest centre by full scan, means, empty clusters relocated to the
// farthest points, strict or tol convergence, final reassignment).
func clusNaiveLloyd(x []float64, n, d, k int, init []float64, maxIter int, tol float64) ([]int32, float64, int) {
	centers := slices.Clone(init)
	labels := make([]int32, n)
	old := make([]int32, n)
	for i := range old {
		old[i] = -1
	}
	nearest := func() {
		for i := range n {
			best, bestD := 0, math.Inf(1)
			for j := range k {
				s := 0.0
				for t := range d {
					e := x[i*d+t] - centers[j*d+t]
					s += e * e
				}
				if s < bestD {
					best, bestD = j, s
				}
			}
			labels[i] = int32(best)
		}
	}
	strict, iter := false, 0
	for iter = 0; iter < maxIter; iter++ {
		nearest()
		sums := make([]float64, k*d)
		cnt := make([]float64, k)
		for i, l := range labels {
			cnt[l]++
			for t := range d {
				sums[int(l)*d+t] += x[i*d+t]
			}
		}
		taken := make([]bool, n)
		for j := range k {
			if cnt[j] > 0 {
				continue
			}
			far, farD := -1, -1.0
			for i, l := range labels {
				s := 0.0
				for t := range d {
					e := x[i*d+t] - centers[int(l)*d+t]
					s += e * e
				}
				if !taken[i] && s > farD {
					far, farD = i, s
				}
			}
			taken[far] = true
			o := labels[far]
			for t := range d {
				sums[int(o)*d+t] -= x[far*d+t]
				sums[j*d+t] = x[far*d+t]
			}
			cnt[j], cnt[o] = 1, cnt[o]-1
		}
		shift := 0.0
		for j := range k {
			for t := range d {
				v := sums[j*d+t]
				if cnt[j] > 0 {
					v *= 1 / cnt[j]
				}
				e := v - centers[j*d+t]
				shift += e * e
				centers[j*d+t] = v
			}
		}
		if slices.Equal(labels, old) {
			strict = true
			break
		}
		if shift <= tol {
			break
		}
		copy(old, labels)
	}
	if !strict {
		nearest()
	}
	inertia := 0.0
	for i, l := range labels {
		for t := range d {
			e := x[i*d+t] - centers[int(l)*d+t]
			inertia += e * e
		}
	}
	return labels, inertia, min(iter+1, maxIter)
}

// TestKMeansBoundsMatchPlainLloyd: the Hamerly-accelerated Lloyd step gives
// the labels, iteration counts and inertia of the plain step, including on
// integer data full of exact distance ties and duplicate points.
func TestKMeansBoundsMatchPlainLloyd(t *testing.T) {
	mix, _ := clusMixture(1000, 6, 12)
	grid := make([]float64, 2*400)
	cube := make([]float64, 3*500)
	state := uint64(99)
	next := func() uint64 {
		state = state*6364136223846793005 + 1442695040888963407
		return state >> 33
	}
	for i := range grid {
		grid[i] = float64(next() % 6)
	}
	for i := range cube {
		cube[i] = float64(next()%1000)/100 + float64((i/3)%4)*5
	}
	for _, tc := range []struct {
		name string
		x    []float64
		n, d int
		k    int
	}{
		{"mixture", mix, 1000, 2, 9},
		{"integer grid", grid, 400, 2, 7},
		{"3-D", cube, 500, 3, 6},
		{"one cluster", mix, 1000, 2, 1},
	} {
		data, err := kmPrepare("test", tc.x, tc.n, tc.d, KMeansOptions{})
		if err != nil {
			t.Fatal(err)
		}
		w := newKMWork(tc.n, tc.d, tc.k)
		for seed := range uint64(8) {
			data.plusPlus(w, tc.k, kmRNG(seed, 0))
			init := slices.Clone(w.centers[:tc.k*tc.d])
			if seed == 7 && tc.k > 2 {
				// Duplicate centres: clusters left empty, relocation.
				copy(init[tc.d:2*tc.d], init[:tc.d])
				copy(w.centers, init)
			}
			wantL, wantI, wantN := clusNaiveLloyd(data.x, tc.n, tc.d, tc.k, init, data.maxIter, data.tol)
			run := data.lloyd(w, tc.k)
			if !slices.Equal(run.labels, wantL) || run.nIter != wantN || math.Abs(run.inertia-wantI) > 1e-12*wantI {
				t.Errorf("%s seed %d: bounded Lloyd (%d iterations, inertia %.17g) differs from plain Lloyd (%d, %.17g)",
					tc.name, seed, run.nIter, run.inertia, wantN, wantI)
			}
		}
	}
}
