package metrics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"

	"github.com/latentbench/latentbench/internal/parallel"
)

// KMeansOptions configures KMeans. Zero values select scikit-learn 1.2's
// KMeans defaults.
type KMeansOptions struct {
	// K is the number of clusters, 1 ≤ K ≤ n. Ignored by SweepKMeans.
	K int
	// NInit is the number of k-means++ restarts; the run with the lowest
	// inertia is kept. 0 means 10, scikit-learn's default.
	NInit int
	// MaxIter bounds the Lloyd iterations of one run. 0 means 300.
	MaxIter int
	// Tol is the convergence tolerance relative to the data: a run stops when
	// the squared Frobenius norm of the centre shift is ≤ Tol · mean_j Var(x_j)
	// (scikit-learn's _tolerance). 0 means 1e-4.
	Tol float64
	// Seed seeds the k-means++ draws (math/rand/v2 PCG). Restart r uses a
	// stream derived from (Seed, r) only, so results do not depend on K's
	// neighbours in a sweep, on Workers or on GOMAXPROCS.
	Seed uint64
	// Init, if set, holds K×d row-major initial centres used instead of
	// k-means++; then only one run is made (as scikit-learn does with an
	// array init). Ignored by SweepKMeans.
	Init []float64
	// Workers bounds the goroutines that run restarts (and, in a sweep, the
	// k values) in parallel. 0 means runtime.GOMAXPROCS(0).
	Workers int
}

// KMeansResult is the best k-means run.
type KMeansResult struct {
	// Labels holds the cluster, 0..K−1, of each of the n points.
	Labels []int
	// Centers holds the K×D cluster centres, row-major.
	Centers []float64
	// Inertia is Σ_i ‖x_i − c_{label(i)}‖².
	Inertia float64
	// NIter is the number of Lloyd iterations of the kept run.
	NIter int
	// K and D are the number of clusters and the dimension.
	K, D int
}

// KMeans clusters the n×d row-major points x into opt.K clusters with
// k-means as scikit-learn 1.2's KMeans(algorithm="lloyd") does (the
// distance arithmetic differs: scikit-learn expands ‖x‖² − 2x·c + ‖c‖²):
//
//   - the data are centred on their mean before clustering (centres are
//     shifted back at the end), as scikit-learn does for accuracy;
//   - each of NInit runs starts from greedy k-means++ seeds (Arthur &
//     Vassilvitskii 2007, "k-means++: the advantages of careful seeding",
//     SODA; greedy variant of scikit-learn's _kmeans_plusplus): the first
//     centre is a uniformly drawn point, each further centre is the best, by
//     resulting potential Σ_i min_j ‖x_i − c_j‖², of 2 + ⌊ln K⌋ candidates
//     drawn with probability proportional to D(x)², the squared distance to
//     the nearest centre chosen so far;
//   - then Lloyd iterations (Lloyd 1982, "Least squares quantization in
//     PCM", IEEE Trans. Inf. Theory 28(2)): assign every point to its nearest
//     centre (ties to the lower index), move every centre to the mean of its
//     points; an empty cluster takes the point farthest from its centre
//     (scikit-learn's _relocate_empty_clusters_dense); stop when no label
//     changes, when the squared centre shift Σ_j ‖c_j' − c_j‖² ≤ tol·mean_j
//     Var(x_j), or after MaxIter iterations (then the points are reassigned
//     to the final centres). The assignment step skips the points whose
//     centre cannot have changed by Hamerly's distance bounds (Hamerly 2010,
//     "Making k-means even faster", SIAM SDM), with margins that make the
//     labels exactly those of the plain nearest-centre step;
//   - the run with the lowest inertia is kept, a later run replacing an
//     earlier one only if its inertia is lower and its partition differs (as
//     scikit-learn's _is_same_clustering).
//
// Restarts run in parallel on up to opt.Workers goroutines; the result
// depends only on x, the options and opt.Seed. It returns an error if K < 1,
// K > n, the shape is inconsistent, or x holds NaN or ±Inf.
func KMeans(x []float64, n, d int, opt KMeansOptions) (KMeansResult, error) {
	data, err := kmPrepare("KMeans", x, n, d, opt)
	if err != nil {
		return KMeansResult{}, err
	}
	k := opt.K
	if k < 1 || k > n {
		return KMeansResult{}, fmt.Errorf("metrics: KMeans: need 1 ≤ K ≤ n, got K = %d, n = %d", k, n)
	}
	runs := 1
	if opt.Init == nil {
		runs = data.nInit
	} else if len(opt.Init) != k*d {
		return KMeansResult{}, fmt.Errorf("metrics: KMeans: Init has %d values, want K·d = %d", len(opt.Init), k*d)
	} else if !kmFinite(opt.Init) {
		return KMeansResult{}, errors.New("metrics: KMeans: Init holds NaN or Inf")
	}
	out := make([]kmRun, runs)
	err = kmParallel(context.Background(), runs, kmWorkers(opt.Workers, runs), func() *kmWork {
		return newKMWork(n, d, k)
	}, func(w *kmWork, job int) {
		if opt.Init != nil {
			copy(w.centers, opt.Init)
			for j := range k {
				for t := range d {
					w.centers[j*d+t] -= data.mean[t]
				}
			}
			out[job] = data.lloyd(w, k)
			return
		}
		out[job] = data.runOne(w, k, job, opt.Seed)
	})
	if err != nil {
		return KMeansResult{}, fmt.Errorf("metrics: KMeans: %w", err)
	}
	return data.best(out, k), nil
}

