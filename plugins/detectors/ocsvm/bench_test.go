package ocsvm

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// BenchmarkOCSVM10k is the side-by-side workload of bench/peers/ocsvm.py
// --nu 0.05: Fit on 10 000 2-D Gaussian-mixture points (testdata
// golden_mix10k, the same points the golden test checks against scikit-learn)
// with ν = 0.05 and default options, then Decision on the same points.
// Run with -cpu 1,2 to see the one-goroutine and two-goroutine figures.
func BenchmarkOCSVM10k(b *testing.B) {
	g := loadGolden(b, "mix10k")
	benchFitDecision(b, g.X, g.N, g.D, Options{Nu: 0.05})
}

// BenchmarkOCSVM10kNu50 is the same with scikit-learn's default ν = 0.5
// (about 5000 support vectors: a much larger solve and decision).
func BenchmarkOCSVM10kNu50(b *testing.B) {
	g := loadGolden(b, "mix10k")
	benchFitDecision(b, g.X, g.N, g.D, Options{Nu: 0.5})
}

func benchFitDecision(b *testing.B, x []float64, n, d int, opt Options) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		m, err := Fit(ctx, x, n, d, opt)
		if err != nil {
			b.Fatal(err)
		}
		if s := m.Decision(x, n); len(s) != n {
			b.Fatal("short decision")
		}
	}
}

// BenchmarkFit10k and BenchmarkDecision10k split BenchmarkOCSVM10k in its two
// halves.
func BenchmarkFit10k(b *testing.B) {
	g := loadGolden(b, "mix10k")
	ctx := context.Background()
	for b.Loop() {
		if _, err := Fit(ctx, g.X, g.N, g.D, Options{Nu: 0.05}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecision10k(b *testing.B) {
	g := loadGolden(b, "mix10k")
	m, err := Fit(context.Background(), g.X, g.N, g.D, Options{Nu: 0.05})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		m.Decision(g.X, g.N)
	}
}

func benchArgs() []float64 {
	r := rand.New(rand.NewPCG(1, 2))
	v := make([]float64, 4096)
	for i := range v {
		v[i] = -30 * r.Float64()
	}
	return v
}

// BenchmarkExpInPlace and BenchmarkMathExp compare the kernel's exponential
// with math.Exp on the same 4096 arguments in [-30, 0] (the range of −γ‖x−y‖²
// that matters), results stored as the solver stores them.
func BenchmarkExpInPlace(b *testing.B) {
	args := benchArgs()
	buf := make([]float64, len(args))
	out := make([]float32, len(args))
	et := newExpTable()
	for b.Loop() {
		copy(buf, args)
		et.expInPlace(buf)
		for i, v := range buf {
			out[i] = float32(v)
		}
	}
}

func BenchmarkMathExp(b *testing.B) {
	args := benchArgs()
	out := make([]float32, len(args))
	for b.Loop() {
		for i, v := range args {
			out[i] = float32(math.Exp(v))
		}
	}
}
