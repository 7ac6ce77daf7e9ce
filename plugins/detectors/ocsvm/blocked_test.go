package ocsvm

import (
	"context"
	"errors"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/latentbench/latentbench/internal/blasimpl"
)

// fitPath fits like Fit (no subsample) but on the path chosen by useBLAS.
func fitPath(t *testing.T, x []float64, n, d int, opt Options, useBLAS bool) solveResult {
	t.Helper()
	o, err := opt.resolved()
	if err != nil {
		t.Fatal(err)
	}
	gamma, err := scaleGamma(x, n, d)
	if err != nil {
		t.Fatal(err)
	}
	res, err := solveOneClass(context.Background(), x, n, d, gamma, o.Nu, o.Tol,
		int64(o.CacheMB*(1<<20)), !o.NoShrinking, o.MaxIter, runtime.GOMAXPROCS(0), useBLAS)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestBLASPathAgreesWithLoops: on 40-D data the BLAS path (blocked initial gradient, prefetched
// columns from DotsNT) and the feature-by-feature loops reach the same solution: same support
// vectors, α and ρ to 1e-9; and its decision function (centred expansion) gives the direct
// form's values to 1e-12 of their scale, also on data far from the origin (offset 1e4, where
// the training kernel's expansion, libsvm's, loses about 5e-9 of each exponent whatever the
// summation order, so that the two fits differ by about 1e-6 and only the decision is compared).
func TestBLASPathAgreesWithLoops(t *testing.T) {
	const n, d = 800, 40
	for _, off := range []float64{0, 1e4} {
		x := benchMixture(n, d, 21)
		for k := range x {
			x[k] += off
		}
		for _, nu := range []float64{0.1, 0.5} {
			opt := Options{Nu: nu}
			loops := fitPath(t, x, n, d, opt, false)
			fast := fitPath(t, x, n, d, opt, true)
			for i := range loops.alpha {
				if off != 0 {
					break
				}
				if (loops.alpha[i] == 0) != (fast.alpha[i] == 0) || math.Abs(loops.alpha[i]-fast.alpha[i]) > 1e-9 {
					t.Fatalf("offset %g, nu %v: alpha[%d] = %v on the loops, %v on the BLAS path", off, nu, i, loops.alpha[i], fast.alpha[i])
				}
			}
			if off == 0 && math.Abs(loops.rho-fast.rho) > 1e-9*math.Abs(loops.rho) {
				t.Errorf("offset %g, nu %v: rho %v on the loops, %v on the BLAS path", off, nu, loops.rho, fast.rho)
			}

			m := mustFit(t, x, n, d, opt)
			test := benchMixture(300, d, 22)
			for k := range test {
				test[k] += off
			}
			want := make([]float64, 300)
			got := make([]float64, 300)
			if err := m.decisionLoops(context.Background(), test, 300, 2, want); err != nil {
				t.Fatal(err)
			}
			if err := m.decisionBlocked(context.Background(), test, 300, 2, got); err != nil {
				t.Fatal(err)
			}
			lo, hi := slices.Min(want), slices.Max(want)
			scale := math.Max(hi-lo, math.Abs(m.Rho()))
			if e := maxAbsDiff(got, want); e > 1e-12*scale {
				t.Errorf("offset %g, nu %v: decision max |Δ| %.3g between the forms, allowed %.3g", off, nu, e, 1e-12*scale)
			}
		}
	}
}

// TestBLASPathInvariance: on the BLAS path the model does not depend on GOMAXPROCS, on the cache
// size (which decides what prefetch computes) or on shrinking's order of column requests
// beyond the tolerance: bit for bit where blasimpl.StableDots (gonum), else to 1e-12.
func TestBLASPathInvariance(t *testing.T) {
	const n, d = 1200, 48
	x := benchMixture(n, d, 23)
	same := func(a, b *Model) bool {
		if blasimpl.StableDots {
			return sameModel(a, b)
		}
		return slices.Equal(a.index, b.index) && math.Abs(a.rho-b.rho) <= 1e-12*math.Abs(a.rho) &&
			maxAbsDiff(a.coef, b.coef) <= 1e-12
	}
	prev := runtime.GOMAXPROCS(1)
	m1 := mustFit(t, x, n, d, Options{Nu: 0.1})
	runtime.GOMAXPROCS(4)
	m4 := mustFit(t, x, n, d, Options{Nu: 0.1})
	runtime.GOMAXPROCS(prev)
	if !same(m1, m4) {
		t.Error("GOMAXPROCS 1 and 4 gave different models")
	}
	for _, shrink := range []bool{true, false} {
		opt := Options{Nu: 0.1, NoShrinking: !shrink}
		big := mustFit(t, x, n, d, opt)
		opt.CacheMB = 1e-9
		small := mustFit(t, x, n, d, opt)
		opt.CacheMB = float64(40*n*4) / (1 << 20) // room for 40 columns: prefetch at its edge
		mid := mustFit(t, x, n, d, opt)
		if !same(big, small) || !same(big, mid) {
			t.Errorf("shrinking %v: the cache size changed the model", shrink)
		}
	}
}

// TestDecisionBLASEdges: on the BLAS path a row scores the same alone, in any group and at any
// place (rows are multiplied in products of one shape), NaN gives NaN, a row with an infinite
// or huge entry gets the direct form's value, and a far row −ρ.
func TestDecisionBLASEdges(t *testing.T) {
	const n, d = 300, 40
	x := benchMixture(n, d, 24)
	m := mustFit(t, x, n, d, Options{Nu: 0.2})
	all := m.Decision(x, n)
	for i := 0; i < n; i += 7 {
		if one := m.Decision(x[i*d:(i+1)*d], 1); one[0] != all[i] {
			t.Fatalf("row %d: %v alone, %v in a group", i, one[0], all[i])
		}
	}
	shifted := m.Decision(x[5*d:], n-5)
	for i := range shifted {
		if shifted[i] != all[i+5] {
			t.Fatalf("row %d: %v at place %d, %v at place %d", i+5, shifted[i], i, all[i+5], i+5)
		}
	}
	odd := slices.Clone(x[:4*d])
	odd[3] = math.NaN()
	odd[d+1] = math.Inf(1)
	odd[2*d+2] = 1e200
	for c := 3 * d; c < 4*d; c++ {
		odd[c] = 1e6
	}
	got := m.Decision(odd, 4)
	et := newExpTable()
	if !math.IsNaN(got[0]) {
		t.Errorf("NaN row scored %v", got[0])
	}
	for r := 1; r < 4; r++ {
		if want := m.decisionOne(odd[r*d:(r+1)*d], et); got[r] != want {
			t.Errorf("row %d: %v, direct form %v", r, got[r], want)
		}
	}
	if got[3] != -m.Rho() {
		t.Errorf("far row scored %v, want −ρ = %v", got[3], -m.Rho())
	}
}

// TestCancellationBLAS: on the BLAS path a cancelled context stops the blocked initial gradient
// and the blocked decision function.
func TestCancellationBLAS(t *testing.T) {
	const n, d = 600, 40
	x := benchMixture(n, d, 25)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Fit(ctx, x, n, d, Options{Nu: 0.1})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "initial gradient") {
		t.Errorf("fit: err = %v", err)
	}
	m := mustFit(t, x, n, d, Options{Nu: 0.1})
	if _, err := m.DecisionContext(ctx, x, n); !errors.Is(err, context.Canceled) {
		t.Errorf("decision: err = %v", err)
	}
}