// Predict returns the index of the nearest centre (ties to the lower index)
// of each of the n points of the n×D row-major x.
func (r KMeansResult) Predict(x []float64, n int) ([]int, error) {
	if r.K < 1 || r.D < 1 || len(r.Centers) != r.K*r.D {
		return nil, fmt.Errorf("metrics: KMeansResult.Predict: inconsistent result (K = %d, D = %d, %d centre values)",
			r.K, r.D, len(r.Centers))
	}
	if n < 0 || len(x) != n*r.D {
		return nil, fmt.Errorf("metrics: KMeansResult.Predict: len(x) = %d, want n·D = %d·%d", len(x), n, r.D)
	}
	if !kmFinite(x) {
		return nil, errors.New("metrics: KMeansResult.Predict: input holds NaN or Inf")
	}
	labels := make([]int, n)
	for i := range n {
		best, _ := kmNearest(x[i*r.D:(i+1)*r.D], r.Centers, r.K, r.D)
		labels[i] = best
	}
	return labels, nil
}

// kmData is the validated, mean-centred input shared (read-only) by all runs.
type kmData struct {
	x       []float64 // centred copy, n×d
	n, d    int
	mean    []float64
	tol     float64 // absolute tolerance on Σ_j ‖shift_j‖²
	nInit   int
	maxIter int
	// done is the sweep's ctx.Done() (nil: never cancelled).
	done <-chan struct{}
}

// kmWork is one goroutine's scratch space; no allocation happens per
// iteration once it exists.
type kmWork struct {
	centers, next []float64 // k×d
	weight, shift []float64 // k
	half          []float64 // k
	labels, old   []int32   // n
	upper, lower  []float64 // n: Hamerly bounds
	closest, cum  []float64 // n
	cand          []float64 // trials×n
	candIdx       []int
	pot           []float64 // trials
}

func newKMWork(n, d, kmax int) *kmWork {
	trials := 2 + int(math.Log(float64(kmax)))
	return &kmWork{
		centers: make([]float64, kmax*d),
		next:    make([]float64, kmax*d),
		weight:  make([]float64, kmax),
		shift:   make([]float64, kmax),
		half:    make([]float64, kmax),
		upper:   make([]float64, n),
		lower:   make([]float64, n),
		labels:  make([]int32, n),
		old:     make([]int32, n),
		closest: make([]float64, n),
		cum:     make([]float64, n),
		cand:    make([]float64, trials*n),
		candIdx: make([]int, trials),
		pot:     make([]float64, trials),
	}
}

