package host

import (
	"context"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/latentbench/latentbench/internal/wire"
	"github.com/latentbench/latentbench/sdk"
)

var _ sdk.DetectorFitScorer = (*DetectorClient)(nil)

// FitScore runs a batch of fit-then-score jobs in one FitScore call: the
// fit and eval points and the jobs' columns and extra points go to the
// plugin once, only the scores come back, and no model crosses the process
// boundary. A plugin built before the call existed answers Unimplemented;
// the client then runs the jobs as separate Fit and Score calls
// (sdk.FitScoreSeparately), now and for the rest of the session.
func (c *DetectorClient) FitScore(ctx context.Context, req *sdk.FitScoreRequest) ([]sdk.JobScores, error) {
	s := c.s
	if s.noFitScore.Load() || s.host.SeparateFitScore {
		return sdk.FitScoreSeparately(ctx, c, req)
	}
	if err := req.Check(); err != nil || len(req.Cols) == 0 {
		return nil, err
	}
	call, err := makeCall(req.Params, req.Seed)
	if err != nil {
		return nil, s.fail(ctx, "fitscore", err)
	}
	k := len(req.Cols[0])
	cols := make([]int32, 0, len(req.Cols)*k)
	for _, job := range req.Cols {
		for _, c := range job {
			cols = append(cols, int32(c))
		}
	}
	arrays := []namedArray{
		{wire.ArrayX, wire.MatrixArray(req.X)},
		{wire.ArrayEval, wire.MatrixArray(req.Eval)},
		{wire.ArrayCols, wire.Int32Matrix(len(req.Cols), k, cols)},
	}
	u := 0
	if req.Extra != nil {
		u = req.Extra[0].Rows
		extra := make([]float64, 0, len(req.Cols)*u*k)
		for _, m := range req.Extra {
			extra = append(extra, m.Float64()...)
		}
		arrays = append(arrays, namedArray{wire.ArrayExtra, wire.MatrixArray(sdk.NewMatrix64(len(req.Cols)*u, k, extra))})
	}
	stream, err := s.det.FitScore(ctx)
	if err != nil {
		return nil, s.fail(ctx, "fitscore", err)
	}
	msg, err := s.call(stream, call, arrays, nil)
	if status.Code(err) == codes.Unimplemented && ctx.Err() == nil {
		s.noFitScore.Store(true)
		return sdk.FitScoreSeparately(ctx, c, req)
	}
	if err != nil {
		return nil, s.fail(ctx, "fitscore", err)
	}
	return s.jobScores(msg, req.Eval.Rows, u, len(req.Cols))
}

// jobScores splits a FitScore answer into its jobs' scores, checking their
// count and finiteness.
func (s *Session) jobScores(msg *wire.Message, m, u, jobs int) ([]sdk.JobScores, error) {
	a, err := msg.Array(wire.ArrayScores)
	var scores []float64
	if err == nil {
		scores, err = a.Float64Column()
	}
	if err == nil && len(scores) != jobs*(m+u) {
		err = fmt.Errorf("%d scores for %d jobs of %d + %d points", len(scores), jobs, m, u)
	}
	if err == nil {
		err = sdk.NewMatrix64(len(scores), 1, scores).Check()
	}
	if err != nil {
		return nil, s.wrap("fitscore", fmt.Errorf("%w: %w", ErrMalformedOutput, err))
	}
	out := make([]sdk.JobScores, jobs)
	for j := range out {
		row := scores[j*(m+u) : (j+1)*(m+u)]
		out[j].Eval = row[:m:m]
		if u > 0 {
			out[j].Extra = row[m:]
		}
	}
	return out, nil
}

// FitScoreUnimplemented reports whether the plugin answered FitScore
// Unimplemented, so that FitScore makes separate Fit and Score calls.
func (c *DetectorClient) FitScoreUnimplemented() bool { return c.s.noFitScore.Load() }
