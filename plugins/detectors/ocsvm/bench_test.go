package ocsvm

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
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

// benchFitDecision times Fit then Decision on the same points. Besides the wall time it
// reports the process's CPU time per operation (cpu-ms/op, user + system, all threads
// including OpenBLAS's), which a loaded machine inflates much less than the wall time.
func benchFitDecision(b *testing.B, x []float64, n, d int, opt Options) {
	ctx := context.Background()
	b.ReportAllocs()
	cpu0 := cpuTime(b)
	for b.Loop() {
		m, err := Fit(ctx, x, n, d, opt)
		if err != nil {
			b.Fatal(err)
		}
		if s := m.Decision(x, n); len(s) != n {
			b.Fatal("short decision")
		}
	}
	b.ReportMetric(float64((cpuTime(b)-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// cpuTime is the process's user + system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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

// benchMixture is the seeded n×d Gaussian mixture of the bench command (bench/main.go's
// mixture: 10 components with centres uniform in [−10, 10]^d, unit variance, 1% uniform
// outliers in [−15, 15]^d), so that the shape benchmarks below see the same points as the
// ocsvm-highdim and ocsvm-7600x100 rows of `make bench`.
func benchMixture(n, d int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 0x6d6978))
	centres := make([]float64, 10*d)
	for i := range centres {
		centres[i] = rng.Float64()*20 - 10
	}
	x := make([]float64, n*d)
	for i := 0; i < n; i++ {
		if rng.Float64() < 0.01 {
			for j := 0; j < d; j++ {
				x[i*d+j] = rng.Float64()*30 - 15
			}
			continue
		}
		c := rng.IntN(10)
		for j := 0; j < d; j++ {
			x[i*d+j] = centres[c*d+j] + rng.NormFloat64()
		}
	}
	return x
}

// BenchmarkShapeHighDim and BenchmarkShape7600x100 are the bench command's ocsvm-highdim
// (2000×1500, seed 13) and ocsvm-7600x100 (seed 14) rows: Fit with ν = 0.1, then Decision on
// the same points.
func BenchmarkShapeHighDim(b *testing.B) {
	benchFitDecision(b, benchMixture(2000, 1500, 13), 2000, 1500, Options{Nu: 0.1})
}

func BenchmarkShape7600x100(b *testing.B) {
	benchFitDecision(b, benchMixture(7600, 100, 14), 7600, 100, Options{Nu: 0.1})
}

// BenchmarkKernelColumn fills one kernel column of 4000 entries on one goroutine, by the
// feature-by-feature loop and by DotsNT, for d around blasMinDim (where the BLAS path starts).
func BenchmarkKernelColumn(b *testing.B) {
	const l = 4000
	for _, d := range []int{8, 16, 24, 32, 48, 64} {
		x := benchMixture(l, d, 31)
		for _, path := range []struct {
			name    string
			useBLAS bool
		}{{"loops", false}, {"blas", true}} {
			b.Run(fmt.Sprintf("d=%d/%s", d, path.name), func(b *testing.B) {
				s := newSolver(x, l, d, 1/float64(d), 0.5, 1e-3, 1<<20, 1, path.useBLAS)
				col := make([]float32, l)
				i := 0
				for b.Loop() {
					s.fillColumn(i%l, col, 0, l)
					i += 7
				}
			})
		}
	}
}
