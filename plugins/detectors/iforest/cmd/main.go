// Command latentbench-detector-iforest serves the isolation forest detector.
package main

import (
	"context"
	"fmt"

	"github.com/latentbench/latentbench/plugins/detectors/iforest"
	"github.com/latentbench/latentbench/sdk"
)

type detector struct{}

func (detector) Describe() sdk.Description {
	return sdk.Description{
		Name:    "iforest",
		Version: "1.0.0",
		Doc:     "Isolation forest (Liu, Ting & Zhou 2008); scores = scikit-learn's score_samples.",
		Params:  iforest.ParamSpecs(),
	}
}

func (detector) Fit(ctx context.Context, req *sdk.DetectorFit) ([]byte, error) {
	f, err := iforest.Fit(ctx, req.X.Float64(), req.X.Rows, req.X.Cols, iforest.OptionsFrom(req.Params, req.Seed))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", sdk.ErrInvalidInput, err)
	}
	return f.MarshalBinary()
}

func (detector) Score(ctx context.Context, req *sdk.ScoreRequest) ([]float64, error) {
	var f iforest.Forest
	if err := f.UnmarshalBinary(req.Model); err != nil {
		return nil, err
	}
	if req.X.Cols != f.Dim() {
		return nil, fmt.Errorf("%w: model fitted on %d features, got %d", sdk.ErrInvalidInput, f.Dim(), req.X.Cols)
	}
	out := make([]float64, req.X.Rows)
	return out, f.ScoreTo(ctx, out, req.X.Float64(), req.X.Rows)
}

func main() { sdk.ServeDetector(detector{}) }
