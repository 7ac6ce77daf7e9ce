package conformance

import (
	"context"
	"io"

	"github.com/latentbench/latentbench/harness/host"
	"github.com/latentbench/latentbench/sdk"
)

// HostLauncher starts plugins through the harness's host, exactly as a grid
// run does.
type HostLauncher struct {
	// Log, when set, receives every line the plugins log.
	Log io.Writer
}

// Launch starts the plugin at path.
func (l HostLauncher) Launch(ctx context.Context, path string, kind sdk.Kind) (Client, error) {
	h := host.New()
	h.Log = l.Log
	// The session outlives the call that starts it; Close ends it.
	s, err := h.Start(context.WithoutCancel(ctx), path, kind)
	if err != nil {
		return nil, err
	}
	return hostClient{s}, nil
}

// hostClient adapts a host session to Client.
type hostClient struct{ s *host.Session }

func (c hostClient) Describe(ctx context.Context) (*sdk.Description, error) { return c.s.Describe(ctx) }

func (c hostClient) FitEncoder(ctx context.Context, req *sdk.EncoderFit) ([]byte, error) {
	return c.s.FitEncoder(ctx, host.EncoderFit{X: req.X, Labels: req.Labels, NumClasses: req.NumClasses,
		Features: req.Features, Params: req.Params, Seed: req.Seed}, nil)
}

func (c hostClient) Encode(ctx context.Context, req *sdk.EncodeRequest) (sdk.Matrix, error) {
	return c.s.Encode(ctx, req.Model, req.X, req.Params)
}

func (c hostClient) FitDetector(ctx context.Context, req *sdk.DetectorFit) ([]byte, error) {
	return c.s.FitDetector(ctx, req.X, req.Groups, req.Params, req.Seed)
}

func (c hostClient) Score(ctx context.Context, req *sdk.ScoreRequest) ([]float64, error) {
	return c.s.Score(ctx, req.Model, req.X, req.Groups, req.Params)
}

func (c hostClient) Pid() int     { return c.s.Pid() }
func (c hostClient) Exited() bool { return c.s.Exited() }
func (c hostClient) Close()       { c.s.Close() }
