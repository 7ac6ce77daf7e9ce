package metrics

import (
	"context"
	"errors"
	"reflect"
	"runtime"
	"sync/atomic"
	"testing"
)

// TestSweepDeterministic: a sweep does not depend on Workers or GOMAXPROCS,
// and PerK[i] is the single fit with K = kmin + i.
func TestSweepDeterministic(t *testing.T) {
	x, y := clusMixture(900, 5, 9)
	n, d := 900, 2
	ctx := context.Background()
	km1, err := SweepKMeans(ctx, x, n, d, y, 2, 8, KMeansOptions{Seed: 5, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	km3, err := SweepKMeans(ctx, x, n, d, y, 2, 8, KMeansOptions{Seed: 5, Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	prev := runtime.GOMAXPROCS(1)
	kmG, err := SweepKMeans(ctx, x, n, d, y, 2, 8, KMeansOptions{Seed: 5})
	runtime.GOMAXPROCS(prev)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(km1, km3) || !reflect.DeepEqual(km1, kmG) {
		t.Error("SweepKMeans depends on Workers or GOMAXPROCS")
	}
	gm1, err := SweepGMM(ctx, x, n, d, y, 2, 8, GMMOptions{Seed: 5, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	gm4, err := SweepGMM(ctx, x, n, d, y, 2, 8, GMMOptions{Seed: 5, Workers: 4})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gm1, gm4) {
		t.Error("SweepGMM depends on Workers")
	}
	if km1.Method != "kmeans" || gm1.Method != "gmm" || len(km1.PerK) != 7 || len(gm1.PerK) != 7 {
		t.Fatalf("methods %q %q, %d and %d k values", km1.Method, gm1.Method, len(km1.PerK), len(gm1.PerK))
	}
	for _, k := range []int{2, 5, 8} {
		km, err := KMeans(x, n, d, KMeansOptions{K: k, Seed: 5})
		if err != nil {
			t.Fatal(err)
		}
		gm, err := GMM(x, n, d, GMMOptions{K: k, Seed: 5})
		if err != nil {
			t.Fatal(err)
		}
		if ks := km1.PerK[k-2]; ks.K != k || !reflect.DeepEqual(ks.Labels, km.Labels) {
			t.Errorf("SweepKMeans k=%d differs from KMeans", k)
		}
		if ks := gm1.PerK[k-2]; ks.K != k || !reflect.DeepEqual(ks.Labels, gm.Labels) {
			t.Errorf("SweepGMM k=%d differs from GMM", k)
		}
	}
	// Scores are the V-measure of the labels, BestV the largest.
	for _, sw := range []Sweep{km1, gm1} {
		for _, ks := range sw.PerK {
			h, c, v := HomogeneityCompletenessV(y, ks.Labels, 1)
			if ks.H != h || ks.C != c || ks.V != v {
				t.Errorf("%s k=%d: stored (%g %g %g), recomputed (%g %g %g)", sw.Method, ks.K, ks.H, ks.C, ks.V, h, c, v)
			}
			if ks.V > sw.BestV {
				t.Errorf("%s: k=%d has V %g > BestV %g", sw.Method, ks.K, ks.V, sw.BestV)
			}
		}
		// Five equal, separated blobs: both methods find k = 5.
		if sw.BestK != 5 || sw.BestV < 0.9 {
			t.Errorf("%s: best k %d (V %g), want 5", sw.Method, sw.BestK, sw.BestV)
		}
	}
}

func TestSweepPickBestTies(t *testing.T) {
	s := Sweep{PerK: []KScore{{K: 3, V: 0.5}, {K: 4, V: 0.7}, {K: 5, V: 0.7}, {K: 6, V: 0.2}}}
	s.pickBest()
	if s.BestK != 4 || s.BestV != 0.7 {
		t.Errorf("best k %d V %g, want 4 and 0.7 (ties to the smaller k)", s.BestK, s.BestV)
	}
	s = Sweep{PerK: []KScore{{K: 2, V: 0}, {K: 3, V: 0}}}
	s.pickBest()
	if s.BestK != 2 {
		t.Errorf("all-zero V: best k %d, want 2", s.BestK)
	}
}

func TestSweepCancel(t *testing.T) {
	x, y := clusMixture(2000, 5, 10)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := SweepKMeans(ctx, x, 2000, 2, y, 2, 20, KMeansOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("SweepKMeans on a cancelled context: %v", err)
	}
	if _, err := SweepGMM(ctx, x, 2000, 2, y, 2, 20, GMMOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("SweepGMM on a cancelled context: %v", err)
	}
	// Cancelled while running: stops early with the context's error.
	ctx, cancel = context.WithCancel(context.Background())
	var ran atomic.Int64
	err := kmParallel(ctx, 100, 2, func() int { return 0 }, func(_ int, job int) {
		ran.Add(1)
		if job == 10 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || ran.Load() > 12 {
		t.Errorf("kmParallel cancelled at job 10: error %v after %d jobs", err, ran.Load())
	}
}

func TestSweepErrors(t *testing.T) {
	x, y := clusMixture(50, 2, 11)
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		truth      []int
		kmin, kmax int
	}{
		{"truth length", y[:49], 2, 5},
		{"kmin = 0", y, 0, 5},
		{"kmax < kmin", y, 5, 4},
		{"kmax > n", y, 2, 51},
	} {
		if _, err := SweepKMeans(ctx, x, 50, 2, tc.truth, tc.kmin, tc.kmax, KMeansOptions{}); err == nil {
			t.Errorf("SweepKMeans %s: no error", tc.name)
		}
		if _, err := SweepGMM(ctx, x, 50, 2, tc.truth, tc.kmin, tc.kmax, GMMOptions{}); err == nil {
			t.Errorf("SweepGMM %s: no error", tc.name)
		}
	}
}
