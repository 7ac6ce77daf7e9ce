// Command latentbench-encoder-pca serves the pca encoder plugin.
package main

import (
	"context"
	"fmt"

	"github.com/latentbench/latentbench/plugins/encoders/pca"
	"github.com/latentbench/latentbench/sdk"
	"github.com/latentbench/latentbench/sdk/serve"
)

type encoder struct{}

func (encoder) Describe() sdk.Description {
	return sdk.Description{
		Name:    "pca",
		Version: "1.0.0",
		Doc:     "Principal component analysis (covariance eigenvectors, equal to gonum stat.PC): the linear baseline.",
		Params: []sdk.ParamSpec{
			{Name: "latent_dim", Type: sdk.TypeInt, Default: int64(2), Doc: "number of principal components kept"},
		},
		SeedIndependent: []string{sdk.StageFit}, // no randomness
	}
}

func (encoder) Fit(ctx context.Context, req *sdk.EncoderFit, progress func(sdk.Progress)) ([]byte, error) {
	m, err := pca.Fit(req.X.Float64(), req.X.Rows, req.X.Cols, req.Params.Int("latent_dim"))
	if err != nil {
		// pca.Fit fails only on its input: the shape, the values or latent_dim.
		return nil, fmt.Errorf("%w: %w", sdk.ErrInvalidInput, err)
	}
	sdk.Logger(ctx).Info("fitted", "rows", req.X.Rows, "cols", req.X.Cols, "variances", m.Variances)
	return m.MarshalBinary()
}

func (encoder) Encode(_ context.Context, req *sdk.EncodeRequest) (sdk.Matrix, error) {
	var m pca.Model
	if err := m.UnmarshalBinary(req.Model); err != nil {
		return sdk.Matrix{}, err
	}
	z, err := m.Encode(req.X.Float64(), req.X.Rows)
	if err != nil {
		return sdk.Matrix{}, err
	}
	return sdk.NewMatrix64(req.X.Rows, len(m.Variances), z), nil
}

func main() { serve.Encoder(encoder{}) }
