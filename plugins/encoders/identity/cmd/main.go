// Command latentbench-encoder-identity serves the identity encoder: the
// latent space is the (optionally re-standardised) input.
package main

import (
	"context"

	"github.com/latentbench/latentbench/plugins/encoders/identity"
	"github.com/latentbench/latentbench/sdk"
	"github.com/latentbench/latentbench/sdk/serve"
)

type encoder struct{}

func (encoder) Describe() sdk.Description {
	return sdk.Description{
		Name:    "identity",
		Version: "1.0.0",
		Doc:     "The input features as the latent space, for detectors on already meaningful features (ADBench).",
		Params: []sdk.ParamSpec{
			{Name: "standardize", Type: sdk.TypeBool, Default: false,
				Doc: "re-standardise columns with the training split's mean and std (csv/npz data already are)"},
		},
		SeedIndependent: []string{sdk.StageFit}, // no randomness
	}
}

func (encoder) Fit(_ context.Context, req *sdk.EncoderFit, _ func(sdk.Progress)) ([]byte, error) {
	m, err := identity.Fit(req.X.Float64(), req.X.Rows, req.X.Cols, req.Params.Bool("standardize"))
	if err != nil {
		return nil, err
	}
	return m.MarshalBinary()
}

func (encoder) Encode(_ context.Context, req *sdk.EncodeRequest) (sdk.Matrix, error) {
	var m identity.Model
	if err := m.UnmarshalBinary(req.Model); err != nil {
		return sdk.Matrix{}, err
	}
	z, err := m.Encode(req.X.Float64(), req.X.Rows, req.X.Cols)
	if err != nil {
		return sdk.Matrix{}, err
	}
	return sdk.NewMatrix64(req.X.Rows, req.X.Cols, z), nil
}

func main() { serve.Encoder(encoder{}) }
