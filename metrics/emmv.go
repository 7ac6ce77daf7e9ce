package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// Excess-Mass and Mass-Volume curves (docs/method.md, "EM and MV").
//
// Reference: N. Goix, "How to evaluate the quality of unsupervised anomaly
// detection algorithms?", ICML Anomaly Detection Workshop 2016, and its code
// ngoix/EMMV_benchmarks (em.py, functions em() and mv()), which Norlander &
// Sopasakis 2019 (§4.2, §4.3) use for their Tables 2 and 3. The golden vectors
// the tests compare with (to 1e-12 relative) were made by a Python
// re-implementation of Goix's published description of the algorithm
// (metrics/testdata/gen_scores.py), not by Goix's own code, which this project
// could not obtain. The functions here compute the same curves but sort the scores once (radix sort) and
// sweep with counts: EM(t) is the upper envelope of one line per unique data
// score, built once in exact integer arithmetic and searched per level, up to
// the first level the EM AUC does not use (EMMV, EMMVSteps, EMMVGrids). That
// is O(n + N + levels·log n) against the reference's O(n·(N + levels)).
//
// Scores are normality scores: higher = more normal.
//
// How the pieces combine (d = latent dimension, Z the n×d evaluated points):
//
//	lo, hi, V := BoundingBox(Z, n, d)
//	U := UniformPoints(lo, hi, EMMVUniformPoints, seed)
//	sX, sU := detector scores of Z and of U (U is EMMVUniformPoints×d)
//	r := EMMV(sX, sU, V)                  // default grids
//
// For d > 5 (Goix's high-dimensional protocol), repeat over
// HighDimSubsets random feature subsets of HighDimFeatures features and
// average EM and MV:
//
//	for _, cols := range FeatureSubsets(d, HighDimFeatures, HighDimSubsets, seed) {
//		Zs := Project(Z, n, d, cols)   // evaluated points, 5 columns
//		lo, hi, V := BoundingBox(Zs, n, len(cols))
//		if !(V > 0) { continue }       // Goix skips a zero-volume box and draws another subset
//		U := UniformPoints(lo, hi, EMMVUniformPoints, seed2)
//		// refit the detector on Project(Zfit, nfit, d, cols), score Zs and U
//		r := EMMVSteps(sX, sU, V, HighDimTStep/V, HighDimAlphaStep)
//		// accumulate r.EM and r.MV, divide by the number of subsets used
//	}
//
// To reproduce the reference exactly (it keeps drawing until HighDimSubsets
// subsets with positive volume were used), ask FeatureSubsets for more subsets
// than needed and stop after HighDimSubsets usable ones.

const (
	// EMTMax is the reference's t_max: the EM AUC stops at the first level
	// where EM(t) <= EMTMax.
	EMTMax = 0.9
	// AlphaMin and AlphaMax bound the MV grid: AlphaMin <= α < AlphaMax.
	AlphaMin = 0.9
	AlphaMax = 0.999
	// DefaultTStep is the t step in units of 1/V: t = 0, 0.01/V, ..., < 100/V.
	DefaultTStep = 0.01
	// TStop is the end of the t grid in units of 1/V (exclusive).
	TStop = 100.0
	// DefaultAlphaStep is the α step of the MV grid.
	DefaultAlphaStep = 0.0001
	// HighDimTStep and HighDimAlphaStep are the finer steps of the d > 5
	// protocol (t step in units of 1/V, as DefaultTStep).
	HighDimTStep     = 0.001
	HighDimAlphaStep = 0.001
	// HighDimFeatures and HighDimSubsets: features per subset and number of
	// subsets averaged in the d > 5 protocol.
	HighDimFeatures = 5
	HighDimSubsets  = 50
	// EMMVUniformPoints is N, the number of uniform points in the box.
	EMMVUniformPoints = 100000
)

// EMMVResult holds the EM and MV scores of one detector on one set of points.
type EMMVResult struct {
	// EM is the area under the excess-mass curve over t[:AMax]; higher is better.
	EM float64
	// MV is the area under the mass-volume curve over the α grid; lower is better.
	MV float64
	// AMax is the number of leading t levels used by the EM AUC: the first
	// level with EM(t) <= EMTMax, plus one, or len(t)-1 if EM never gets
	// there (the reference returns -1 then and integrates over t[:-1]).
	AMax int
}

