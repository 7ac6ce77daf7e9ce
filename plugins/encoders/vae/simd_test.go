package vae

import (
	"math"
	"math/rand"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestAdamAVX2MatchesGo: the assembly Adam step must be bit-identical to the
// Go loop (same operations, same order, no FMA), over several steps.
func TestAdamAVX2MatchesGo(t *testing.T) {
	if !haveAVX2() {
		t.Skip("no AVX2 kernels on this machine or build")
	}
	const n = 1003 // not a multiple of 8: the tail runs in Go
	r := rand.New(rand.NewSource(1))
	p1, g := make([]float32, n), make([]float32, n)
	for i := range p1 {
		p1[i] = float32(r.NormFloat64())
	}
	p2 := append([]float32(nil), p1...)
	a1, a2 := newAdam(1e-3, [][]float32{p1}), newAdam(1e-3, [][]float32{p2})
	a2.avx2 = false
	for step := 0; step < 5; step++ {
		for i := range g {
			g[i] = float32(r.NormFloat64() * math.Pow(10, float64(r.Intn(9)-6)))
		}
		a1.step([][]float32{p1}, [][]float32{g})
		a2.step([][]float32{p2}, [][]float32{g})
	}
	for i := range p1 {
		if p1[i] != p2[i] || a1.m[0][i] != a2.m[0][i] || a1.v[0][i] != a2.v[0][i] {
			t.Fatalf("element %d: AVX2 p=%v m=%v v=%v, Go p=%v m=%v v=%v", i, p1[i], a1.m[0][i], a1.v[0][i], p2[i], a2.m[0][i], a2.v[0][i])
		}
	}
}

// TestBCEAVX2MatchesGo compares the AVX2 unit-block kernel with the float64
// loss and gradient: per-element gradients to 3e-7 absolute (σ and x are in
// [0, 1]; a few float32 ulps), the row's loss to 1e-6 relative.
func TestBCEAVX2MatchesGo(t *testing.T) {
	if !haveAVX2() {
		t.Skip("no AVX2 kernels on this machine or build")
	}
	r := rand.New(rand.NewSource(2))
	tab := newBCETab()
	for _, scale := range []float64{0.1, 3, 30, 200} {
		const n = 803
		l, x, g := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range l {
			l[i] = float32(scale * r.NormFloat64())
			x[i] = float32(r.Float64())
			if i%5 == 0 {
				x[i] = float32(i % 2)
			}
		}
		l[0], l[1] = 0, float32(math.Copysign(0, -1))
		blocks := []block{{0, n, kindUnit}}
		got := float64(reconRow(blocks, l, x, g, tab))
		var want float64
		for i := range l {
			lv, xv := float64(l[i]), float64(x[i])
			sp, sig := softplusSigmoid(lv)
			want += sp - xv*lv
			if e := math.Abs(float64(g[i]) - (sig - xv)); e > 3e-7 {
				t.Errorf("scale %g, l=%v x=%v: gradient %v, want %v", scale, l[i], x[i], g[i], sig-xv)
			}
		}
		if e := math.Abs(got-want) / math.Abs(want); e > 1e-6 {
			t.Errorf("scale %g: loss %v, want %v (relative error %.2g)", scale, got, want, e)
		}
	}
	// NaN logits must give a NaN loss (so that training stops).
	l := make([]float32, 8)
	l[3] = float32(math.NaN())
	if s := bceAVX2(&l[0], &make([]float32, 8)[0], &make([]float32, 8)[0], 8, tab); !math.IsNaN(float64(s)) {
		t.Errorf("NaN logit gave loss %v", s)
	}
}

// TestReconBackRecomputes: the backward op reuses the derivative its forward
// op left only for the very inputs it was computed on; on other inputs it
// recomputes it, with the same result.
func TestReconBackRecomputes(t *testing.T) {
	const r, d = 5, 11
	rng := rand.New(rand.NewSource(4))
	blocks := []block{{0, 3, kindNumeric}, {3, 4, kindCategorical}, {7, 4, kindUnit}}
	fwd := newReconOp[float32](blocks, 0.7, 1)
	back := &reconBackOp[float32]{opCommon: opCommon{"back"}, fwd: fwd}
	mk := func() *tensor.Dense {
		v := make([]float32, r*d)
		for i := range v {
			v[i] = float32(rng.Float64())
		}
		return tensor.New(tensor.WithShape(r, d), tensor.WithBacking(v))
	}
	l, x := mk(), mk()
	if _, err := fwd.Do(l, x); err != nil {
		t.Fatal(err)
	}
	g := gorgonia.NewF32(2)
	v1, err := back.Do(l, x, g)
	if err != nil {
		t.Fatal(err)
	}
	cached := append([]float32(nil), v1.Data().([]float32)...)
	l2, x2 := l.Clone().(*tensor.Dense), x.Clone().(*tensor.Dense)
	v2, err := back.Do(l2, x2, g)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range v2.Data().([]float32) {
		if math.Abs(float64(v-cached[i])) > 1e-7 {
			t.Fatalf("element %d: recomputed %v, cached %v", i, v, cached[i])
		}
	}
	// Different data at the same addresses is not mistaken for the cache
	// either, as long as the forward op ran on it first (as in every program).
	l2.Data().([]float32)[0] += 1
	if _, err := fwd.Do(l2, x2); err != nil {
		t.Fatal(err)
	}
	v3, err := back.Do(l2, x2, g)
	if err != nil {
		t.Fatal(err)
	}
	if v3.Data().([]float32)[0] == cached[0] {
		t.Error("gradient did not follow the changed logit")
	}
}
