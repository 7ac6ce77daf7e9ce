package lof

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// TestBlockedMatchesDirect checks that the blocked brute force (BLAS expansion to select
// candidates, direct distances to decide) gives bit for bit the direct search's results, also
// where equidistant points compete for the last places: integer-valued data with duplicated
// rows, a large common offset (where the expansion's rounding error is largest), all rows
// equal, sizes that are not multiples of the blocks, and a few workers. The training points'
// own neighbourhoods (Fit, and Score of the training set) are checked with and without the
// Gram matrix of self queries.
func TestBlockedMatchesDirect(t *testing.T) {
	type tc struct {
		name     string
		n, nq, d int
		k        int
		gen      func(rng *rand.Rand, i, j int) float64
	}
	gauss := func(rng *rand.Rand, _, _ int) float64 { return rng.NormFloat64() }
	cases := []tc{
		{"gauss", 700, 300, 20, 20, gauss},
		{"gauss-k1", 300, 50, 40, 1, gauss},
		{"integers", 2500, 600, 16, 20, func(rng *rand.Rand, _, _ int) float64 { return float64(rng.IntN(3)) }},
		{"binary-wide", 500, 260, 120, 10, func(rng *rand.Rand, _, _ int) float64 { return float64(rng.IntN(2)) }},
		// Non-dyadic grid values: many exact ties between different points, not exact data.
		{"grid", 1500, 400, 16, 20, func(rng *rand.Rand, _, _ int) float64 { return []float64{0.1, 0.7, 1.3}[rng.IntN(3)] }},
		// Fixed-point values just too fine for the expansion to be exact (2·25 + 7 > 53).
		{"fixed-point", 400, 100, 16, 20, func(rng *rand.Rand, _, _ int) float64 {
			return float64(rng.IntN(512)) + float64(rng.IntN(1<<16))*0x1p-16
		}},
		{"offset", 600, 100, 30, 20, func(rng *rand.Rand, _, _ int) float64 { return 300 + rng.NormFloat64()*1e-7 }},
		{"all-equal", 100, 20, 17, 20, func(*rand.Rand, int, int) float64 { return 1.5 }},
		{"huge", 200, 40, 18, 5, func(rng *rand.Rand, _, _ int) float64 { return 1e155 * rng.NormFloat64() }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(c.n), uint64(c.d)))
			x := make([]float64, c.n*c.d)
			for i := range x {
				x[i] = c.gen(rng, i/c.d, i%c.d)
			}
			// Duplicate some rows, and make the queries partly training rows.
			for i := 0; i+7 < c.n; i += 7 {
				copy(x[(i+3)*c.d:(i+4)*c.d], x[i*c.d:(i+1)*c.d])
			}
			q := make([]float64, c.nq*c.d)
			for i := 0; i < c.nq; i++ {
				if i%2 == 0 {
					copy(q[i*c.d:(i+1)*c.d], x[(i*5%c.n)*c.d:])
				} else {
					for j := 0; j < c.d; j++ {
						q[i*c.d+j] = c.gen(rng, i, j)
					}
				}
			}
			for _, workers := range []int{1, 3} {
				direct := mustFit(t, x, c.n, c.d, Options{NNeighbors: c.k, Algorithm: Brute, Workers: workers, direct: true})
				if direct.xnorm != nil {
					t.Fatal("direct search not in use")
				}
				sd := mustScore(t, direct, q, c.nq)
				sdSelf := mustScore(t, direct, x, c.n)
				for _, noGram := range []bool{false, true} {
					blocked := mustFit(t, x, c.n, c.d, Options{NNeighbors: c.k, Algorithm: Brute, Workers: workers, noGram: noGram})
					if c.name != "huge" && blocked.xnorm == nil {
						t.Fatal("blocked search not in use")
					}
					for _, pair := range [][2][]float64{
						{direct.KDistances(), blocked.KDistances()},
						{direct.LRD(), blocked.LRD()},
						{direct.TrainScores(), blocked.TrainScores()},
					} {
						if !bitsEqual(pair[0], pair[1]) {
							t.Fatalf("workers %d, noGram %v: training results differ", workers, noGram)
						}
					}
					if !bitsEqual(sd, mustScore(t, blocked, q, c.nq)) {
						t.Fatalf("workers %d, noGram %v: scores differ", workers, noGram)
					}
					if !bitsEqual(sdSelf, mustScore(t, blocked, x, c.n)) {
						t.Fatalf("workers %d, noGram %v: scores of the training points differ", workers, noGram)
					}
				}
			}
		})
	}
}

func mustScore(t *testing.T, m *Model, x []float64, n int) []float64 {
	t.Helper()
	s, err := m.Score(x, n)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestBlockedCancel checks that the blocked search stops when its context is cancelled.
func TestBlockedCancel(t *testing.T) {
	x := gaussian(3000, 20, 3)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Fit(ctx, x, 3000, 20, Options{}); err == nil {
		t.Fatal("Fit with a cancelled context succeeded")
	}
}

func TestPushUpper(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	h := make([]float64, 7)
	for i := range h {
		h[i] = math.Inf(1)
	}
	var all []float64
	for i := 0; i < 200; i++ {
		v := rng.Float64()
		all = append(all, v)
		if v < h[0] {
			pushUpper(h, v)
		}
		for j := 1; j < len(h); j++ {
			if h[(j-1)/2] < h[j] {
				t.Fatalf("heap order broken at %d", j)
			}
		}
	}
	// The root is the 7th smallest value pushed.
	smaller := 0
	for _, v := range all {
		if v < h[0] {
			smaller++
		}
	}
	if smaller != len(h)-1 {
		t.Fatalf("root is not the %dth smallest: %d values below it", len(h), smaller)
	}
}