// numpyArange returns numpy.arange(start, stop, step) for float64 arguments:
// length ceil((stop-start)/step) evaluated in float64, element 0 = start,
// element 1 = start+step, element i >= 2 = start + i·delta with
// delta = (start+step) − start (numpy's DOUBLE_fill). Invalid or empty → nil.
func emmvArange(start, stop, step float64) []float64 {
	r, ok := newEmmvRange(start, stop, step)
	if !ok {
		return nil
	}
	return r.slice(r.n)
}

// emmvRange is numpy.arange(start, stop, step) without its elements: n levels,
// level i computed on demand exactly as emmvArange stores it.
type emmvRange struct {
	start, step, delta float64
	n                  int
}

// newEmmvRange returns the range of emmvArange(start, stop, step), and false
// where that is nil.
func newEmmvRange(start, stop, step float64) (emmvRange, bool) {
	q := (stop - start) / step
	if math.IsNaN(q) || math.IsInf(q, 0) || q > math.MaxInt32 {
		return emmvRange{}, false
	}
	length := int(math.Ceil(q))
	if length <= 0 {
		return emmvRange{}, false
	}
	return emmvRange{start: start, step: step, delta: (start + step) - start, n: length}, true
}

// at returns level i (0 <= i < r.n).
func (r emmvRange) at(i int) float64 {
	switch i {
	case 0:
		return r.start
	case 1:
		return r.start + r.step
	}
	return r.start + float64(float64(i)*r.delta)
}

// slice returns the first m levels.
func (r emmvRange) slice(m int) []float64 {
	out := make([]float64, m)
	for i := range out {
		out[i] = r.at(i)
	}
	return out
}

// TGrid returns the EM level grid numpy.arange(0, 100/volume, step), exactly as
// numpy builds it: its length is ceil((100/volume)/step) computed in
// float64, so some volumes give 10001 levels instead of 10000. step <= 0 selects
// the default DefaultTStep/volume; for the d > 5 protocol pass
// HighDimTStep/volume. It returns nil if volume is not positive and finite or
// the grid would not fit in memory.
func TGrid(volume float64, step float64) []float64 {
	if !(volume > 0) || math.IsInf(volume, 0) {
		return nil
	}
	if !(step > 0) {
		step = DefaultTStep / volume
	}
	return emmvArange(0, TStop/volume, step)
}

// AlphaGrid returns the MV mass grid numpy.arange(0.9, 0.999, step), exactly as
// numpy builds it: element i >= 2 is 0.9 + i·delta with delta = (0.9+step) − 0.9
// (9.999999999998899e-05 for the default step). step <= 0 selects
// DefaultAlphaStep (990 levels); the d > 5 protocol uses HighDimAlphaStep.
func AlphaGrid(step float64) []float64 {
	if !(step > 0) {
		step = DefaultAlphaStep
	}
	return emmvArange(AlphaMin, AlphaMax, step)
}

// emmvSorted holds the scores of one EM/MV evaluation, sorted once.
type emmvSorted struct {
	x    []float64 // data scores without NaN, ascending
	nNaN int       // NaN data scores (numpy's argsort puts them after +Inf)
	n    int       // all data scores, NaN included (the reference's n_samples)
	u    []float64 // uniform scores without NaN, ascending
	nU   int       // all uniform scores (the reference's n_generated)
}

func emmvSortScores(sX, sUnif []float64) *emmvSorted {
	s := &emmvSorted{n: len(sX), nU: len(sUnif)}
	s.x = emmvSortNoNaN(sX)
	s.nNaN = len(sX) - len(s.x)
	s.u = emmvSortNoNaN(sUnif)
	return s
}

func emmvSortNoNaN(v []float64) []float64 {
	out := make([]float64, 0, len(v))
	for _, f := range v {
		if !math.IsNaN(f) {
			out = append(out, f)
		}
	}
	emmvSortFloats(out)
	return out
}

