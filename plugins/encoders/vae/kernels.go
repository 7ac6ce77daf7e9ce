package vae

import (
	"math"
	"runtime"
	"sync"
	"unsafe"
)

// float is the element type of a training graph: float32 for training,
// float64 for the finite-difference gradient checks.
type float interface{ ~float32 | ~float64 }

// is32 reports whether T is a 4-byte float. It is constant per instantiation,
// so the compiler removes the branch it guards.
func is32[T float]() bool {
	var z T
	return unsafe.Sizeof(z) == 4
}

// expf is a float32 exponential accurate to about 2 ulp on [-87, 88]: Cody–Waite
// range reduction x = k·ln2 + r, |r| ≤ ln2/2, and the degree-7 minimax
// polynomial of Cephes' expf (S. L. Moshier, Cephes Math Library, expf.c).
// It returns 0 below -87.33 (where exp(x) is subnormal) and defers to math.Exp
// above 88 and for NaN.
func expf(x float32) float32 {
	if !(x <= 88) {
		return float32(math.Exp(float64(x)))
	}
	if x < -87.33654 {
		return 0
	}
	t := x * 1.44269504088896341
	if t < 0 {
		t -= 0.5
	} else {
		t += 0.5
	}
	k := int32(t)
	kf := float32(k)
	r := x - kf*0.693359375 - kf*(-2.12194440e-4)
	p := ((((((1.9875691500e-4*r+1.3981999507e-3)*r+8.3334519073e-3)*r+4.1665795894e-2)*r+1.6666665459e-1)*r+5.0000001201e-1)*r*r + r + 1)
	return p * math.Float32frombits(uint32(k+127)<<23)
}

// log1pUnitf is log(1+u) in float32 for 0 ≤ u ≤ 1 (the only range softplus
// needs), accurate to about 1 ulp: log(1+u) = 2·atanh(s) with s = u/(2+u), or
// ln 2 + 2·atanh((u−1)/(u+3)) when 1+u > √2, so that |s| ≤ 0.1716 and the
// odd series 2s(1 + s²/3 + … + s⁸/9) is exact to 1e-9. Neither form cancels for
// small u.
func log1pUnitf(u float32) float32 {
	var s, c float32
	if u > 0.41421356 {
		s = (u - 1) / (u + 3)
		c = 0.693147180559945309
	} else {
		s = u / (2 + u)
	}
	s2 := s * s
	return c + 2*s*(1+s2*(1.0/3+s2*(1.0/5+s2*(1.0/7+s2*(1.0/9)))))
}

// expT is exp in the precision of T (fast float32 kernel, math.Exp for float64).
func expT[T float](x T) T {
	if is32[T]() {
		return T(expf(float32(x)))
	}
	return T(math.Exp(float64(x)))
}

// softplusSigmoid returns softplus(l) = log(1+e^l) and sigmoid(l) = 1/(1+e^-l),
// both computed from e^-|l| so that neither overflows.
func softplusSigmoid[T float](l T) (sp, sig T) {
	a := l
	if a < 0 {
		a = -a
	}
	var e, lp T
	if is32[T]() {
		e = T(expf(float32(-a)))
		lp = T(log1pUnitf(float32(e)))
	} else {
		e = T(math.Exp(float64(-a)))
		lp = T(math.Log1p(float64(e)))
	}
	inv := 1 / (1 + e)
	if l >= 0 {
		return l + lp, inv
	}
	return lp, e * inv
}

// sigmoid is 1/(1+e^-l) without overflow.
func sigmoid[T float](l T) T {
	a := l
	if a < 0 {
		a = -a
	}
	e := expT(-a)
	inv := 1 / (1 + e)
	if l >= 0 {
		return inv
	}
	return e * inv
}

// workers is the number of goroutines elementwise kernels and split GEMMs use.
func workers() int {
	w := runtime.GOMAXPROCS(0)
	if w < 1 {
		w = 1
	}
	return w
}

// parallelChunks runs f(c) for c = 0..nChunks-1 on up to workers() goroutines,
// assigning chunk c to worker c mod W. Results that f writes per chunk are
// therefore independent of the number of workers, which keeps reductions
// (summed in chunk order by the caller) deterministic.
func parallelChunks(nChunks int, f func(c int)) {
	w := workers()
	if w > nChunks {
		w = nChunks
	}
	if w <= 1 {
		for c := 0; c < nChunks; c++ {
			f(c)
		}
		return
	}
	var wg sync.WaitGroup
	wg.Add(w - 1)
	for k := 1; k < w; k++ {
		go func(k int) {
			defer wg.Done()
			for c := k; c < nChunks; c += w {
				f(c)
			}
		}(k)
	}
	for c := 0; c < nChunks; c += w {
		f(c)
	}
	wg.Wait()
}

// parallelRange splits [0, n) into one contiguous range per worker (at least
// minChunk long) and runs f on each; for work whose result does not depend on
// the split (no cross-element reduction).
func parallelRange(n, minChunk int, f func(lo, hi int)) {
	w := workers()
	if minChunk < 1 {
		minChunk = 1
	}
	if m := n / minChunk; m < w {
		w = m
	}
	if w <= 1 {
		f(0, n)
		return
	}
	step := (n + w - 1) / w
	var wg sync.WaitGroup
	for lo := step; lo < n; lo += step {
		hi := min(lo+step, n)
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			f(lo, hi)
		}(lo, hi)
	}
	f(0, min(step, n))
	wg.Wait()
}
