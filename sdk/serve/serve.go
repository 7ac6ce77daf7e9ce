// Package serve serves a latentbench plugin: a plugin's main is its
// algorithm and one call,
//
//	func main() { serve.Detector(myDetector{}) }
//
// It does the go-plugin handshake, logs through hclog to stderr (never
// stdout, which carries the handshake), moves arrays in chunks, resolves
// parameters against the plugin's schema, turns panics into errors and maps
// errors to gRPC statuses: sdk.ErrInvalidInput to InvalidArgument, context
// errors to Canceled and DeadlineExceeded. The host side (harness/host)
// speaks the same framing (internal/wire).
package serve

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sync"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/status"

	"github.com/latentbench/latentbench/internal/wire"
	lbv1 "github.com/latentbench/latentbench/proto/latentbench/v1"
	"github.com/latentbench/latentbench/sdk"
)

// Encoder serves an encoder plugin until the host stops it.
func Encoder(e sdk.Encoder) {
	run(sdk.KindEncoder, func(c *conn) func(*grpc.Server) {
		return func(s *grpc.Server) { lbv1.RegisterEncoderServer(s, &encoderServer{impl: e, conn: c}) }
	})
}

// Detector serves a detector plugin until the host stops it. A detector that
// also implements sdk.DetectorWithProgress has its progress reports sent to
// the host.
func Detector(d sdk.Detector) {
	run(sdk.KindDetector, func(c *conn) func(*grpc.Server) {
		return func(s *grpc.Server) { lbv1.RegisterDetectorServer(s, &detectorServer{impl: d, conn: c}) }
	})
}

// conn is what every call of a served plugin shares.
type conn struct {
	log   hclog.Logger
	stdio *stdio
}

// stdio remembers the process's real stderr so that it can be restored after
// go-plugin has redirected it.
type stdio struct {
	stderr *os.File
	once   sync.Once
}

func (s *stdio) restore() {
	if s == nil || s.stderr == nil {
		return
	}
	s.once.Do(func() { os.Stdout, os.Stderr = s.stderr, s.stderr })
}

func run(kind sdk.Kind, register func(*conn) func(*grpc.Server)) {
	if os.Getenv(wire.Handshake().MagicCookieKey) == "" {
		fmt.Fprintf(os.Stderr, "This is a latentbench %s plugin: the latentbench CLI runs it ("+
			"`latentbench plugins` lists the installed ones). It is not meant to be run by hand.\n", kind)
		os.Exit(1)
	}
	log := hclog.New(&hclog.LoggerOptions{Output: os.Stderr, JSONFormat: true, Level: hclog.Info})
	// go-plugin replaces os.Stdout and os.Stderr with pipes it forwards over
	// gRPC; output still in such a pipe is lost when a plugin crashes, which is
	// exactly when it matters. So once serving, the SDK points both back at the
	// real stderr (see stdio.restore): whatever a plugin prints reaches the
	// host at once, and stdout stays reserved for the handshake.
	c := &conn{log: log, stdio: &stdio{stderr: os.Stderr}}
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  wire.Handshake(),
		VersionedPlugins: map[int]plugin.PluginSet{sdk.ContractVersion: {string(kind): &wire.Plugin{Register: register(c)}}},
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			opts = append(opts, wire.ServerOptions()...)
			return grpc.NewServer(append(opts, grpc.StatsHandler(&hostWatch{exit: hostGone(log)}))...)
		},
		Logger: log,
	})
}

// hostGone is what a plugin does when its host's connection is gone: the
// host has died (or closed the session) and no one will ever call again, so
// the plugin exits rather than idle forever with ppid 1.
func hostGone(log hclog.Logger) func() {
	return func() {
		log.Info("host connection closed: exiting")
		os.Exit(0)
	}
}

// hostWatch is a gRPC stats handler that counts the server's connections and
// calls exit when the last one ends. The host opens exactly one connection
// per plugin process and never reconnects, so a count back to zero means the
// host has gone.
type hostWatch struct {
	mu    sync.Mutex
	conns int
	exit  func()
}

func (w *hostWatch) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context   { return ctx }
func (w *hostWatch) HandleRPC(context.Context, stats.RPCStats)                         {}
func (w *hostWatch) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context { return ctx }