// emmvSortFloats sorts v (no NaN) ascending: slices.Sort for short slices, an
// LSD radix sort on the order-preserving bit pattern (6 passes of 11 bits,
// constant digits skipped) otherwise, which is several times faster than a
// comparison sort on the 100 000 uniform scores. −0 sorts before +0; both
// compare equal, so the counts do not depend on it.
func emmvSortFloats(v []float64) {
	const (
		bits   = 11
		radix  = 1 << bits
		passes = 6
	)
	n := len(v)
	if n < 1024 {
		slices.Sort(v)
		return
	}
	keys := make([]uint64, n)
	tmp := make([]uint64, n)
	counts := make([]int, passes*radix)
	for i, f := range v {
		b := math.Float64bits(f)
		if b>>63 != 0 {
			b = ^b
		} else {
			b |= 1 << 63
		}
		keys[i] = b
		for p := 0; p < passes; p++ {
			counts[p*radix+int((b>>(bits*p))&(radix-1))]++
		}
	}
	for p := 0; p < passes; p++ {
		c := counts[p*radix : (p+1)*radix]
		shift := uint(bits * p)
		if c[(keys[0]>>shift)&(radix-1)] == n {
			continue // every key has the same digit here
		}
		sum := 0
		for d := range c {
			c[d], sum = sum, sum+c[d]
		}
		for _, k := range keys {
			d := (k >> shift) & (radix - 1)
			tmp[c[d]] = k
			c[d]++
		}
		keys, tmp = tmp, keys
	}
	for i, b := range keys {
		if b>>63 != 0 {
			b &^= 1 << 63
		} else {
			b = ^b
		}
		v[i] = math.Float64frombits(b)
	}
}

// emmvLine is the EM term of one unique data score u:
// cx = #{s_X > u}, cu = #{s_U > u}.
type emmvLine struct{ cx, cu int64 }

// emmvHull returns the lines that form the upper envelope of
// (1/n)·cx − t·cu/N·V over all t, in order of decreasing cu (steepest first).
// Lines come from the unique non-NaN data scores in ascending order, where
// cx strictly decreases and cu does not increase. A NaN u (numpy's unique
// keeps one) gives cx = cu = 0, the same as the reference's zero start value,
// which the caller applies.
func (s *emmvSorted) hull() []emmvLine {
	hull := make([]emmvLine, 0, 64)
	nx := int64(len(s.x))
	j := 0 // s.u[:j] <= current u
	for i := 0; i < len(s.x); {
		u := s.x[i]
		k := i + 1
		for k < len(s.x) && s.x[k] == u {
			k++
		}
		for j < len(s.u) && s.u[j] <= u {
			j++
		}
		l := emmvLine{cx: nx - int64(k), cu: int64(len(s.u) - j)}
		i = k
		if m := len(hull); m > 0 && hull[m-1].cu == l.cu {
			continue // same slope, smaller intercept: never above
		}
		// Pop the last line while it is nowhere strictly above the envelope
		// of its neighbours: with a = hull[m-2], b = hull[m-1], c = l
		// (a.cu > b.cu > c.cu), b is useless if a and c cross at or before
		// a and b do. Exact in int64 (counts up to 2^31).
		for m := len(hull); m >= 2; m = len(hull) {
			a, b := hull[m-2], hull[m-1]
			if (a.cx-l.cx)*(a.cu-b.cu) <= (a.cx-b.cx)*(a.cu-l.cu) {
				hull = hull[:m-1]
			} else {
				break
			}
		}
		hull = append(hull, l)
	}
	return hull
}

// emmvEMValue evaluates one line exactly as the reference's numpy expression
// 1./n_samples * cx - t * cu / n_generated * volume_support, operation by
// operation (the float64 conversions forbid fused multiply-adds).
func emmvEMValue(l emmvLine, t, invN, nU, volume float64) float64 {
	a := float64(invN * float64(l.cx))
	b := float64(float64(float64(t*float64(l.cu))/nU) * volume)
	return a - b
}

// emmvEnvelope evaluates EM(t) at single levels: the upper envelope of the lines of the
// unique data scores (emmvSorted.hull), with the reference's constants.
type emmvEnvelope struct {
	hull             []emmvLine
	invN, nU, volume float64
}