// kmRun is the outcome of one k-means run.
type kmRun struct {
	labels  []int32
	centers []float64 // centred coordinates
	inertia float64
	nIter   int
}

func kmFinite(v []float64) bool {
	for _, f := range v {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return false
		}
	}
	return true
}

// kmPrepare validates x, fills the defaults of opt and centres the data.
func kmPrepare(fn string, x []float64, n, d int, opt KMeansOptions) (*kmData, error) {
	if n < 1 || d < 1 {
		return nil, fmt.Errorf("metrics: %s: need n ≥ 1 and d ≥ 1, got n = %d, d = %d", fn, n, d)
	}
	if len(x) != n*d {
		return nil, fmt.Errorf("metrics: %s: len(x) = %d, want n·d = %d·%d", fn, len(x), n, d)
	}
	if !kmFinite(x) {
		return nil, fmt.Errorf("metrics: %s: input holds NaN or Inf", fn)
	}
	if opt.NInit < 0 || opt.MaxIter < 0 || opt.Tol < 0 || opt.Workers < 0 {
		return nil, fmt.Errorf("metrics: %s: negative option (NInit %d, MaxIter %d, Tol %g, Workers %d)",
			fn, opt.NInit, opt.MaxIter, opt.Tol, opt.Workers)
	}
	data := &kmData{n: n, d: d, nInit: opt.NInit, maxIter: opt.MaxIter}
	if data.nInit == 0 {
		data.nInit = 10
	}
	if data.maxIter == 0 {
		data.maxIter = 300
	}
	tol := opt.Tol
	if tol == 0 {
		tol = 1e-4
	}
	data.mean = make([]float64, d)
	for i := range n {
		for t := range d {
			data.mean[t] += x[i*d+t]
		}
	}
	for t := range d {
		data.mean[t] /= float64(n)
	}
	data.x = make([]float64, n*d)
	varSum := 0.0
	for t := range d {
		v := 0.0
		for i := range n {
			c := x[i*d+t] - data.mean[t]
			data.x[i*d+t] = c
			v += c * c
		}
		varSum += v / float64(n)
	}
	data.tol = varSum / float64(d) * tol
	return data, nil
}

// kmSeedMix is splitmix64's finaliser, used to derive independent PCG seeds.
func kmSeedMix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// kmRNG returns the generator of stream `stream` of seed `seed`.
func kmRNG(seed, stream uint64) *rand.Rand {
	a := kmSeedMix(seed ^ kmSeedMix(stream))
	b := kmSeedMix(a ^ 0x6a09e667f3bcc909)
	return rand.New(rand.NewPCG(a, b))
}

// runOne makes restart `run` of k-means with k clusters: k-means++ seeding
// with the stream of (seed, run), then Lloyd iterations.
func (m *kmData) runOne(w *kmWork, k, run int, seed uint64) kmRun {
	m.plusPlus(w, k, kmRNG(seed, uint64(run)))
	return m.lloyd(w, k)
}

// kmSqDist is ‖a − b‖².
func kmSqDist(a, b []float64) float64 {
	s := 0.0
	for t, av := range a {
		df := av - b[t]
		s += df * df
	}
	return s
}

// kmNearest returns the nearest of the k centres (k×d row-major) to p, ties
// to the lower index, and the squared distance.
func kmNearest(p, centers []float64, k, d int) (int, float64) {
	best, bestD := 0, math.Inf(1)
	for j := range k {
		if s := kmSqDist(p, centers[j*d:(j+1)*d]); s < bestD {
			best, bestD = j, s
		}
	}
	return best, bestD
}

