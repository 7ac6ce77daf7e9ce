// Package parallel is the project's one parallel for-loop: a bounded number of goroutines take
// consecutive chunks of an index range until it is done or a context is cancelled.
//
// Every numerical package uses it instead of its own sync.WaitGroup loop, so that the worker
// count, the chunking and cancellation behave alike everywhere.
package parallel

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// Workers returns w if it is positive, else runtime.GOMAXPROCS(0): the usual meaning of a
// zero "workers" option.
func Workers(w int) int {
	if w > 0 {
		return w
	}
	return runtime.GOMAXPROCS(0)
}

// For calls f(w, lo, hi) on the chunks [0, chunk), [chunk, 2·chunk), …, [·, n) of [0, n), from at
// most workers goroutines (0 means GOMAXPROCS) and no more than there are chunks. w ∈ [0,
// workers) identifies the goroutine, so that f can keep per-goroutine scratch space indexed by
// it; chunks are handed out in increasing order as goroutines become free. With one goroutine f
// runs on the caller's.
//
// For stops handing out chunks once ctx is cancelled and then returns ctx.Err(); chunks already
// started run to their end. It returns nil when every chunk has run, even if ctx was cancelled
// after the last one started. chunk < 1 counts as 1.
func For(ctx context.Context, n, chunk, workers int, f func(w, lo, hi int)) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if n <= 0 {
		return ctx.Err()
	}
	chunk = max(chunk, 1)
	chunks := (n + chunk - 1) / chunk
	workers = min(Workers(workers), chunks)
	var next atomic.Int64
	var cancelled atomic.Bool
	run := func(w int) {
		for {
			c := int(next.Add(1)) - 1
			if c >= chunks {
				return
			}
			if ctx.Err() != nil {
				cancelled.Store(true)
				return
			}
			lo := c * chunk
			f(w, lo, min(lo+chunk, n))
		}
	}
	if workers <= 1 {
		run(0)
	} else {
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				run(w)
			}()
		}
		wg.Wait()
	}
	if cancelled.Load() {
		return ctx.Err()
	}
	return nil
}

// Each calls f(i) for i in [0, n) from at most workers goroutines (0 means GOMAXPROCS), one
// index at a time: for a few large, independent tasks. Cancellation is as For's.
func Each(ctx context.Context, n, workers int, f func(i int)) error {
	return For(ctx, n, 1, workers, func(_, lo, _ int) { f(lo) })
}