func (s *emmvSorted) envelope(volume float64) emmvEnvelope {
	return emmvEnvelope{hull: s.hull(), invN: 1.0 / float64(s.n), nU: float64(s.nU), volume: volume}
}

// at returns EM at level ti, the i-th level of its grid (EM(t_0) = 1).
func (e *emmvEnvelope) at(i int, ti float64) float64 {
	best := 0.0
	if i == 0 {
		best = 1
	}
	hull := e.hull
	if len(hull) > 0 {
		// The exact values along the hull are unimodal in the line index;
		// find the first line not beaten by its successor, then also look
		// at its neighbours so that rounding near a crossing picks the
		// same maximum as the reference's elementwise np.maximum.
		lo, hi := 0, len(hull)-1
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			if emmvEMValue(hull[mid+1], ti, e.invN, e.nU, e.volume) > emmvEMValue(hull[mid], ti, e.invN, e.nU, e.volume) {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		for k := max(lo-1, 0); k <= min(lo+1, len(hull)-1); k++ {
			if v := emmvEMValue(hull[k], ti, e.invN, e.nU, e.volume); v > best {
				best = v
			}
		}
	}
	return best
}

// emCurve returns EM at the first levels of an n-level grid (level(i) is the i-th) and the
// reference's amax: the index of the first level with EM <= EMTMax, plus one, or n−1 if
// there is none. With stop it ends at that level, past which the AUC (over the first amax
// levels) uses none; without, em holds all n levels. EM(t_0) >= 1 > EMTMax
// (emmvEnvelope.at), so a stopped curve has at least two levels.
func (s *emmvSorted) emCurve(n int, level func(int) float64, volume float64, stop bool) (em []float64, amax int) {
	e := s.envelope(volume)
	if !stop {
		em = make([]float64, 0, n)
	}
	amax = -1
	for i := 0; i < n; i++ {
		v := e.at(i, level(i))
		em = append(em, v)
		if v <= EMTMax && amax == -1 {
			amax = i + 1
			if stop {
				break
			}
		}
	}
	if amax == 1 || amax == -1 {
		amax = n - 1
	}
	return em, amax
}

// mvCurve fills mv (len(alphas)) and returns the AUC.
func (s *emmvSorted) mvCurve(alphas []float64, volume float64, mv []float64) float64 {
	// Data scores in numpy argsort order: ascending, NaN last.
	nx := len(s.x)
	at := func(i int) float64 { // i-th score in that order, 0-based
		if i < nx {
			return s.x[i]
		}
		return math.NaN()
	}
	invN := 1.0 / float64(s.n)
	nU := float64(s.nU)
	mass := 0.0
	cpt := 0
	u := at(s.n - 1)
	for i, a := range alphas {
		for mass < a {
			cpt++
			if cpt > s.n {
				panic(fmt.Sprintf("metrics: MVCurve: alpha %v is above the largest mass %v", a, mass))
			}
			u = at(s.n - cpt)
			mass = float64(invN * float64(cpt))
		}
		// #{s_U >= u}; NaN u or NaN s_U never compare true.
		c := 0
		if !math.IsNaN(u) {
			c = len(s.u) - sort.SearchFloat64s(s.u, u)
		}
		mv[i] = float64(float64(c)/nU) * volume
	}
	return emmvAUC(alphas, mv)
}

// EMCurve returns the excess-mass curve of Goix 2016 on the levels t, its AUC
// and amax, as em() of ngoix/EMMV_benchmarks:
//
//	EM(t) = max(0, max over unique u in s_X of (1/n)·#{s_X > u} − t·#{s_U > u}/N·V), EM(t_0) = 1,
//
// with n = len(sX), N = len(sUnif), V = volume and the strict '>' of the
// reference. amax is the first index with EM <= EMTMax (0.9), plus one; if there
// is none it is len(t)-1 (the reference's -1). auc is the trapezoid area of EM
// over t[:amax] (sklearn.metrics.auc, summed in numpy's pairwise order).
// NaN scores are never greater than anything, as in numpy.
//
// It panics if sX or sUnif is empty or len(t) < 3, or t is not monotonic.
func EMCurve(t []float64, volume float64, sUnif, sX []float64) (auc float64, em []float64, amax int) {
	emmvCheck("EMCurve", sX, sUnif, len(t), 3)
	s := emmvSortScores(sX, sUnif)
	em, amax = s.emCurve(len(t), func(i int) float64 { return t[i] }, volume, false)
	return emmvAUC(t[:amax], em[:amax]), em, amax
}

// MVCurve returns the mass-volume curve of Goix 2016 on the masses alphas and
// its trapezoid AUC, as mv() of ngoix/EMMV_benchmarks: for each α, u is the
// cpt-th largest data score where cpt is the smallest count with
// (1/n)·cpt >= α (evaluated in float64 as the reference does), and
//
//	MV(α) = #{s_U >= u}/N·V
//
// (note '>=' here against '>' in EM). NaN data scores rank above +Inf (numpy's
// argsort order) and a NaN u counts no uniform point.
//
// It panics if sX or sUnif is empty, len(alphas) < 2, an α exceeds the mass
// reachable with n points (α > 1), or alphas is not monotonic.
func MVCurve(alphas []float64, volume float64, sUnif, sX []float64) (auc float64, mv []float64) {
	emmvCheck("MVCurve", sX, sUnif, len(alphas), 2)
	s := emmvSortScores(sX, sUnif)
	mv = make([]float64, len(alphas))
	auc = s.mvCurve(alphas, volume, mv)
	return auc, mv
}

func emmvCheck(fn string, sX, sUnif []float64, levels, minLevels int) {
	if len(sX) == 0 || len(sUnif) == 0 {
		panic(fmt.Sprintf("metrics: %s: need data and uniform scores, got %d and %d", fn, len(sX), len(sUnif)))
	}
	if levels < minLevels {
		panic(fmt.Sprintf("metrics: %s: need at least %d grid levels, got %d", fn, minLevels, levels))
	}
}

// EMMV returns Goix's EM and MV scores of the data scores sX against the scores
// sUnif of uniform points drawn in a box of volume V, on the default grids
// TGrid(volume, 0) and AlphaGrid(0) (Norlander & Sopasakis 2019 §4.2).
// EM: higher is better; MV: lower is better.
//
// EMMV does not panic: if sX or sUnif is empty or volume is not positive and
// finite (a box that is flat in some dimension), EM/MV are undefined and it
// returns NaN for both with AMax 0.
func EMMV(sX, sUnif []float64, volume float64) EMMVResult {
	return EMMVSteps(sX, sUnif, volume, 0, 0)
}

// EMMVGrids is EMMV on given grids (e.g. the finer grids of the d > 5 protocol,
// TGrid(V, HighDimTStep/V) and AlphaGrid(HighDimAlphaStep)). It sorts the scores
// once for both curves. Undefined inputs (empty scores, volume not positive and
// finite, a t grid under 3 or an α grid under 2 levels) give NaN scores and
// AMax 0; grids that EMCurve or MVCurve reject otherwise make it panic.
func EMMVGrids(sX, sUnif []float64, volume float64, t, alphas []float64) EMMVResult {
	if len(sX) == 0 || len(sUnif) == 0 || !(volume > 0) || math.IsInf(volume, 0) ||
		len(t) < 3 || len(alphas) < 2 {
		return EMMVResult{EM: math.NaN(), MV: math.NaN()}
	}
	s := emmvSortScores(sX, sUnif)
	em, amax := s.emCurve(len(t), func(i int) float64 { return t[i] }, volume, true)
	mvAUC := s.mvCurve(alphas, volume, make([]float64, len(alphas)))
	return EMMVResult{EM: emmvAUC(t[:amax], em[:amax]), MV: mvAUC, AMax: amax}
}

// EMMVSteps is EMMVGrids(sX, sUnif, volume, TGrid(volume, tStep), AlphaGrid(alphaStep))
// with the same result, bit for bit, but without building the t grid: its levels are
// computed as the EM curve reaches them, and only up to the first level where EM(t) <=
// EMTMax, past which the EM AUC uses none. The d > 5 protocol's grid has 100,000 levels per
// feature subset (tStep = HighDimTStep/V), of which the EM AUC typically uses a small part.
func EMMVSteps(sX, sUnif []float64, volume, tStep, alphaStep float64) EMMVResult {
	nan := EMMVResult{EM: math.NaN(), MV: math.NaN()}
	if !(volume > 0) || math.IsInf(volume, 0) {
		return nan
	}
	if !(tStep > 0) {
		tStep = DefaultTStep / volume
	}
	t, ok := newEmmvRange(0, TStop/volume, tStep)
	alphas := AlphaGrid(alphaStep)
	if !ok || t.n < 3 || len(sX) == 0 || len(sUnif) == 0 || len(alphas) < 2 {
		return nan
	}
	s := emmvSortScores(sX, sUnif)
	em, amax := s.emCurve(t.n, t.at, volume, true)
	mvAUC := s.mvCurve(alphas, volume, make([]float64, len(alphas)))
	return EMMVResult{EM: emmvAUC(t.slice(amax), em[:amax]), MV: mvAUC, AMax: amax}
}

// emmvAUC is sklearn.metrics.auc(x, y): the trapezoid rule as numpy.trapz,
// sum(diff(x)·(y[1:]+y[:-1])/2), negated for decreasing x, with numpy's
// summation order. It panics if x is neither non-decreasing nor non-increasing.
func emmvAUC(x, y []float64) float64 {
	inc, dec := false, false
	for i := 1; i < len(x); i++ {
		if x[i] > x[i-1] {
			inc = true
		} else if x[i] < x[i-1] {
			dec = true
		}
	}
	if inc && dec {
		panic("metrics: AUC: x is neither increasing nor decreasing")
	}
	terms := make([]float64, len(x)-1)
	for i := range terms {
		d := x[i+1] - x[i]
		terms[i] = float64(d*(y[i+1]+y[i])) / 2.0
	}
	area := emmvNumpySum(terms)
	if dec {
		area = -area
	}
	return area
}

// emmvNumpySum sums v in numpy's order for a contiguous float64 add.reduce:
// blocks of 8192 elements (the ufunc buffer) added in sequence, each block
// summed pairwise with eight accumulators below 128 elements
// (numpy/core/src/umath/loops_utils.h.src, pairwise_sum).
func emmvNumpySum(v []float64) float64 {
	const block = 8192
	res := 0.0
	for len(v) > 0 {
		k := min(len(v), block)
		res += emmvPairwise(v[:k])
		v = v[k:]
	}
	return res
}

func emmvPairwise(a []float64) float64 {
	n := len(a)
	switch {
	case n < 8:
		res := 0.0
		for _, f := range a {
			res += f
		}
		return res
	case n <= 128:
		var r [8]float64
		copy(r[:], a[:8])
		i := 8
		for ; i < n-n%8; i += 8 {
			r[0] += a[i]
			r[1] += a[i+1]
			r[2] += a[i+2]
			r[3] += a[i+3]
			r[4] += a[i+4]
			r[5] += a[i+5]
			r[6] += a[i+6]
			r[7] += a[i+7]
		}
		res := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			res += a[i]
		}
		return res
	default:
		n2 := n / 2
		n2 -= n2 % 8
		return emmvPairwise(a[:n2]) + emmvPairwise(a[n2:])
	}
}

