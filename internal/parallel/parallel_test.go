package parallel

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
)

func TestForCoversEachIndexOnce(t *testing.T) {
	for _, tc := range []struct{ n, chunk, workers int }{
		{0, 4, 2}, {1, 4, 2}, {10, 3, 1}, {10, 3, 4}, {1000, 7, 3}, {5, 0, 0}, {64, 64, 8},
	} {
		seen := make([]atomic.Int32, tc.n)
		maxW := Workers(tc.workers)
		err := For(context.Background(), tc.n, tc.chunk, tc.workers, func(w, lo, hi int) {
			if w < 0 || w >= maxW {
				t.Errorf("%+v: worker %d out of [0, %d)", tc, w, maxW)
			}
			if hi-lo > max(tc.chunk, 1) || lo >= hi {
				t.Errorf("%+v: chunk [%d, %d)", tc, lo, hi)
			}
			for i := lo; i < hi; i++ {
				seen[i].Add(1)
			}
		})
		if err != nil {
			t.Fatalf("%+v: %v", tc, err)
		}
		for i := range seen {
			if c := seen[i].Load(); c != 1 {
				t.Fatalf("%+v: index %d visited %d times", tc, i, c)
			}
		}
	}
}

func TestForWorkerIndexIsExclusive(t *testing.T) {
	const workers = 4
	var busy [workers]atomic.Int32
	err := For(context.Background(), 400, 1, workers, func(w, _, _ int) {
		if busy[w].Add(1) != 1 {
			t.Errorf("worker index %d used by two goroutines at once", w)
		}
		busy[w].Add(-1)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestForCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var ran atomic.Int32
	err := For(ctx, 1000, 1, 2, func(_, _, _ int) {
		if ran.Add(1) == 10 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if r := ran.Load(); r >= 1000 {
		t.Fatalf("all %d chunks ran after cancellation", r)
	}
}

func TestEach(t *testing.T) {
	var sum atomic.Int64
	if err := Each(context.Background(), 100, 3, func(i int) { sum.Add(int64(i)) }); err != nil {
		t.Fatal(err)
	}
	if s := sum.Load(); s != 4950 {
		t.Fatalf("sum = %d, want 4950", s)
	}
}
