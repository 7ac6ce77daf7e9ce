package host

import (
	"context"
	"fmt"

	lbv1 "github.com/latentbench/latentbench/proto/latentbench/v1"
	"github.com/latentbench/latentbench/sdk"
)

// EncoderFit is the input of FitEncoder.
type EncoderFit struct {
	X          sdk.Matrix
	Labels     []int32 // nil when the data set has none
	NumClasses int
	Features   []sdk.FeatureBlock
	Params     sdk.Params
	Seed       int64
}

func makeCall(params sdk.Params, seed int64) (*lbv1.Call, error) {
	wp, err := sdk.ToWireParams(params)
	if err != nil {
		return nil, err
	}
	return &lbv1.Call{Params: wp, Seed: seed}, nil
}

// FitEncoder trains the encoder and returns its model blob. onProgress, if
// not nil, sees each progress report.
func (s *Session) FitEncoder(ctx context.Context, req EncoderFit, onProgress func(sdk.Progress)) ([]byte, error) {
	if s.enc == nil {
		return nil, fmt.Errorf("plugin %s is not an encoder", s.name)
	}
	call, err := makeCall(req.Params, req.Seed)
	if err != nil {
		return nil, s.fail(ctx, "fit", err)
	}
	call.NumClasses = int64(req.NumClasses)
	call.Features = sdk.ToWireFeatures(req.Features)
	arrays := []namedArray{{"x", sdk.MatrixArray(req.X)}}
	if req.Labels != nil {
		arrays = append(arrays, namedArray{"labels", sdk.Int32s(req.Labels)})
	}
	stream, err := s.enc.Fit(ctx)
	if err != nil {
		return nil, s.fail(ctx, "fit", err)
	}
	msg, err := s.call(stream, call, arrays, progressFunc(onProgress))
	if err != nil {
		return nil, s.fail(ctx, "fit", err)
	}
	return s.model(msg, "fit")
}

// Encode maps x to latent points with a fitted model.
func (s *Session) Encode(ctx context.Context, model []byte, x sdk.Matrix, params sdk.Params) (sdk.Matrix, error) {
	if s.enc == nil {
		return sdk.Matrix{}, fmt.Errorf("plugin %s is not an encoder", s.name)
	}
	call, err := makeCall(params, 0)
	if err != nil {
		return sdk.Matrix{}, s.fail(ctx, "encode", err)
	}
	stream, err := s.enc.Encode(ctx)
	if err != nil {
		return sdk.Matrix{}, s.fail(ctx, "encode", err)
	}
	msg, err := s.call(stream, call, []namedArray{{"model", sdk.Bytes(model)}, {"x", sdk.MatrixArray(x)}}, nil)
	if err != nil {
		return sdk.Matrix{}, s.fail(ctx, "encode", err)
	}
	a, err := msg.Array("z")
	if err != nil {
		return sdk.Matrix{}, s.wrap("encode", fmt.Errorf("%w: %v", ErrMalformedOutput, err))
	}
	z, err := a.Matrix()
	if err == nil && z.Rows != x.Rows {
		err = fmt.Errorf("%d latent rows for %d input rows", z.Rows, x.Rows)
	}
	if err == nil && z.Cols < 1 {
		err = fmt.Errorf("latent dimension %d", z.Cols)
	}
	if err == nil {
		err = z.Check()
	}
	if err != nil {
		return sdk.Matrix{}, s.wrap("encode", fmt.Errorf("%w: %v", ErrMalformedOutput, err))
	}
	return z, nil
}

// FitDetector trains the detector on x (and group ids, for detectors that use
// them) and returns its model blob.
func (s *Session) FitDetector(ctx context.Context, x sdk.Matrix, groups []int32, params sdk.Params, seed int64) ([]byte, error) {
	if s.det == nil {
		return nil, fmt.Errorf("plugin %s is not a detector", s.name)
	}
	call, err := makeCall(params, seed)
	if err != nil {
		return nil, s.fail(ctx, "fit", err)
	}
	arrays := []namedArray{{"x", sdk.MatrixArray(x)}}
	if groups != nil {
		arrays = append(arrays, namedArray{"groups", sdk.Int32s(groups)})
	}
	stream, err := s.det.Fit(ctx)
	if err != nil {
		return nil, s.fail(ctx, "fit", err)
	}
	msg, err := s.call(stream, call, arrays, nil)
	if err != nil {
		return nil, s.fail(ctx, "fit", err)
	}
	return s.model(msg, "fit")
}

// Score returns the normality scores of x (higher = more normal).
func (s *Session) Score(ctx context.Context, model []byte, x sdk.Matrix, groups []int32, params sdk.Params) ([]float64, error) {
	if s.det == nil {
		return nil, fmt.Errorf("plugin %s is not a detector", s.name)
	}
	call, err := makeCall(params, 0)
	if err != nil {
		return nil, s.fail(ctx, "score", err)
	}
	arrays := []namedArray{{"model", sdk.Bytes(model)}, {"x", sdk.MatrixArray(x)}}
	if groups != nil {
		arrays = append(arrays, namedArray{"groups", sdk.Int32s(groups)})
	}
	stream, err := s.det.Score(ctx)
	if err != nil {
		return nil, s.fail(ctx, "score", err)
	}
	msg, err := s.call(stream, call, arrays, nil)
	if err != nil {
		return nil, s.fail(ctx, "score", err)
	}
	a, err := msg.Array("scores")
	var scores []float64
	if err == nil {
		scores, err = a.Float64Column()
	}
	if err == nil && len(scores) != x.Rows {
		err = fmt.Errorf("%d scores for %d points", len(scores), x.Rows)
	}
	if err == nil {
		err = sdk.NewMatrix64(len(scores), 1, scores).Check()
	}
	if err != nil {
		return nil, s.wrap("score", fmt.Errorf("%w: %v", ErrMalformedOutput, err))
	}
	return scores, nil
}

func (s *Session) model(msg *sdk.Message, op string) ([]byte, error) {
	a, err := msg.Array("model")
	var b []byte
	if err == nil {
		b, err = a.RawBytes()
	}
	if err != nil {
		return nil, s.wrap(op, fmt.Errorf("%w: %v", ErrMalformedOutput, err))
	}
	return b, nil
}

func progressFunc(f func(sdk.Progress)) func(*lbv1.Progress) {
	if f == nil {
		return nil
	}
	return func(p *lbv1.Progress) {
		f(sdk.Progress{Epoch: int(p.GetEpoch()), Epochs: int(p.GetEpochs()), Values: p.GetValues(), Message: p.GetMessage()})
	}
}