// plusPlus writes k greedy k-means++ seeds (Arthur & Vassilvitskii 2007;
// scikit-learn's _kmeans_plusplus with n_local_trials = 2 + ⌊ln k⌋) into
// w.centers.
func (m *kmData) plusPlus(w *kmWork, k int, rng *rand.Rand) {
	n, d, x := m.n, m.d, m.x
	trials := 2 + int(math.Log(float64(k)))
	first := rng.IntN(n)
	copy(w.centers[:d], x[first*d:(first+1)*d])
	closest := w.closest
	pot := 0.0
	c0 := w.centers[:d]
	for i := range n {
		s := kmSqDist(x[i*d:(i+1)*d], c0)
		closest[i] = s
		pot += s
	}
	for c := 1; c < k; c++ {
		// Cumulative sum of D(x)², then inverse-CDF draws (numpy.searchsorted,
		// side "left": the first index whose cumulative sum reaches the draw).
		cum := w.cum
		acc := 0.0
		for i, v := range closest {
			acc += v
			cum[i] = acc
		}
		for t := range trials {
			r := rng.Float64() * pot
			lo, hi := 0, n
			for lo < hi {
				mid := int(uint(lo+hi) >> 1)
				if cum[mid] < r {
					lo = mid + 1
				} else {
					hi = mid
				}
			}
			w.candIdx[t] = min(lo, n-1)
		}
		for t := 0; t < trials; t++ {
			ci := w.candIdx[t]
			cand := x[ci*d : (ci+1)*d]
			dist := w.cand[t*n : (t+1)*n]
			switch {
			case d == 2 && t+1 < trials:
				// Two candidates per pass over the points.
				cj := w.candIdx[t+1]
				w.pot[t], w.pot[t+1] = kmCandPair2D(x[:2*n], closest[:n], x[2*ci:2*ci+2], x[2*cj:2*cj+2],
					dist, w.cand[(t+1)*n:(t+2)*n])
				t++
			case d == 2:
				w.pot[t], _ = kmCandPair2D(x[:2*n], closest[:n], cand, cand, dist, dist)
			default:
				p := 0.0
				for i := range n {
					s := min(kmSqDist(x[i*d:(i+1)*d], cand), closest[i])
					dist[i] = s
					p += s
				}
				w.pot[t] = p
			}
		}
		bestT := 0
		for t := 1; t < trials; t++ {
			if w.pot[t] < w.pot[bestT] {
				bestT = t
			}
		}
		pot = w.pot[bestT]
		copy(closest, w.cand[bestT*n:(bestT+1)*n])
		ci := w.candIdx[bestT]
		copy(w.centers[c*d:(c+1)*d], x[ci*d:(ci+1)*d])
	}
}

// kmCandPair2D computes, for two k-means++ candidate centres a and b, the
// squared distance of every 2-D point to its nearest centre once the
// candidate is added (into distA, distB) and the potentials (sums). Four
// partial sums break the addition chain.
func kmCandPair2D(x, closest, a, b, distA, distB []float64) (float64, float64) {
	a0, a1, b0, b1 := a[0], a[1], b[0], b[1]
	n := len(closest)
	distA, distB = distA[:n], distB[:n]
	var pa0, pa1, pb0, pb1 float64
	i := 0
	for ; i+1 < n; i += 2 {
		x0, x1, y0, y1 := x[2*i], x[2*i+1], x[2*i+2], x[2*i+3]
		c0, c1 := closest[i], closest[i+1]
		e0, e1 := x0-a0, x1-a1
		f0, f1 := y0-a0, y1-a1
		sa0 := min(e0*e0+e1*e1, c0)
		sa1 := min(f0*f0+f1*f1, c1)
		g0, g1 := x0-b0, x1-b1
		h0, h1 := y0-b0, y1-b1
		sb0 := min(g0*g0+g1*g1, c0)
		sb1 := min(h0*h0+h1*h1, c1)
		distA[i], distA[i+1] = sa0, sa1
		distB[i], distB[i+1] = sb0, sb1
		pa0 += sa0
		pa1 += sa1
		pb0 += sb0
		pb1 += sb1
	}
	if i < n {
		x0, x1 := x[2*i], x[2*i+1]
		e0, e1 := x0-a0, x1-a1
		g0, g1 := x0-b0, x1-b1
		sa := min(e0*e0+e1*e1, closest[i])
		sb := min(g0*g0+g1*g1, closest[i])
		distA[i], distB[i] = sa, sb
		pa0 += sa
		pb0 += sb
	}
	return pa0 + pa1, pb0 + pb1
}