func (w *hostWatch) HandleConn(_ context.Context, s stats.ConnStats) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch s.(type) {
	case *stats.ConnBegin:
		w.conns++
	case *stats.ConnEnd:
		w.conns--
		if w.conns == 0 {
			go w.exit()
		}
	}
}

type encoderServer struct {
	lbv1.UnimplementedEncoderServer
	impl sdk.Encoder
	*conn
}

func (s *encoderServer) Describe(context.Context, *lbv1.DescribeRequest) (*lbv1.Description, error) {
	return describe(s.impl.Describe(), sdk.KindEncoder)
}

func (s *encoderServer) Fit(stream lbv1.Encoder_FitServer) error {
	return s.handle(stream.Context(), "fit", func(ctx context.Context) error {
		in, params, err := receiveCall(stream, s.impl.Describe())
		if err != nil {
			return err
		}
		x, err := matrixArg(in, wire.ArrayX)
		if err != nil {
			return err
		}
		req := &sdk.EncoderFit{X: x, Params: params, Seed: in.Call.GetSeed(),
			NumClasses: int(in.Call.GetNumClasses()), Features: wire.FromWireFeatures(in.Call.GetFeatures())}
		if a, ok := in.Arrays[wire.ArrayLabels]; ok {
			if req.Labels, err = a.Int32Column(); err != nil {
				return sdk.Invalidf("%s: %w", wire.ArrayLabels, err)
			}
			if len(req.Labels) != x.Rows {
				return sdk.Invalidf("%d labels for %d rows", len(req.Labels), x.Rows)
			}
		}
		var t timer
		var model []byte
		t.time(func() { model, err = s.impl.Fit(ctx, req, progressSender(stream)) })
		if err != nil {
			return err
		}
		t.report(stream)
		return wire.SendArray(stream, wire.ArrayModel, wire.Bytes(model))
	})
}

func (s *encoderServer) Encode(stream lbv1.Encoder_EncodeServer) error {
	return s.handle(stream.Context(), "encode", func(ctx context.Context) error {
		in, params, err := receiveCall(stream, s.impl.Describe())
		if err != nil {
			return err
		}
		model, x, err := modelAndX(in)
		if err != nil {
			return err
		}
		var t timer
		var z sdk.Matrix
		t.time(func() { z, err = s.impl.Encode(ctx, &sdk.EncodeRequest{Model: model, X: x, Params: params}) })
		if err != nil {
			return err
		}
		t.report(stream)
		return wire.SendArray(stream, wire.ArrayZ, wire.MatrixArray(z))
	})
}

type detectorServer struct {
	lbv1.UnimplementedDetectorServer
	impl sdk.Detector
	*conn
}

func (s *detectorServer) Describe(context.Context, *lbv1.DescribeRequest) (*lbv1.Description, error) {
	return describe(s.impl.Describe(), sdk.KindDetector)
}

func (s *detectorServer) Fit(stream lbv1.Detector_FitServer) error {
	return s.handle(stream.Context(), "fit", func(ctx context.Context) error {
		in, params, err := receiveCall(stream, s.impl.Describe())
		if err != nil {
			return err
		}
		x, err := matrixArg(in, wire.ArrayX)
		if err != nil {
			return err
		}
		groups, err := groupsArg(in, x.Rows)
		if err != nil {
			return err
		}
		req := &sdk.DetectorFit{X: x, Groups: groups, Params: params, Seed: in.Call.GetSeed()}
		var t timer
		var model []byte
		t.time(func() { model, err = sdk.FitDetector(ctx, s.impl, req, progressSender(stream)) })
		if err != nil {
			return err
		}
		t.report(stream)
		return wire.SendArray(stream, wire.ArrayModel, wire.Bytes(model))
	})
}

func (s *detectorServer) Score(stream lbv1.Detector_ScoreServer) error {
	return s.handle(stream.Context(), "score", func(ctx context.Context) error {
		in, params, err := receiveCall(stream, s.impl.Describe())
		if err != nil {
			return err
		}
		model, x, err := modelAndX(in)
		if err != nil {
			return err
		}
		groups, err := groupsArg(in, x.Rows)
		if err != nil {
			return err
		}
		var t timer
		var scores []float64
		t.time(func() {
			scores, err = s.impl.Score(ctx, &sdk.ScoreRequest{Model: model, X: x, Groups: groups, Params: params})
		})
		if err != nil {
			return err
		}
		t.report(stream)
		return wire.SendArray(stream, wire.ArrayScores, wire.Float64s(scores))
	})
}

