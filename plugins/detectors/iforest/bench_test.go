package iforest

import (
	"context"
	"encoding/binary"
	"math"
	"os"
	"strconv"
	"testing"
)

// benchFitScore fits a default forest (100 trees, ψ = 256, Seed 0) on n
// points of the 2-D Gaussian mixture and scores the same points: the Go side
// of bench/peers/iforest.py (IsolationForest(n_estimators=100,
// random_state=0).fit(X).score_samples(X)).
func benchFitScore(b *testing.B, n int) {
	x, _ := mixture(n, 1)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		f, err := Fit(ctx, x, n, 2, Options{NEstimators: 100})
		if err != nil {
			b.Fatal(err)
		}
		_ = f.Score(x, n)
	}
}

func BenchmarkFitScore10k(b *testing.B) { benchFitScore(b, 10_000) }
func BenchmarkFitScore60k(b *testing.B) { benchFitScore(b, 60_000) }

// BenchmarkFit60k and BenchmarkScore60k split BenchmarkFitScore60k.
func BenchmarkFit60k(b *testing.B) {
	x, _ := mixture(60_000, 1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Fit(context.Background(), x, 60_000, 2, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScore60k(b *testing.B) {
	x, _ := mixture(60_000, 1)
	f, err := Fit(context.Background(), x, 60_000, 2, Options{})
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]float64, 60_000)
	b.ReportAllocs()
	for b.Loop() {
		if err := f.ScoreTo(context.Background(), dst, x, 60_000); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFitScoreFile times Fit + Score on the raw little-endian float64
// row-major matrix named by IFOREST_BENCH_DATA (IFOREST_BENCH_N rows,
// IFOREST_BENCH_D columns): the very data bench/peers/iforest.py is given.
// Optional IFOREST_BENCH_TREES (100) and IFOREST_BENCH_SEED (0).
func BenchmarkFitScoreFile(b *testing.B) {
	path := os.Getenv("IFOREST_BENCH_DATA")
	if path == "" {
		b.Skip("IFOREST_BENCH_DATA not set")
	}
	n, errN := strconv.Atoi(os.Getenv("IFOREST_BENCH_N"))
	d, errD := strconv.Atoi(os.Getenv("IFOREST_BENCH_D"))
	if errN != nil || errD != nil {
		b.Fatal("IFOREST_BENCH_N and IFOREST_BENCH_D must be integers")
	}
	opt := Options{NEstimators: 100}
	if s := os.Getenv("IFOREST_BENCH_TREES"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		opt.NEstimators = v
	}
	if s := os.Getenv("IFOREST_BENCH_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			b.Fatal(err)
		}
		opt.Seed = v
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
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		f, err := Fit(ctx, x, n, d, opt)
		if err != nil {
			b.Fatal(err)
		}
		_ = f.Score(x, n)
	}
}
