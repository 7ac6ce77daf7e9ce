package conformance

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
)

// The timing of the cancellation check. A call sized to take about
// cancelTarget of CPU time is cancelled once the plugin has spent cancelAfter
// of CPU time on it (so that it is computing, past receiving its input); the
// plugin must have stopped computing within stopWithin of the cancellation.
const (
	cancelTarget = 6 * time.Second
	cancelAfter  = time.Second
	stopWithin   = 3 * time.Second
	// startWithin bounds the wait for the plugin to spend cancelAfter.
	startWithin = time.Minute
	// maxCancelBytes caps the input the check sends.
	maxCancelBytes = 64 << 20
	// minFitCPU: a fit using less CPU than this on the small training split
	// is mostly call overhead, no base for sizing a long one.
	minFitCPU = 50 * time.Millisecond
	// The plugin has stopped when none of its threads is runnable in
	// idleSamples samples in a row, idlePoll apart.
	idlePoll    = 50 * time.Millisecond
	idleSamples = 6
)

// cancelCandidate is a call the cancellation check may cancel: Fit on the
// training split tiled, or Score/Encode on the test split tiled, sized from
// the CPU time the kit's earlier calls took (CPU time rather than wall time,
// so that a loaded machine does not change what the check does).
type cancelCandidate struct {
	op        string
	rows      int
	predicted time.Duration
	run       func(ctx context.Context, c Client, rows int) error
}

func (s *suite) cancelCandidates() []cancelCandidate {
	var cands []cancelCandidate
	add := func(op string, took time.Duration, rows, cols int, run func(context.Context, Client, int) error) {
		if took <= 0 || rows == 0 {
			return
		}
		perRow := took / time.Duration(rows)
		want := min(int(cancelTarget/max(perRow, 1)), maxCancelBytes/(cols*8))
		cands = append(cands, cancelCandidate{op: op, rows: want, predicted: perRow * time.Duration(want), run: run})
	}
	add(s.applyOp(), s.bigCPU, s.bigRows, s.test.X.Cols, func(ctx context.Context, c Client, rows int) error {
		_, err := s.apply(ctx, c, s.model1, s.test.tile(rows), s.params)
		return err
	})
	if s.fitCPU >= minFitCPU {
		add("Fit", s.fitCPU, s.train.X.Rows, s.train.X.Cols, func(ctx context.Context, c Client, rows int) error {
			_, err := s.fit(ctx, c, s.train.tile(rows), s.params, seedA)
			return err
		})
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].predicted > cands[j].predicted })
	return cands
}

// checkCancellation starts a call sized to take several seconds of CPU,
// cancels it after one, and watches the plugin process's threads: it must
// stop computing within a few seconds. (The host's side of a cancelled call returns
// at once whatever the plugin does, so the plugin's CPU use is what tells
// whether it honours its context.) A plugin whose calls all finish too fast
// to be cancelled mid-way is skipped, saying so.
func (s *suite) checkCancellation(ctx context.Context) Result {
	if _, err := running(os.Getpid()); err != nil {
		return skip("cannot watch the plugin's CPU time: %v", err)
	}
	var notes []string
	for _, cand := range s.cancelCandidates() {
		if cand.predicted < cancelAfter+stopWithin {
			notes = append(notes, fmt.Sprintf("%s on %d rows would take about %v of CPU", cand.op, cand.rows, cand.predicted.Round(time.Millisecond)))
			continue
		}
		r, done := s.cancelOne(ctx, cand)
		if done {
			return r
		}
		notes = append(notes, r.Reason)
	}
	if len(notes) == 0 {
		return skip("no call to cancel")
	}
	return skip("every call ends too soon to be cancelled mid-way: %s", strings.Join(notes, "; "))
}

// cancelOne runs one candidate; done is false when the call ended before it
// could be cancelled.
func (s *suite) cancelOne(ctx context.Context, cand cancelCandidate) (_ Result, done bool) {
	c, err := s.alive(ctx, &s.a)
	if err != nil {
		return fail("%v", err), true
	}
	pid := c.Pid()
	if pid == 0 {
		return skip("the plugin's process id is unknown"), true
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ended := make(chan error, 1)
	start, cpu0 := time.Now(), cpuOf(c)
	go func() { ended <- cand.run(cctx, c, cand.rows) }()
	tick := time.NewTicker(idlePoll)
	defer tick.Stop()
	for cpuOf(c)-cpu0 < cancelAfter {
		select {
		case err := <-ended:
			if err != nil {
				return fail("%s on %d rows: %v", cand.op, cand.rows, err), true
			}
			return Result{Reason: fmt.Sprintf("%s on %d rows ended in %v", cand.op, cand.rows, time.Since(start).Round(time.Millisecond))}, false
		case <-tick.C:
		}
		if time.Since(start) > startWithin {
			break
		}
	}
	cancel()
	cancelled := time.Now()
	select {
	case <-ended:
	case <-time.After(stopWithin):
		c.Close()
		return fail("the %s call did not return within %v of its cancellation", cand.op, stopWithin), true
	}
	stopped, err := waitIdle(pid, cancelled.Add(stopWithin))
	if err != nil {
		for wait := time.Now().Add(time.Second); !c.Exited() && time.Now().Before(wait); {
			time.Sleep(10 * time.Millisecond)
		}
		if c.Exited() {
			// Exiting stops the work too: the host starts a fresh process
			// for its next call, as it does after a cell timeout.
			return pass("a %s call on %d rows, cancelled after %v of CPU: the plugin process exited within %v",
				cand.op, cand.rows, cancelAfter, time.Since(cancelled).Round(10*time.Millisecond)), true
		}
		return skip("cannot watch the plugin's CPU time: %v", err), true
	}
	if !stopped {
		c.Close()
		return fail("still computing %v after its %s call was cancelled: it ignores its context", stopWithin, cand.op), true
	}
	return pass("a %s call on %d rows (about %v of CPU uncancelled), cancelled after %v of CPU, stopped within %v",
		cand.op, cand.rows, cand.predicted.Round(100*time.Millisecond), cancelAfter, time.Since(cancelled).Round(10*time.Millisecond)), true
}

// waitIdle watches a process's threads until none is runnable in
// idleSamples samples in a row (true) or the deadline passes (false).
func waitIdle(pid int, deadline time.Time) (bool, error) {
	quiet := 0
	for quiet < idleSamples {
		if time.Now().After(deadline) {
			return false, nil
		}
		time.Sleep(idlePoll)
		busy, err := running(pid)
		if err != nil {
			return false, err
		}
		quiet++
		if busy {
			quiet = 0
		}
	}
	return true, nil
}
