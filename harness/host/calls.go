package host

import (
	"context"
	"fmt"

	"github.com/latentbench/latentbench/internal/wire"
	lbv1 "github.com/latentbench/latentbench/proto/latentbench/v1"
	"github.com/latentbench/latentbench/sdk"
)

// EncoderClient drives an encoder plugin process through the SDK's own
// interface: it is an sdk.Encoder, so code written against sdk.Encoder runs a
// plugin in-process (its Go value) or out-of-process (this client) alike.
// Its answers are checked: a wrong shape or a non-finite value is an
// ErrMalformedOutput error.
type EncoderClient struct{ s *Session }

// DetectorClient drives a detector plugin process as an sdk.Detector (and an
// sdk.DetectorWithProgress). Scores are checked for count and finiteness.
type DetectorClient struct{ s *Session }

var (
	_ sdk.Encoder              = (*EncoderClient)(nil)
	_ sdk.DetectorWithProgress = (*DetectorClient)(nil)
)

// Encoder returns the session as an sdk.Encoder, or nil for a detector.
func (s *Session) Encoder() *EncoderClient {
	if s.enc == nil {
		return nil
	}
	return &EncoderClient{s}
}

// Detector returns the session as an sdk.Detector, or nil for an encoder.
func (s *Session) Detector() *DetectorClient {
	if s.det == nil {
		return nil
	}
	return &DetectorClient{s}
}

// Describe returns what the plugin said of itself when it started.
func (c *EncoderClient) Describe() sdk.Description { return *c.s.desc }

// Describe returns what the plugin said of itself when it started.
func (c *DetectorClient) Describe() sdk.Description { return *c.s.desc }

func makeCall(params sdk.Params, seed int64) (*lbv1.Call, error) {
	wp, err := wire.ToWireParams(params)
	if err != nil {
		return nil, err
	}
	return &lbv1.Call{Params: wp, Seed: seed}, nil
}

// Fit trains the encoder and returns its model blob. progress, if not nil,
// sees each progress report.
func (c *EncoderClient) Fit(ctx context.Context, req *sdk.EncoderFit, progress func(sdk.Progress)) ([]byte, error) {
	s := c.s
	call, err := makeCall(req.Params, req.Seed)
	if err != nil {
		return nil, s.fail(ctx, "fit", err)
	}
	call.NumClasses = int64(req.NumClasses)
	call.Features = wire.ToWireFeatures(req.Features)
	arrays := []namedArray{{wire.ArrayX, wire.MatrixArray(req.X)}}
	if req.Labels != nil {
		arrays = append(arrays, namedArray{wire.ArrayLabels, wire.Int32s(req.Labels)})
	}
	stream, err := s.enc.Fit(ctx)
	if err != nil {
		return nil, s.fail(ctx, "fit", err)
	}
	msg, err := s.call(stream, call, arrays, progressFunc(progress))
	if err != nil {
		return nil, s.fail(ctx, "fit", err)
	}
	return s.model(msg, "fit")
}

// Encode maps req.X to latent points with a fitted model.
func (c *EncoderClient) Encode(ctx context.Context, req *sdk.EncodeRequest) (sdk.Matrix, error) {
	s, x := c.s, req.X
	call, err := makeCall(req.Params, 0)
	if err != nil {
		return sdk.Matrix{}, s.fail(ctx, "encode", err)
	}
	stream, err := s.enc.Encode(ctx)
	if err != nil {
		return sdk.Matrix{}, s.fail(ctx, "encode", err)
	}
	msg, err := s.call(stream, call, []namedArray{{wire.ArrayModel, wire.Bytes(req.Model)}, {wire.ArrayX, wire.MatrixArray(x)}}, nil)
	if err != nil {
		return sdk.Matrix{}, s.fail(ctx, "encode", err)
	}
	a, err := msg.Array(wire.ArrayZ)
	if err != nil {
		return sdk.Matrix{}, s.wrap("encode", fmt.Errorf("%w: %w", ErrMalformedOutput, err))
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
		return sdk.Matrix{}, s.wrap("encode", fmt.Errorf("%w: %w", ErrMalformedOutput, err))
	}
	return z, nil
}

// Fit trains the detector on req.X (and group ids, for detectors that use
// them) and returns its model blob.
func (c *DetectorClient) Fit(ctx context.Context, req *sdk.DetectorFit) ([]byte, error) {
	return c.FitWithProgress(ctx, req, nil)
}

// FitWithProgress is Fit showing the plugin's progress reports to progress
// (which may be nil). A plugin that does not report progress sends none.
func (c *DetectorClient) FitWithProgress(ctx context.Context, req *sdk.DetectorFit, progress func(sdk.Progress)) ([]byte, error) {
	s := c.s
	call, err := makeCall(req.Params, req.Seed)
	if err != nil {
		return nil, s.fail(ctx, "fit", err)
	}
	arrays := []namedArray{{wire.ArrayX, wire.MatrixArray(req.X)}}
	if req.Groups != nil {
		arrays = append(arrays, namedArray{wire.ArrayGroups, wire.Int32s(req.Groups)})
	}
	stream, err := s.det.Fit(ctx)
	if err != nil {
		return nil, s.fail(ctx, "fit", err)
	}
	msg, err := s.call(stream, call, arrays, progressFunc(progress))
	if err != nil {
		return nil, s.fail(ctx, "fit", err)
	}
	return s.model(msg, "fit")
}

// Score returns the normality scores of req.X (higher = more normal).
func (c *DetectorClient) Score(ctx context.Context, req *sdk.ScoreRequest) ([]float64, error) {
	s := c.s
	call, err := makeCall(req.Params, 0)
	if err != nil {
		return nil, s.fail(ctx, "score", err)
	}
	arrays := []namedArray{{wire.ArrayModel, wire.Bytes(req.Model)}, {wire.ArrayX, wire.MatrixArray(req.X)}}
	if req.Groups != nil {
		arrays = append(arrays, namedArray{wire.ArrayGroups, wire.Int32s(req.Groups)})
	}
	stream, err := s.det.Score(ctx)
	if err != nil {
		return nil, s.fail(ctx, "score", err)
	}
	msg, err := s.call(stream, call, arrays, nil)
	if err != nil {
		return nil, s.fail(ctx, "score", err)
	}
	a, err := msg.Array(wire.ArrayScores)
	var scores []float64
	if err == nil {
		scores, err = a.Float64Column()
	}
	if err == nil && len(scores) != req.X.Rows {
		err = fmt.Errorf("%d scores for %d points", len(scores), req.X.Rows)
	}
	if err == nil {
		err = sdk.NewMatrix64(len(scores), 1, scores).Check()
	}
	if err != nil {
		return nil, s.wrap("score", fmt.Errorf("%w: %w", ErrMalformedOutput, err))
	}
	return scores, nil
}

func (s *Session) model(msg *wire.Message, op string) ([]byte, error) {
	a, err := msg.Array(wire.ArrayModel)
	var b []byte
	if err == nil {
		b, err = a.RawBytes()
	}
	if err != nil {
		return nil, s.wrap(op, fmt.Errorf("%w: %w", ErrMalformedOutput, err))
	}
	return b, nil
}

func progressFunc(f func(sdk.Progress)) func(*lbv1.Progress) {
	if f == nil {
		return nil
	}
	return func(p *lbv1.Progress) { f(wire.FromWireProgress(p)) }
}