// BoundingBox returns the axis-aligned box [lo, hi] of the n×d row-major
// points x and its volume prod(hi−lo), the support of the uniform points in
// Goix's protocol (X.min(axis=0), X.max(axis=0), (hi−lo).prod()). A NaN in a
// column makes that column's bounds and the volume NaN, as numpy's min/max do.
// It panics if len(x) != n·d or n < 1 or d < 1.
func BoundingBox(x []float64, n, d int) (lo, hi []float64, volume float64) {
	if n < 1 || d < 1 || len(x) != n*d {
		panic(fmt.Sprintf("metrics: BoundingBox: len(x) = %d, want n·d with n = %d, d = %d >= 1", len(x), n, d))
	}
	lo = make([]float64, d)
	hi = make([]float64, d)
	copy(lo, x[:d])
	copy(hi, x[:d])
	for i := 1; i < n; i++ {
		row := x[i*d : (i+1)*d]
		for j, v := range row {
			switch {
			case math.IsNaN(v):
				lo[j], hi[j] = v, v
			case v < lo[j]:
				lo[j] = v
			case v > hi[j]:
				hi[j] = v
			}
		}
	}
	volume = 1
	for j := range lo {
		volume *= hi[j] - lo[j]
	}
	return lo, hi, volume
}

// emmvStream* are the second PCG seed words, so that the same user seed gives
// independent streams for the uniform points and the feature subsets.
const (
	emmvStreamUniform = 0x656d6d76756e6966 // "emmvunif"
	emmvStreamSubsets = 0x656d6d7673756273 // "emmvsubs"
)