// progressSender returns the progress callback of a Fit stream.
func progressSender(stream wire.FrameSender) func(sdk.Progress) {
	return func(p sdk.Progress) {
		// A lost progress report is not worth failing the fit for; the
		// final Send reports a broken stream.
		_ = stream.Send(&lbv1.Frame{Kind: &lbv1.Frame_Progress{Progress: wire.ToWireProgress(p)}})
	}
}

func describe(d sdk.Description, kind sdk.Kind) (*lbv1.Description, error) {
	d.Kind = kind
	d.ContractVersion = sdk.ContractVersion
	w, err := wire.ToWireDescription(&d)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "plugin description: %v", err)
	}
	return w, nil
}

// handle runs one RPC body with the logger in its context, turning a panic
// into an error and the error into a gRPC status.
func (c *conn) handle(ctx context.Context, op string, body func(context.Context) error) (err error) {
	c.stdio.restore()
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("panic", "op", op, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = status.Errorf(codes.Internal, "%s: plugin panic: %v", op, r)
		}
	}()
	return Status(body(sdk.WithLogger(ctx, c.log)))
}

// Status maps a plugin's error to the gRPC status the host sees: a status
// error as it is, context.Canceled to Canceled, context.DeadlineExceeded to
// DeadlineExceeded, sdk.ErrInvalidInput to InvalidArgument, anything else to
// Unknown. The message is the error's text.
func Status(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok && status.Code(err) != codes.Unknown {
		return err
	}
	switch {
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	case errors.Is(err, sdk.ErrInvalidInput):
		return status.Error(codes.InvalidArgument, err.Error())
	}
	return status.Error(codes.Unknown, err.Error())
}

// receiveCall reads a call's stream and resolves its parameters. A stream
// that breaks the framing rules is the host's input, so it is invalid input.
func receiveCall(r wire.FrameReceiver, d sdk.Description) (*wire.Message, sdk.Params, error) {
	in, err := wire.ReceiveMessage(r, nil)
	if errors.Is(err, wire.ErrMalformed) {
		return nil, nil, sdk.Invalid(err)
	}
	if err != nil {
		return nil, nil, err
	}
	if in.Call == nil {
		return nil, nil, sdk.Invalid(fmt.Errorf("%w: no Call frame", wire.ErrMalformed))
	}
	raw, err := wire.FromWireParams(in.Call.GetParams())
	if err != nil {
		return nil, nil, sdk.Invalid(err)
	}
	params, err := d.Resolve(raw)
	if err != nil {
		return nil, nil, sdk.Invalid(err)
	}
	return in, params, nil
}

func matrixArg(in *wire.Message, name string) (sdk.Matrix, error) {
	a, err := in.Array(name)
	if err != nil {
		return sdk.Matrix{}, sdk.Invalid(err)
	}
	m, err := a.Matrix()
	if err != nil {
		return sdk.Matrix{}, sdk.Invalidf("%s: %w", name, err)
	}
	return m, nil
}

func modelAndX(in *wire.Message) ([]byte, sdk.Matrix, error) {
	a, err := in.Array(wire.ArrayModel)
	if err != nil {
		return nil, sdk.Matrix{}, sdk.Invalid(err)
	}
	model, err := a.RawBytes()
	if err != nil {
		return nil, sdk.Matrix{}, sdk.Invalidf("%s: %w", wire.ArrayModel, err)
	}
	x, err := matrixArg(in, wire.ArrayX)
	return model, x, err
}

func groupsArg(in *wire.Message, rows int) ([]int32, error) {
	a, ok := in.Arrays[wire.ArrayGroups]
	if !ok {
		return nil, nil
	}
	g, err := a.Int32Column()
	if err != nil {
		return nil, sdk.Invalidf("%s: %w", wire.ArrayGroups, err)
	}
	if len(g) != rows {
		return nil, sdk.Invalidf("%d group ids for %d rows", len(g), rows)
	}
	return g, nil
}
