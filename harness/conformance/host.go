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

func (c hostClient) Describe(context.Context) (*sdk.Description, error) {
	return c.s.Description(), nil
}

func (c hostClient) FitEncoder(ctx context.Context, req *sdk.EncoderFit) ([]byte, error) {
	return c.s.Encoder().Fit(ctx, req, nil)
}

func (c hostClient) Encode(ctx context.Context, req *sdk.EncodeRequest) (sdk.Matrix, error) {
	return c.s.Encoder().Encode(ctx, req)
}

func (c hostClient) FitDetector(ctx context.Context, req *sdk.DetectorFit) ([]byte, error) {
	return c.s.Detector().Fit(ctx, req)
}

func (c hostClient) Score(ctx context.Context, req *sdk.ScoreRequest) ([]float64, error) {
	return c.s.Detector().Score(ctx, req)
}

func (c hostClient) FitScore(ctx context.Context, req *sdk.FitScoreRequest) ([]sdk.JobScores, error) {
	return c.s.Detector().FitScore(ctx, req)
}

func (c hostClient) FitScoreUnimplemented() bool { return c.s.Detector().FitScoreUnimplemented() }

func (c hostClient) Pid() int     { return c.s.Pid() }
func (c hostClient) Exited() bool { return c.s.Exited() }
func (c hostClient) Close()       { c.s.Close() }