// Hamerly bounds. Lloyd's assignment step is accelerated exactly with the
// distance bounds of Hamerly 2010 ("Making k-means even faster", SIAM SDM):
// for each point an upper bound u_i on the distance to its centre and a lower
// bound l_i on the distance to every other centre; a point keeps its centre
// without computing distances when u_i < max(l_i, s_a), s_a being half the
// distance from its centre to the nearest other centre. The bounds are kept
// conservative by a relative margin far above rounding error (kmMargin), so a
// point is skipped only when its centre is strictly nearest: the labels are
// those of the plain Lloyd step (nearest centre, ties to the lower index).
const kmMargin = 1e-12

// assignFull sets every label to the nearest centre (ties to the lower
// index) and initialises the bounds.
func (m *kmData) assignFull(w *kmWork, k int) {
	n, d, x := m.n, m.d, m.x
	centers := w.centers[:k*d]
	for i := range n {
		var best int
		var d1, d2 float64
		if d == 2 {
			best, d1, d2 = kmNearest2D(x[2*i], x[2*i+1], centers)
		} else {
			best, d1, d2 = kmNearestTwo(x[i*d:(i+1)*d], centers, k, d)
		}
		w.labels[i] = int32(best)
		w.upper[i] = math.Sqrt(d1) * (1 + kmMargin)
		w.lower[i] = math.Sqrt(d2) * (1 - kmMargin)
	}
}

// assignBounded is the assignment step given valid bounds (Hamerly 2010).
func (m *kmData) assignBounded(w *kmWork, k int) {
	n, d, x := m.n, m.d, m.x
	centers := w.centers[:k*d]
	half := w.half[:k]
	for j := range k {
		nearest := math.Inf(1)
		for j2 := range k {
			if j2 != j {
				nearest = min(nearest, kmSqDist(centers[j*d:(j+1)*d], centers[j2*d:(j2+1)*d]))
			}
		}
		half[j] = 0.5 * math.Sqrt(nearest) * (1 - kmMargin)
	}
	for i := range n {
		a := int(w.labels[i])
		bound := max(half[a], w.lower[i])
		if w.upper[i] < bound {
			continue
		}
		p := x[i*d : (i+1)*d]
		u := math.Sqrt(kmSqDist(p, centers[a*d:(a+1)*d])) * (1 + kmMargin)
		w.upper[i] = u
		if u < bound {
			continue
		}
		var best int
		var d1, d2 float64
		if d == 2 {
			best, d1, d2 = kmNearest2D(p[0], p[1], centers)
		} else {
			best, d1, d2 = kmNearestTwo(p, centers, k, d)
		}
		w.labels[i] = int32(best)
		w.upper[i] = math.Sqrt(d1) * (1 + kmMargin)
		w.lower[i] = math.Sqrt(d2) * (1 - kmMargin)
	}
}

// updateBounds widens the bounds after the centres moved by w.shift.
func (m *kmData) updateBounds(w *kmWork, k int) {
	first, second, arg := 0.0, 0.0, -1
	for j, s := range w.shift[:k] {
		if s > first {
			first, second, arg = s, first, j
		} else if s > second {
			second = s
		}
	}
	for i, l := range w.labels {
		a := int(l)
		p := w.shift[a]
		w.upper[i] = (w.upper[i] + p) * (1 + kmMargin)
		q := first
		if a == arg {
			q = second
		}
		w.lower[i] = w.lower[i] - q - kmMargin*(w.lower[i]+q)
	}
}

// kmNearest2D returns the nearest of the centres (2-D, row-major) to (x0, x1),
// ties to the lower index, its squared distance and the squared distance to
// the second nearest (+Inf if there is one centre).
func kmNearest2D(x0, x1 float64, centers []float64) (int, float64, float64) {
	best, d1, d2 := 0, math.Inf(1), math.Inf(1)
	for j := 0; j+1 < len(centers); j += 2 {
		e0, e1 := x0-centers[j], x1-centers[j+1]
		s := e0*e0 + e1*e1
		if s < d2 {
			if s < d1 {
				best, d1, d2 = j>>1, s, d1
			} else {
				d2 = s
			}
		}
	}
	return best, d1, d2
}

