package metrics

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"
)

// A sweep whose runs each take far longer than the deadline (full-covariance
// EM in 150 dimensions; Lloyd with k = 18..20 on 12,000 points, about 1 s per
// run and 3 s per sweep on a 2025 server core: with 4,000 points a fast
// machine finished the whole k-means sweep inside the 0.3 s deadline) stops
// inside a run when its context ends, instead of finishing the fit it is in.
func TestSweepsStopInsideAFit(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n, d := 12000, 150
	x := make([]float64, n*d)
	truth := make([]int, n)
	for i := range n {
		truth[i] = i % 5
		for j := range d {
			x[i*d+j] = rng.NormFloat64() + float64(truth[i]*(j%3))
		}
	}
	for _, tc := range []struct {
		name  string
		sweep func(ctx context.Context) error
	}{
		{"gmm", func(ctx context.Context) error {
			_, err := SweepGMM(ctx, x, n, d, truth, 2, 20, GMMOptions{Seed: 1, Workers: 1, Tol: 1e-300, MaxIter: 1000})
			return err
		}},
		{"kmeans", func(ctx context.Context) error {
			_, err := SweepKMeans(ctx, x, n, d, truth, 18, 20, KMeansOptions{Seed: 1, Workers: 1, NInit: 1, Tol: 1e-300, MaxIter: 100000})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- tc.sweep(ctx) }()
			select {
			case err := <-done:
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("want a deadline error, got %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("sweep still running 10 s after its 0.3 s deadline")
			}
		})
	}
}

// A fit whose sweep is already cancelled stops at its first check: EM
// returns the cancellation instead of a model, Lloyd stops after one
// iteration whatever MaxIter says.
func TestFitsCheckCancellation(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	n, d := 500, 3
	x := make([]float64, n*d)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	closed := make(chan struct{})
	close(closed)

	g, err := gmPrepare("test", x, n, d, GMMOptions{MaxIter: 1000, Tol: 1e-300})
	if err != nil {
		t.Fatal(err)
	}
	g.km.done = closed
	if run := g.fit(newGMWork(n, d, 4), 4, 0, nil); !errors.Is(run.err, errGMMCanceled) {
		t.Errorf("cancelled EM fit: err = %v after %d iterations", run.err, run.res.NIter)
	}

	km, err := kmPrepare("test", x, n, d, KMeansOptions{MaxIter: 1000, Tol: 1e-300})
	if err != nil {
		t.Fatal(err)
	}
	km.done = closed
	w := newKMWork(n, d, 4)
	km.plusPlus(w, 4, kmRNG(1, 0))
	if _, iters := km.lloydInPlace(w, 4); iters > 1 {
		t.Errorf("cancelled Lloyd ran %d iterations", iters)
	}
}

// GMMContext, the single fit behind per-cluster detectors' groups, stops
// when its context is done.
func TestGMMContextStops(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	n, d := 300, 3
	x := make([]float64, n*d)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := GMMContext(ctx, x, n, d, GMMOptions{K: 4, MaxIter: 1000, Tol: 1e-300}); !errors.Is(err, context.Canceled) {
		t.Errorf("want context.Canceled, got %v", err)
	}
	if _, err := GMMContext(context.Background(), x, n, d, GMMOptions{K: 4}); err != nil {
		t.Errorf("uncancelled: %v", err)
	}
}