// UniformPoints draws n points uniformly in the box [lo, hi] (row-major n×d,
// d = len(lo)): coordinate j is lo[j] + (hi[j]−lo[j])·U with U from
// math/rand/v2's PCG seeded with (seed, 0x656d6d76756e6966). It is the
// np.random.uniform(lim_inf, lim_sup, size=(n_generated, d)) of Goix's
// protocol (same distribution, not the same stream). It panics if
// len(hi) != len(lo) or n < 0.
func UniformPoints(lo, hi []float64, n int, seed uint64) []float64 {
	if len(lo) != len(hi) || n < 0 {
		panic(fmt.Sprintf("metrics: UniformPoints: len(lo) = %d, len(hi) = %d, n = %d", len(lo), len(hi), n))
	}
	d := len(lo)
	width := make([]float64, d)
	for j := range lo {
		width[j] = hi[j] - lo[j]
	}
	r := rand.New(rand.NewPCG(seed, emmvStreamUniform))
	out := make([]float64, n*d)
	for i := 0; i < n; i++ {
		row := out[i*d : (i+1)*d]
		for j := range row {
			row[j] = lo[j] + width[j]*r.Float64()
		}
	}
	return out
}

// FeatureSubsets draws count random subsets of size distinct features out of
// 0..d−1 (each sorted ascending), as the d > 5 protocol of Goix 2016 does with
// shuffle(arange(d))[:max_features] per repetition (50 subsets of 5 by default).
// It uses math/rand/v2's PCG seeded with (seed, 0x656d6d7673756273) and a
// partial Fisher–Yates shuffle, so the result depends only on the arguments.
// It panics unless 1 <= size <= d and count >= 0.
func FeatureSubsets(d, size, count int, seed uint64) [][]int {
	if size < 1 || size > d || count < 0 {
		panic(fmt.Sprintf("metrics: FeatureSubsets: need 1 <= size <= d and count >= 0, got d = %d, size = %d, count = %d", d, size, count))
	}
	r := rand.New(rand.NewPCG(seed, emmvStreamSubsets))
	perm := make([]int, d)
	out := make([][]int, count)
	for c := range out {
		for i := range perm {
			perm[i] = i
		}
		for i := 0; i < size; i++ {
			k := i + r.IntN(d-i)
			perm[i], perm[k] = perm[k], perm[i]
		}
		sub := slices.Clone(perm[:size])
		slices.Sort(sub)
		out[c] = sub
	}
	return out
}

// Project returns the columns cols of the n×d row-major matrix x as a new
// n×len(cols) row-major matrix (X[:, cols]). It panics if len(x) != n·d or a
// column is out of range.
func Project(x []float64, n, d int, cols []int) []float64 {
	if n < 0 || d < 0 || len(x) != n*d {
		panic(fmt.Sprintf("metrics: Project: len(x) = %d, want n·d with n = %d, d = %d", len(x), n, d))
	}
	for _, c := range cols {
		if c < 0 || c >= d {
			panic(fmt.Sprintf("metrics: Project: column %d out of range [0, %d)", c, d))
		}
	}
	k := len(cols)
	out := make([]float64, n*k)
	for i := 0; i < n; i++ {
		row := x[i*d : (i+1)*d]
		dst := out[i*k : (i+1)*k]
		for j, c := range cols {
			dst[j] = row[c]
		}
	}
	return out
}