// kmNearestTwo is kmNearest2D for any dimension.
func kmNearestTwo(p, centers []float64, k, d int) (int, float64, float64) {
	best, d1, d2 := 0, math.Inf(1), math.Inf(1)
	for j := range k {
		s := kmSqDist(p, centers[j*d:(j+1)*d])
		if s < d2 {
			if s < d1 {
				best, d1, d2 = j, s, d1
			} else {
				d2 = s
			}
		}
	}
	return best, d1, d2
}

// accumulate sums the points of each cluster into w.next and counts them in
// w.weight (the first half of the M-step).
func (m *kmData) accumulate(w *kmWork, k int) {
	n, d, x := m.n, m.d, m.x
	next, weight := w.next[:k*d], w.weight[:k]
	clear(next)
	clear(weight)
	if d == 2 {
		for i, l := range w.labels[:n] {
			next[2*l] += x[2*i]
			next[2*l+1] += x[2*i+1]
			weight[l]++
		}
		return
	}
	for i, l := range w.labels[:n] {
		acc := next[int(l)*d : (int(l)+1)*d]
		for t, v := range x[i*d : (i+1)*d] {
			acc[t] += v
		}
		weight[l]++
	}
}

// relocateEmpty gives each empty cluster the point farthest from its
// (previous) centre, as scikit-learn's _relocate_empty_clusters_dense: the
// point's contribution moves from its cluster's sum to the empty one; labels
// are left unchanged.
func (m *kmData) relocateEmpty(w *kmWork, k int) {
	n, d, x := m.n, m.d, m.x
	empty := 0
	for j := range k {
		if w.weight[j] == 0 {
			empty++
		}
	}
	if empty == 0 {
		return
	}
	dist := w.closest
	for i := range n {
		l := int(w.labels[i])
		dist[i] = kmSqDist(x[i*d:(i+1)*d], w.centers[l*d:(l+1)*d])
	}
	for j := range k {
		if w.weight[j] != 0 {
			continue
		}
		// The farthest point not yet taken (taken points get distance −1).
		far := 0
		for i := 1; i < n; i++ {
			if dist[i] > dist[far] {
				far = i
			}
		}
		dist[far] = -1
		old := int(w.labels[far])
		p := x[far*d : (far+1)*d]
		for t, v := range p {
			w.next[old*d+t] -= v
			w.next[j*d+t] = v
		}
		w.weight[j] = 1
		w.weight[old]--
	}
}

// lloyd runs Lloyd iterations (Lloyd 1982) from the centres in w.centers, as
// scikit-learn's _kmeans_single_lloyd, and returns a copy of the outcome.
func (m *kmData) lloyd(w *kmWork, k int) kmRun {
	inertia, nIter := m.lloydInPlace(w, k)
	run := kmRun{
		labels:  make([]int32, m.n),
		centers: make([]float64, k*m.d),
		inertia: inertia,
		nIter:   nIter,
	}
	copy(run.labels, w.labels)
	copy(run.centers, w.centers[:k*m.d])
	return run
}

