// Command latentbench-detector-cluster-iforest serves the per-cluster
// isolation forest: one forest per cluster of the fitted points (the harness
// sends the cluster ids of its best EM-GMM), a point scored by its cluster's
// forest (docs/method.md).
package main

import (
	"context"

	"github.com/latentbench/latentbench/plugins/detectors/iforest"
	"github.com/latentbench/latentbench/sdk"
	"github.com/latentbench/latentbench/sdk/serve"
)

type detector struct{}

func (detector) Describe() sdk.Description {
	return sdk.Description{
		Name:       "cluster-iforest",
		Version:    "1.0.0",
		Doc:        "One isolation forest per cluster (EM-GMM groups from the harness); a point is scored by its cluster's forest.",
		Params:     iforest.ParamSpecs(),
		UsesGroups: true,
	}
}

func groups(g []int32, n int) ([]int, error) {
	if g == nil {
		return nil, sdk.Invalidf("cluster-iforest needs group ids (the harness sends them when [clustering] is set)")
	}
	out := make([]int, n)
	for i, v := range g {
		out[i] = int(v)
	}
	return out, nil
}

func (detector) Fit(ctx context.Context, req *sdk.DetectorFit) ([]byte, error) {
	g, err := groups(req.Groups, req.X.Rows)
	if err != nil {
		return nil, err
	}
	if err := iforest.CheckParams(req.Params); err != nil {
		return nil, err
	}
	f, err := iforest.FitGroups(ctx, req.X.Float64(), req.X.Rows, req.X.Cols, g, iforest.OptionsFrom(req.Params, req.Seed))
	if err != nil {
		return nil, sdk.Invalid(err)
	}
	return f.MarshalBinary()
}

func (detector) Score(ctx context.Context, req *sdk.ScoreRequest) ([]float64, error) {
	var f iforest.GroupForest
	if err := f.UnmarshalBinary(req.Model); err != nil {
		return nil, err
	}
	g, err := groups(req.Groups, req.X.Rows)
	if err != nil {
		return nil, err
	}
	if req.X.Cols != f.Dim() {
		return nil, sdk.Invalidf("model fitted on %d features, got %d", f.Dim(), req.X.Cols)
	}
	return f.ScoreContext(ctx, req.X.Float64(), req.X.Rows, g)
}

func main() { serve.Detector(detector{}) }
