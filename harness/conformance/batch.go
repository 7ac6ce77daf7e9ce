package conformance

import (
	"context"
	"fmt"

	"github.com/latentbench/latentbench/sdk"
)

// BatchClient is a Client that can run a batch of fit-then-score jobs in
// one call (the contract's FitScore, which the SDKs serve on top of a
// plugin's Fit and Score). HostLauncher's clients are.
type BatchClient interface {
	Client
	FitScore(ctx context.Context, req *sdk.FitScoreRequest) ([]sdk.JobScores, error)
	// FitScoreUnimplemented reports whether the plugin answered FitScore
	// Unimplemented (built before the call existed), so that the client ran
	// the jobs as separate calls.
	FitScoreUnimplemented() bool
}

// checkBatch runs jobs on column subsets of the training split in one
// FitScore call and checks that each job's scores equal those of a Fit of
// its columns followed by Score calls, made separately in the same process.
func (s *suite) checkBatch(ctx context.Context) Result {
	if s.desc.UsesGroups {
		return skip("group-aware detectors are not batched (their groups belong to the full space)")
	}
	a, err := s.alive(ctx, &s.a)
	if err != nil {
		return fail("%v", err)
	}
	bc, ok := a.(BatchClient)
	if !ok {
		return skip("the launcher's client cannot make FitScore calls")
	}
	d := s.train.X.Cols
	var cols [][]int
	for j := range 3 {
		cols = append(cols, []int{j % d, (j + 1) % d})
	}
	extra := make([]sdk.Matrix, len(cols))
	for j, c := range cols {
		extra[j] = projectRows(s.test.X, c, j)
	}
	req := &sdk.FitScoreRequest{X: s.train.X, Eval: s.test.X, Cols: cols, Extra: extra, Params: s.params, Seed: seedA}
	cctx, cancel := s.callCtx(ctx)
	defer cancel()
	got, err := bc.FitScore(cctx, req)
	if err != nil {
		return fail("FitScore: %v", err)
	}
	if bc.FitScoreUnimplemented() {
		return skip("the plugin answers FitScore Unimplemented (built before the call existed); the host makes separate Fit and Score calls")
	}
	want, err := sdk.FitScoreSeparately(cctx, asDetector{a, s.desc}, req)
	if err != nil {
		return fail("separate Fit and Score calls: %v", err)
	}
	for j := range want {
		for _, p := range []struct {
			what      string
			got, want []float64
		}{{"eval points", got[j].Eval, want[j].Eval}, {"extra points", got[j].Extra, want[j].Extra}} {
			if err := sameScores(p.got, p.want); err != nil {
				return fail("job %d (columns %v), %s: FitScore and separate Fit and Score calls differ: %v", j, cols[j], p.what, err)
			}
		}
	}
	return pass("%d FitScore jobs on column subsets give the scores of separate Fit and Score calls", len(cols))
}

// projectRows returns the columns cols of the first rows of m, shifted by
// off/10 so that each job scores points of its own.
func projectRows(m sdk.Matrix, cols []int, off int) sdk.Matrix {
	n := min(m.Rows, 25)
	x := m.Float64()
	out := make([]float64, 0, n*len(cols))
	for i := range n {
		for _, c := range cols {
			out = append(out, x[i*m.Cols+c]+float64(off)/10)
		}
	}
	return sdk.NewMatrix64(n, len(cols), out)
}

func sameScores(got, want []float64) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d scores, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			return fmt.Errorf("score %d is %v, want %v", i, got[i], want[i])
		}
	}
	return nil
}

// asDetector makes a Client an sdk.Detector.
type asDetector struct {
	c    Client
	desc *sdk.Description
}

func (d asDetector) Describe() sdk.Description { return *d.desc }

func (d asDetector) Fit(ctx context.Context, req *sdk.DetectorFit) ([]byte, error) {
	return d.c.FitDetector(ctx, req)
}

func (d asDetector) Score(ctx context.Context, req *sdk.ScoreRequest) ([]float64, error) {
	return d.c.Score(ctx, req)
}