// lloydInPlace runs Lloyd iterations from the centres in w.centers, leaving
// the final labels in w.labels and centres in w.centers, and returns the
// inertia and the number of iterations.
func (m *kmData) lloydInPlace(w *kmWork, k int) (float64, int) {
	d := m.d
	for i := range w.old {
		w.old[i] = -1
	}
	strict := false
	iter := 0
	for iter = 0; iter < m.maxIter; iter++ {
		if m.canceled() {
			// The sweep returns ctx's error and drops this run; the labels
			// may be stale, so nothing below may run on them.
			return math.NaN(), iter
		}
		if iter == 0 {
			m.assignFull(w, k)
		} else {
			m.assignBounded(w, k)
		}
		m.accumulate(w, k)
		m.relocateEmpty(w, k)
		shiftTot := 0.0
		for j := range k {
			if wt := w.weight[j]; wt > 0 {
				alpha := 1 / wt
				for t := range d {
					w.next[j*d+t] *= alpha
				}
			}
			s := math.Sqrt(kmSqDist(w.next[j*d:(j+1)*d], w.centers[j*d:(j+1)*d]))
			w.shift[j] = s
			shiftTot += s * s
		}
		w.centers, w.next = w.next, w.centers
		m.updateBounds(w, k)
		same := true
		for i, l := range w.labels {
			if l != w.old[i] {
				same = false
				break
			}
		}
		if same {
			strict = true
			break
		}
		if shiftTot <= m.tol {
			break
		}
		copy(w.old, w.labels)
	}
	nIter := iter + 1
	if iter == m.maxIter {
		nIter = m.maxIter
	}
	if !strict {
		// Labels of the final centres (scikit-learn reruns the E-step).
		m.assignBounded(w, k)
	}
	inertia := 0.0
	for i, l := range w.labels {
		inertia += kmSqDist(m.x[i*d:(i+1)*d], w.centers[int(l)*d:(int(l)+1)*d])
	}
	return inertia, nIter
}

// kmSameClustering is scikit-learn's _is_same_clustering: whether labels1
// maps consistently onto labels2.
func kmSameClustering(labels1, labels2 []int32, k int) bool {
	mapping := make([]int32, k)
	for i := range mapping {
		mapping[i] = -1
	}
	for i, l := range labels1 {
		switch mapping[l] {
		case -1:
			mapping[l] = labels2[i]
		case labels2[i]:
		default:
			return false
		}
	}
	return true
}

// best picks the kept run in restart order, as scikit-learn's KMeans.fit,
// and converts it to a KMeansResult in the original coordinates.
func (m *kmData) best(runs []kmRun, k int) KMeansResult {
	b := 0
	for r := 1; r < len(runs); r++ {
		if runs[r].inertia < runs[b].inertia && !kmSameClustering(runs[r].labels, runs[b].labels, k) {
			b = r
		}
	}
	run := runs[b]
	res := KMeansResult{
		Labels:  make([]int, m.n),
		Centers: make([]float64, k*m.d),
		Inertia: run.inertia,
		NIter:   run.nIter,
		K:       k,
		D:       m.d,
	}
	for i, l := range run.labels {
		res.Labels[i] = int(l)
	}
	for j := range k {
		for t := range m.d {
			res.Centers[j*m.d+t] = run.centers[j*m.d+t] + m.mean[t]
		}
	}
	return res
}

// kmWorkers is the number of goroutines for jobs jobs: the requested count
// (GOMAXPROCS if 0), at most jobs.
func kmWorkers(requested, jobs int) int {
	w := requested
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	return max(1, min(w, jobs))
}

// kmParallel runs do(ws, job) for job = 0..jobs−1 on `workers` goroutines,
// each with its own scratch space from newWork. Jobs are taken in index
// order; each job must write only its own result slot, which keeps the
// outcome independent of scheduling. It stops taking jobs once ctx is done
// and then returns ctx's error (internal/parallel.For).
func kmParallel[W any](ctx context.Context, jobs, workers int, newWork func() W, do func(W, int)) error {
	ws := make([]W, max(workers, 1))
	made := make([]bool, len(ws))
	return parallel.For(ctx, jobs, 1, workers, func(w, job, _ int) {
		if !made[w] {
			ws[w], made[w] = newWork(), true
		}
		do(ws[w], job)
	})
}

// canceled reports whether the sweep this data belongs to was cancelled; fits
// check it between iterations (and, where one iteration is long, inside it)
// so that a cell timeout or Ctrl-C ends a long fit within about a second.
func (m *kmData) canceled() bool {
	if m.done == nil {
		return false
	}
	select {
	case <-m.done:
		return true
	default:
		return false
	}
}
