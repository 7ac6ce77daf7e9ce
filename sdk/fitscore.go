package sdk

import (
	"context"
	"fmt"
)

// FitScoreRequest asks for several fit-then-score jobs on column subsets
// of the same points: job j fits a model on the columns Cols[j] of X, then
// scores those columns of Eval and the points Extra[j]. The harness's EM/MV
// protocol beyond five latent dimensions is such a batch (a refit per
// random feature subset, each scoring the evaluated points and uniform
// points in its box).
type FitScoreRequest struct {
	// X holds the fit points (n×d), Eval the points every job scores (m×d).
	X, Eval Matrix
	// Cols holds each job's column indices into X and Eval, in order; every
	// job has the same number of columns k.
	Cols [][]int
	// Extra is nil, or holds per job u more points (u×k, in the job's own
	// column space, the same u for every job) that the job also scores.
	Extra []Matrix
	// Params and Seed are those of every job's Fit.
	Params Params
	Seed   int64
}

// JobScores is what one job of a FitScoreRequest scored: Eval's points,
// then its Extra points.
type JobScores struct {
	Eval, Extra []float64
}

// DetectorFitScorer is a Detector that runs a FitScoreRequest itself. Its
// answers must equal those of FitScoreSeparately. The out-of-process client
// (harness/host) implements it with one call in which no model crosses the
// process boundary; a plugin author never needs to: the SDKs answer that
// call with the plugin's own Fit and Score.
type DetectorFitScorer interface {
	Detector
	FitScore(ctx context.Context, req *FitScoreRequest) ([]JobScores, error)
}

// FitScore runs req with d: through d's own FitScore when d implements
// DetectorFitScorer, else with FitScoreSeparately.
func FitScore(ctx context.Context, d Detector, req *FitScoreRequest) ([]JobScores, error) {
	if f, ok := d.(DetectorFitScorer); ok {
		return f.FitScore(ctx, req)
	}
	return FitScoreSeparately(ctx, d, req)
}

// Check reports a request whose shapes do not fit together: X and Eval of
// different widths, jobs of different sizes or with columns out of range,
// Extra not one u×k matrix per job.
func (r *FitScoreRequest) Check() error {
	if r.X.Cols != r.Eval.Cols {
		return Invalidf("fit points have %d columns, eval points %d", r.X.Cols, r.Eval.Cols)
	}
	if r.Extra != nil && len(r.Extra) != len(r.Cols) {
		return Invalidf("%d extra matrices for %d jobs", len(r.Extra), len(r.Cols))
	}
	for j, cols := range r.Cols {
		if len(cols) == 0 || len(cols) != len(r.Cols[0]) {
			return Invalidf("job %d has %d columns, job 0 %d", j, len(cols), len(r.Cols[0]))
		}
		for _, c := range cols {
			if c < 0 || c >= r.X.Cols {
				return Invalidf("job %d: column %d of %d", j, c, r.X.Cols)
			}
		}
		if r.Extra != nil && (r.Extra[j].Cols != len(cols) || r.Extra[j].Rows != r.Extra[0].Rows) {
			return Invalidf("job %d: extra points %d×%d, want %d×%d", j, r.Extra[j].Rows, r.Extra[j].Cols, r.Extra[0].Rows, len(cols))
		}
	}
	return nil
}

// FitScoreSeparately runs each job of req as d.Fit on its columns of X
// followed by d.Score of its columns of Eval and of its Extra points: the
// meaning of a FitScoreRequest, and how the SDKs serve one.
func FitScoreSeparately(ctx context.Context, d Detector, req *FitScoreRequest) ([]JobScores, error) {
	if err := req.Check(); err != nil {
		return nil, err
	}
	out := make([]JobScores, len(req.Cols))
	x, eval := req.X.Float64(), req.Eval.Float64()
	for j, cols := range req.Cols {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		model, err := d.Fit(ctx, &DetectorFit{X: project(x, req.X.Rows, req.X.Cols, cols), Params: req.Params, Seed: req.Seed})
		if err != nil {
			return nil, fmt.Errorf("job %d (columns %v): fit: %w", j, cols, err)
		}
		out[j].Eval, err = d.Score(ctx, &ScoreRequest{Model: model, X: project(eval, req.Eval.Rows, req.Eval.Cols, cols), Params: req.Params})
		if err != nil {
			return nil, fmt.Errorf("job %d (columns %v): score: %w", j, cols, err)
		}
		if req.Extra != nil {
			out[j].Extra, err = d.Score(ctx, &ScoreRequest{Model: model, X: req.Extra[j], Params: req.Params})
			if err != nil {
				return nil, fmt.Errorf("job %d (columns %v): score extra points: %w", j, cols, err)
			}
		}
	}
	return out, nil
}

// project returns the columns cols of the n×d row-major x as an n×len(cols)
// matrix.
func project(x []float64, n, d int, cols []int) Matrix {
	k := len(cols)
	out := make([]float64, n*k)
	for i := range n {
		row, dst := x[i*d:(i+1)*d], out[i*k:(i+1)*k]
		for j, c := range cols {
			dst[j] = row[c]
		}
	}
	return NewMatrix64(n, k, out)
}
