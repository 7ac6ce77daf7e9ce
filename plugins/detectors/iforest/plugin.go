package iforest

import (
	"context"

	"github.com/latentbench/latentbench/sdk"
)

// Plugin returns the isolation forest as an sdk.Detector: what the
// latentbench-detector-iforest executable serves, and what a test or tool can
// call in-process.
func Plugin() sdk.Detector { return detector{} }

type detector struct{}

func (detector) Describe() sdk.Description {
	return sdk.Description{
		Name:    "iforest",
		Version: "1.0.0",
		Doc:     "Isolation forest (Liu, Ting & Zhou 2008); scores = scikit-learn's score_samples.",
		Params:  ParamSpecs(),
	}
}

func (detector) Fit(ctx context.Context, req *sdk.DetectorFit) ([]byte, error) {
	if err := CheckParams(req.Params); err != nil {
		return nil, err
	}
	f, err := Fit(ctx, req.X.Float64(), req.X.Rows, req.X.Cols, OptionsFrom(req.Params, req.Seed))
	if err != nil {
		return nil, sdk.Invalid(err)
	}
	return f.MarshalBinary()
}

func (detector) Score(ctx context.Context, req *sdk.ScoreRequest) ([]float64, error) {
	var f Forest
	if err := f.UnmarshalBinary(req.Model); err != nil {
		return nil, sdk.Invalid(err)
	}
	if req.X.Cols != f.Dim() {
		return nil, sdk.Invalidf("model fitted on %d features, got %d", f.Dim(), req.X.Cols)
	}
	out := make([]float64, req.X.Rows)
	return out, f.ScoreTo(ctx, out, req.X.Float64(), req.X.Rows)
}
