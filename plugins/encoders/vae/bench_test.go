package vae

import (
	"context"
	"encoding/binary"
	"math"
	"math/rand"
	"os"
	"strconv"
	"testing"
)

// benchData returns an MNIST-sized n×784 matrix: random values in [0, 1], or,
// when VAE_BENCH_DATA names a raw little-endian float32 file (the peer's
// input format), its first n rows.
func benchData(b *testing.B, n int) []float32 {
	const d = 784
	if p := os.Getenv("VAE_BENCH_DATA"); p != "" {
		raw, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		if len(raw) < n*d*4 {
			b.Fatalf("%s has %d bytes, need %d", p, len(raw), n*d*4)
		}
		x := make([]float32, n*d)
		for i := range x {
			x[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		return x
	}
	r := rand.New(rand.NewSource(1))
	x := make([]float32, n*d)
	for i := range x {
		x[i] = r.Float32()
	}
	return x
}

// benchRows is 60000 (one MNIST epoch) unless VAE_BENCH_ROWS says otherwise.
func benchRows() int {
	if s := os.Getenv("VAE_BENCH_ROWS"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			return n
		}
	}
	return 60000
}

// BenchmarkTrainEpoch trains the paper's 784-512-2 VAE for one epoch (batch
// 128, Adam) per iteration on 60000 rows and reports samples/s; compare with
// bench/peers/vae_torch.py --epochs 1 on the same data.
func BenchmarkTrainEpoch(b *testing.B) {
	n := benchRows()
	x := benchData(b, n)
	cfg := DefaultConfig()
	cfg.Epochs = 1
	b.ResetTimer()
	cpu0 := cpuSeconds()
	for i := 0; i < b.N; i++ {
		cfg.Seed = int64(i)
		if _, _, err := Train(context.Background(), x, n, 784, nil, 0, nil, cfg, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "samples/s")
	if cpu := cpuSeconds() - cpu0; cpu > 0 {
		b.ReportMetric(float64(n*b.N)/cpu, "samples/cpu-s")
	}
}

// BenchmarkEncode10k encodes 10000 rows with a (briefly trained) 784-512-2 model.
func BenchmarkEncode10k(b *testing.B) {
	const n = 10000
	x := benchData(b, n)
	cfg := DefaultConfig()
	cfg.Epochs = 1
	m, _, err := Train(context.Background(), x[:1024*784], 1024, 784, nil, 0, nil, cfg, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.Encode(x, n); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "samples/s")
}
