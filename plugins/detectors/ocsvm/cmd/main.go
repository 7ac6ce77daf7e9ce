// Command latentbench-detector-ocsvm serves the one-class SVM detector.
package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/latentbench/latentbench/plugins/detectors/ocsvm"
	"github.com/latentbench/latentbench/sdk"
	"github.com/latentbench/latentbench/sdk/serve"
)

type detector struct{}

func (detector) Describe() sdk.Description {
	return sdk.Description{
		Name:    "ocsvm",
		Version: "1.0.0",
		Doc:     "One-class SVM (Schölkopf et al. 2000), RBF kernel, libsvm's SMO; scores = decision function.",
		Params: []sdk.ParamSpec{
			{Name: "gamma", Type: sdk.TypeString, Default: "scale", Doc: `RBF coefficient: "scale" = 1/(d·Var X), or a number such as "0.5"`},
			{Name: "nu", Type: sdk.TypeFloat, Default: 0.5, Doc: "upper bound on the outlier fraction, lower bound on the SV fraction"},
			{Name: "tol", Type: sdk.TypeFloat, Default: 1e-3, Doc: "SMO stopping tolerance on the KKT violation"},
			{Name: "cache_mb", Type: sdk.TypeFloat, Default: 200.0, Doc: "kernel column cache size in MiB"},
			{Name: "max_train", Type: sdk.TypeInt, Default: int64(10000), Doc: "fit on a seeded subsample of this many points when there are more (Goix's cap); -1 = no cap"},
			{Name: "max_iter", Type: sdk.TypeInt, Default: int64(0), Doc: "cap on SMO iterations; 0 = unlimited"},
		},
	}
}

func (detector) Fit(ctx context.Context, req *sdk.DetectorFit) ([]byte, error) {
	// 0 would silently mean the library's default while the cell records 0.
	if nu := req.Params.Float("nu"); !(nu > 0 && nu <= 1) {
		return nil, sdk.Invalidf("nu = %v: must be in (0, 1]", nu)
	}
	gamma := 0.0
	if g := req.Params.String("gamma"); g != "scale" {
		v, err := strconv.ParseFloat(g, 64)
		if err != nil || !(v > 0) {
			return nil, fmt.Errorf("%w: gamma %q is neither \"scale\" nor a positive number", sdk.ErrInvalidInput, g)
		}
		gamma = v
	}
	m, err := ocsvm.Fit(ctx, req.X.Float64(), req.X.Rows, req.X.Cols, ocsvm.Options{
		Gamma:    gamma,
		Nu:       req.Params.Float("nu"),
		Tol:      req.Params.Float("tol"),
		CacheMB:  req.Params.Float("cache_mb"),
		MaxTrain: req.Params.Int("max_train"),
		MaxIter:  req.Params.Int("max_iter"),
		Seed:     uint64(req.Seed),
	})
	if err != nil {
		return nil, sdk.Invalid(err)
	}
	if !m.Converged() {
		sdk.Logger(ctx).Warn("SMO stopped at max_iter before converging", "iterations", m.Iterations())
	}
	sdk.Logger(ctx).Info("fitted", "support_vectors", m.NSupport(), "gamma", m.Gamma(), "rho", m.Rho())
	return m.MarshalBinary()
}

func (detector) Score(ctx context.Context, req *sdk.ScoreRequest) ([]float64, error) {
	var m ocsvm.Model
	if err := m.UnmarshalBinary(req.Model); err != nil {
		return nil, err
	}
	if req.X.Cols != m.Dim() {
		return nil, sdk.Invalidf("model fitted on %d features, got %d", m.Dim(), req.X.Cols)
	}
	return m.DecisionContext(ctx, req.X.Float64(), req.X.Rows)
}

func main() { serve.Detector(detector{}) }
