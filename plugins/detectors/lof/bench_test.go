package lof

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"runtime"
	"strconv"
	"testing"
)

// The benchmarks time what bench/peers/lof.py times for scikit-learn:
//
//	fit_score: LocalOutlierFactor(n_neighbors=20, novelty=True).fit(X); score_samples(X)
//	fit:       LocalOutlierFactor(n_neighbors=20, novelty=True).fit(X)        (--mode fit)
//
// i.e. Fit(ctx, x, n, d, Options{}), then for fit_score m.Score(x, n): the detector fitted on the
// points it then scores, as the harness does with fit_on = "test". Fit alone includes the
// training scores (negative_outlier_factor_), as sklearn's fit does. Sub-benchmark workers=1 is
// the single-thread comparison with sklearn (n_jobs=None, one thread); workers=max uses all
// GOMAXPROCS.

func benchFitScore(b *testing.B, x []float64, n, d int, opt Options, score bool) {
	b.Helper()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		m, err := Fit(ctx, x, n, d, opt)
		if err != nil {
			b.Fatal(err)
		}
		if !score {
			continue
		}
		if _, err := m.Score(x, n); err != nil {
			b.Fatal(err)
		}
	}
}

func benchWorkers(b *testing.B, x []float64, n, d int, opt Options) {
	for _, mode := range []string{"fit_score", "fit"} {
		for _, w := range []int{1, runtime.GOMAXPROCS(0)} {
			name := mode + "/workers=1"
			if w != 1 {
				name = mode + "/workers=max"
			}
			b.Run(name, func(b *testing.B) {
				o := opt
				o.Workers = w
				benchFitScore(b, x, n, d, o, mode == "fit_score")
			})
		}
	}
}

// BenchmarkLOF10k: 10,000 2-D mixture points (scikit-learn 1.2.1's LOF(20) took 0.030 s on a Zen 5).
func BenchmarkLOF10k(b *testing.B) {
	benchWorkers(b, mixture2D(10000, 1), 10000, 2, Options{})
}

// BenchmarkLOF60k: 60,000 2-D mixture points (scikit-learn 1.2.1's LOF(20) took 0.20 s on a Zen 5).
func BenchmarkLOF60k(b *testing.B) {
	benchWorkers(b, mixture2D(60000, 1), 60000, 2, Options{})
}

// BenchmarkLOFFile runs the benchmark on the peer's input: LOF_BENCH_DATA names a raw
// little-endian float64 row-major matrix of LOF_BENCH_N rows and LOF_BENCH_D columns (the file
// bench/peers/lof.py reads with --data/--n/--d). Skipped when LOF_BENCH_DATA is unset.
func BenchmarkLOFFile(b *testing.B) {
	path := os.Getenv("LOF_BENCH_DATA")
	if path == "" {
		b.Skip("LOF_BENCH_DATA not set")
	}
	n, err1 := strconv.Atoi(os.Getenv("LOF_BENCH_N"))
	d, err2 := strconv.Atoi(os.Getenv("LOF_BENCH_D"))
	if err1 != nil || err2 != nil {
		b.Fatal("LOF_BENCH_N and LOF_BENCH_D must be integers")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	if len(raw) != 8*n*d {
		b.Fatalf("%s: %d bytes, want 8·%d·%d", path, len(raw), n, d)
	}
	x := make([]float64, n*d)
	for i := range x {
		x[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
	}
	benchWorkers(b, x, n, d, Options{})
}

// BenchmarkSearch compares the k-d tree with brute force as the dimension grows (10,000
// Gaussian points, fit + score of the same points, all workers), to check sklearn's switch to
// brute force above 15 dimensions.
func BenchmarkSearch(b *testing.B) {
	const n = 10000
	for _, d := range []int{2, 8, 12, 16, 24, 32} {
		x := gaussian(n, d, uint64(d))
		for _, algo := range []Algorithm{KDTree, Brute} {
			b.Run(fmt.Sprintf("d=%d/%v", d, algo), func(b *testing.B) {
				benchFitScore(b, x, n, d, Options{Algorithm: algo}, true)
			})
		}
	}
}

// BenchmarkHighDim fits and scores 2000 Gaussian points in 1500 dimensions (the shape of
// ADBench InternetAds) with the blocked and the direct brute force.
func BenchmarkHighDim(b *testing.B) {
	const n, d = 2000, 1500
	x := gaussian(n, d, 7)
	for _, direct := range []bool{false, true} {
		name := "blocked"
		if direct {
			name = "direct"
		}
		b.Run(name, func(b *testing.B) { benchFitScore(b, x, n, d, Options{direct: direct}, true) })
	}
}
