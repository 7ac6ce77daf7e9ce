// Package sdk holds what a latentbench plugin author programs against: the
// Encoder and Detector interfaces, their requests, matrices, parameter
// schemas and resolved parameters, progress reports and the invalid-input
// error. It links no gRPC and no go-plugin, so algorithm libraries and the
// harness's data code can use its types freely.
//
// Serving a plugin is one call in package sdk/serve:
//
//	func main() { serve.Detector(myDetector{}) }
//
// The host (harness/host) drives a plugin process through the same
// interfaces, so tests and tools can run a plugin in-process or
// out-of-process alike.
//
// # A contract that can grow
//
// Encoder and Detector are contract version 1 and never change. A new
// capability arrives as an optional interface that a plugin may also
// implement, checked by type assertion as database/sql/driver does
// (DetectorWithProgress is the first). On the wire such a capability is an
// additive change to plugin.proto: a new field (old peers ignore it) or a new
// RPC (old plugins answer Unimplemented, and the host falls back to the v1
// behaviour). Only a change an old peer cannot ignore makes contract version
// 2: a new proto package latentbench.v2 beside v1, a ContractVersion of 2
// negotiated by go-plugin's versioned plugin sets, with the host serving both
// so that v1 plugins keep working unchanged.
package sdk

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/go-hclog"
)

// ContractVersion is the plugin contract version this SDK speaks. go-plugin
// negotiates it as the application protocol version, so a host and plugins
// speaking a later contract can coexist with this one.
const ContractVersion = 1

// Encoder is implemented by an encoder plugin.
type Encoder interface {
	// Describe says what the plugin is; Kind is set to KindEncoder by the SDK.
	Describe() Description
	// Fit trains a model and returns it as an opaque blob that Encode accepts.
	// progress may be called once per epoch.
	Fit(ctx context.Context, req *EncoderFit, progress func(Progress)) ([]byte, error)
	// Encode maps the rows of X to latent points (one row each).
	Encode(ctx context.Context, req *EncodeRequest) (Matrix, error)
}

// Detector is implemented by a detector plugin.
type Detector interface {
	// Describe says what the plugin is; Kind is set to KindDetector by the SDK.
	Describe() Description
	// Fit trains a model and returns it as an opaque blob that Score accepts.
	Fit(ctx context.Context, req *DetectorFit) ([]byte, error)
	// Score returns one normality score per row of X: higher = more normal.
	Score(ctx context.Context, req *ScoreRequest) ([]float64, error)
}

// DetectorWithProgress is a Detector that reports progress while it fits.
// When a detector implements it, the SDK calls FitWithProgress instead of
// Fit, and the host shows the reports (an iteration count, a loss).
type DetectorWithProgress interface {
	Detector
	// FitWithProgress is Fit with a progress callback, which may be called
	// any number of times (never concurrently).
	FitWithProgress(ctx context.Context, req *DetectorFit, progress func(Progress)) ([]byte, error)
}

// FitDetector fits d, through FitWithProgress when d implements
// DetectorWithProgress and progress is not nil.
func FitDetector(ctx context.Context, d Detector, req *DetectorFit, progress func(Progress)) ([]byte, error) {
	if p, ok := d.(DetectorWithProgress); ok && progress != nil {
		return p.FitWithProgress(ctx, req, progress)
	}
	return d.Fit(ctx, req)
}

// EncoderFit is the input of Encoder.Fit.
type EncoderFit struct {
	X Matrix
	// Labels holds a class index per row in [0, NumClasses), or is nil when the
	// data set has no label column.
	Labels     []int32
	NumClasses int
	// Features says how the columns of X were made (may be empty).
	Features []FeatureBlock
	Params   Params
	Seed     int64
}

// EncodeRequest is the input of Encoder.Encode.
type EncodeRequest struct {
	Model  []byte
	X      Matrix
	Params Params
}

// DetectorFit is the input of Detector.Fit.
type DetectorFit struct {
	X Matrix
	// Groups holds a cluster id per row for detectors that declare UsesGroups.
	Groups []int32
	Params Params
	Seed   int64
}

// ScoreRequest is the input of Detector.Score.
type ScoreRequest struct {
	Model  []byte
	X      Matrix
	Groups []int32
	Params Params
}

// Progress is one training progress report.
type Progress struct {
	Epoch, Epochs int
	Values        map[string]float64 // e.g. "loss", "recon", "kl"
	Message       string
}

// ErrInvalidInput marks errors caused by the data or parameters a plugin was
// given. It crosses the boundary as gRPC's InvalidArgument and comes back as
// an error that errors.Is(err, ErrInvalidInput) on the host. Wrap it with
// Invalid, or fmt.Errorf("...: %w", sdk.ErrInvalidInput).
var ErrInvalidInput = errors.New("invalid input")

// Invalid marks err as caused by the plugin's input, keeping its chain: a
// context error (a cancelled or timed-out call) is returned unchanged, so it
// is never reported as invalid input. Invalid(nil) is nil.
func Invalid(err error) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, ErrInvalidInput) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrInvalidInput, err)
}

// Invalidf is fmt.Errorf for an invalid-input error.
func Invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %w", ErrInvalidInput, fmt.Errorf(format, args...))
}

type loggerKey struct{}

// WithLogger returns ctx carrying the plugin's logger (the SDK's serving
// code does this for every call).
func WithLogger(ctx context.Context, l hclog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, l)
}

// Logger returns the plugin's logger (hclog to stderr, shown by the host), or
// a logger that discards everything when ctx carries none (a plugin run
// in-process by a test).
func Logger(ctx context.Context) hclog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(hclog.Logger); ok {
		return l
	}
	return hclog.NewNullLogger()
}
