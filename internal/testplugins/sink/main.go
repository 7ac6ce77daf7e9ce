// Command sink is an encoder plugin that does no work: Encode returns the
// first two columns of its input. It measures the cost of the plugin boundary.
package main

import (
	"context"

	"github.com/latentbench/latentbench/sdk"
	"github.com/latentbench/latentbench/sdk/serve"
)

type encoder struct{}

func (encoder) Describe() sdk.Description {
	return sdk.Description{Name: "sink", Version: "0.0.1", Doc: "returns the first two input columns"}
}

func (encoder) Fit(context.Context, *sdk.EncoderFit, func(sdk.Progress)) ([]byte, error) {
	return []byte{}, nil
}

func (encoder) Encode(_ context.Context, req *sdk.EncodeRequest) (sdk.Matrix, error) {
	n, d := req.X.Rows, req.X.Cols
	x := req.X.Float32()
	z := make([]float32, 2*n)
	for i := 0; i < n; i++ {
		z[2*i], z[2*i+1] = x[i*d], x[i*d+1]
	}
	return sdk.NewMatrix32(n, 2, z), nil
}

func main() { serve.Encoder(encoder{}) }
