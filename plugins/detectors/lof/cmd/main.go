// Command latentbench-detector-lof serves the Local Outlier Factor detector.
//
// Scoring the very matrix the model was fitted on returns scikit-learn's
// negative_outlier_factor_ (each point's neighbours exclude itself, the
// fit_predict semantics of the paper's unsupervised setting, fit_on = "test");
// any other matrix is scored in novelty mode (score_samples), as EM/MV's
// uniform points and fit_on = "train" need.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"unsafe"

	"github.com/latentbench/latentbench/plugins/detectors/lof"
	"github.com/latentbench/latentbench/sdk"
	"github.com/latentbench/latentbench/sdk/serve"
)

type detector struct{}

var algorithms = map[string]lof.Algorithm{"auto": lof.Auto, "kd_tree": lof.KDTree, "brute": lof.Brute}

func (detector) Describe() sdk.Description {
	return sdk.Description{
		Name:    "lof",
		Version: "1.0.0",
		Doc:     "Local Outlier Factor (Breunig et al. 2000); scores = −LOF as scikit-learn (novelty mode for new points).",
		Params: []sdk.ParamSpec{
			{Name: "n_neighbors", Type: sdk.TypeInt, Default: int64(20), Doc: "neighbourhood size k (clamped to n−1)"},
			{Name: "leaf_size", Type: sdk.TypeInt, Default: int64(30), Doc: "k-d tree leaf size"},
			{Name: "algorithm", Type: sdk.TypeString, Default: "auto", Doc: "neighbour search",
				Choices: []string{"auto", "kd_tree", "brute"}},
		},
		SeedIndependent: []string{sdk.StageFit}, // no randomness
	}
}

// digest identifies a matrix by its values.
func digest(x []float64) [32]byte {
	if len(x) == 0 {
		return sha256.Sum256(nil)
	}
	return sha256.Sum256(unsafe.Slice((*byte)(unsafe.Pointer(&x[0])), 8*len(x)))
}

func (detector) Fit(ctx context.Context, req *sdk.DetectorFit) ([]byte, error) {
	for _, name := range []string{"n_neighbors", "leaf_size"} {
		// 0 would silently mean the library's default while the cell records 0.
		if v := req.Params.Int(name); v < 1 {
			return nil, sdk.Invalidf("%s = %d: must be at least 1", name, v)
		}
	}
	x := req.X.Float64()
	m, err := lof.Fit(ctx, x, req.X.Rows, req.X.Cols, lof.Options{
		NNeighbors: req.Params.Int("n_neighbors"),
		LeafSize:   req.Params.Int("leaf_size"),
		Algorithm:  algorithms[req.Params.String("algorithm")],
	})
	if err != nil {
		return nil, sdk.Invalid(err)
	}
	for _, w := range m.Warnings() {
		sdk.Logger(ctx).Warn(w)
	}
	blob, err := m.MarshalBinary()
	if err != nil {
		return nil, err
	}
	d := digest(x)
	return append(d[:], blob...), nil
}

func (detector) Score(ctx context.Context, req *sdk.ScoreRequest) ([]float64, error) {
	if len(req.Model) < sha256.Size {
		return nil, sdk.Invalidf("lof model too short")
	}
	var m lof.Model
	if err := m.UnmarshalBinary(req.Model[sha256.Size:]); err != nil {
		return nil, err
	}
	if req.X.Cols != m.Dim() {
		return nil, sdk.Invalidf("model fitted on %d features, got %d", m.Dim(), req.X.Cols)
	}
	x := req.X.Float64()
	if d := digest(x); req.X.Rows == m.N() && bytes.Equal(d[:], req.Model[:sha256.Size]) {
		return m.TrainScores(), nil
	}
	return m.ScoreContext(ctx, x, req.X.Rows)
}

func main() { serve.Detector(detector{}) }
