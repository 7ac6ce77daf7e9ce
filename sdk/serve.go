// Package sdk is the Go side of the latentbench plugin contract
// (proto/latentbench/v1/plugin.proto). A plugin's main is its algorithm and
// one call:
//
//	func main() { sdk.ServeDetector(myDetector{}) }
//
// The SDK does the go-plugin handshake, logs through hclog to stderr (never
// stdout, which carries the handshake), moves arrays in chunks, resolves
// parameters against the plugin's schema, turns panics into errors and maps
// errors to gRPC statuses. The host side (harness/host) uses the same framing.
package sdk

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

	lbv1 "github.com/latentbench/latentbench/proto/latentbench/v1"
)

// ContractVersion is the plugin contract version this SDK speaks. go-plugin
// negotiates it as the application protocol version, so a host and plugins
// speaking a later contract can coexist with this one.
const ContractVersion = 1

// Handshake returns the go-plugin handshake shared by host and plugins. The
// magic cookie only guards against running a plugin by hand; it is no security.
func Handshake() plugin.HandshakeConfig {
	return plugin.HandshakeConfig{
		ProtocolVersion:  ContractVersion,
		MagicCookieKey:   "LATENTBENCH_PLUGIN",
		MagicCookieValue: "6c6174656e7462656e63682d706c7567696e",
	}
}

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

type loggerKey struct{}

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

// Logger returns the plugin's logger (hclog to stderr, shown by the host).
func Logger(ctx context.Context) hclog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(hclog.Logger); ok {
		return l
	}
	return hclog.NewNullLogger()
}

// ServeEncoder serves an encoder plugin until the host stops it.
func ServeEncoder(e Encoder) {
	serve(func(log hclog.Logger, io *stdio) plugin.Plugin { return &EncoderPlugin{Impl: e, Log: log, stdio: io} }, "encoder")
}

// ServeDetector serves a detector plugin until the host stops it.
func ServeDetector(d Detector) {
	serve(func(log hclog.Logger, io *stdio) plugin.Plugin { return &DetectorPlugin{Impl: d, Log: log, stdio: io} }, "detector")
}

func serve(mk func(hclog.Logger, *stdio) plugin.Plugin, kind string) {
	if os.Getenv(Handshake().MagicCookieKey) == "" {
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
	io := &stdio{stderr: os.Stderr}
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  Handshake(),
		VersionedPlugins: map[int]plugin.PluginSet{ContractVersion: {kind: mk(log, io)}},
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			opts = append(opts, TransportServerOptions()...)
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

// TransportServerOptions are the gRPC server options of both sides: large flow
// control windows and buffers so that chunked arrays stream at memory speed
// over the local socket.
func TransportServerOptions() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.ForceServerCodecV2(newFrameCodec()),
		grpc.InitialWindowSize(windowSize),
		grpc.InitialConnWindowSize(windowSize),
		grpc.WriteBufferSize(bufferSize),
		grpc.ReadBufferSize(bufferSize),
	}
}

// TransportDialOptions are the matching client options.
func TransportDialOptions() []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(newFrameCodec())),
		grpc.WithInitialWindowSize(windowSize),
		grpc.WithInitialConnWindowSize(windowSize),
		grpc.WithWriteBufferSize(bufferSize),
		grpc.WithReadBufferSize(bufferSize),
	}
}

const (
	windowSize = 16 << 20
	bufferSize = 1 << 20
)

// EncoderPlugin adapts an Encoder to go-plugin. Impl is nil on the host side.
type EncoderPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Impl  Encoder
	Log   hclog.Logger
	stdio *stdio
}

// GRPCServer registers the encoder service.
func (p *EncoderPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	lbv1.RegisterEncoderServer(s, &encoderServer{impl: p.Impl, log: p.Log, stdio: p.stdio})
	return nil
}

// GRPCClient returns an lbv1.EncoderClient.
func (p *EncoderPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return lbv1.NewEncoderClient(c), nil
}

// DetectorPlugin adapts a Detector to go-plugin. Impl is nil on the host side.
type DetectorPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Impl  Detector
	Log   hclog.Logger
	stdio *stdio
}

// GRPCServer registers the detector service.
func (p *DetectorPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	lbv1.RegisterDetectorServer(s, &detectorServer{impl: p.Impl, log: p.Log, stdio: p.stdio})
	return nil
}

// GRPCClient returns an lbv1.DetectorClient.
func (p *DetectorPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return lbv1.NewDetectorClient(c), nil
}

type encoderServer struct {
	lbv1.UnimplementedEncoderServer
	impl  Encoder
	log   hclog.Logger
	stdio *stdio
}

func (s *encoderServer) Describe(context.Context, *lbv1.DescribeRequest) (*lbv1.Description, error) {
	return describe(s.impl.Describe(), KindEncoder)
}

func (s *encoderServer) Fit(stream lbv1.Encoder_FitServer) error {
	return handle(stream.Context(), s.log, s.stdio, "fit", func(ctx context.Context) error {
		in, params, err := receiveCall(stream, s.impl.Describe())
		if err != nil {
			return err
		}
		x, err := matrixArg(in, "x")
		if err != nil {
			return err
		}
		req := &EncoderFit{X: x, Params: params, Seed: in.Call.GetSeed(),
			NumClasses: int(in.Call.GetNumClasses()), Features: FromWireFeatures(in.Call.GetFeatures())}
		if a, ok := in.Arrays["labels"]; ok {
			if req.Labels, err = a.Int32Column(); err != nil {
				return invalid("labels: %v", err)
			}
			if len(req.Labels) != x.Rows {
				return invalid("%d labels for %d rows", len(req.Labels), x.Rows)
			}
		}
		progress := func(p Progress) {
			// A lost progress report is not worth failing the fit for; the
			// final Send reports a broken stream.
			_ = stream.Send(&lbv1.Frame{Kind: &lbv1.Frame_Progress{Progress: &lbv1.Progress{
				Epoch: int64(p.Epoch), Epochs: int64(p.Epochs), Values: p.Values, Message: p.Message}}})
		}
		model, err := s.impl.Fit(ctx, req, progress)
		if err != nil {
			return err
		}
		return SendArray(stream, "model", Bytes(model))
	})
}

func (s *encoderServer) Encode(stream lbv1.Encoder_EncodeServer) error {
	return handle(stream.Context(), s.log, s.stdio, "encode", func(ctx context.Context) error {
		in, params, err := receiveCall(stream, s.impl.Describe())
		if err != nil {
			return err
		}
		model, x, err := modelAndX(in)
		if err != nil {
			return err
		}
		z, err := s.impl.Encode(ctx, &EncodeRequest{Model: model, X: x, Params: params})
		if err != nil {
			return err
		}
		return SendArray(stream, "z", MatrixArray(z))
	})
}

type detectorServer struct {
	lbv1.UnimplementedDetectorServer
	impl  Detector
	log   hclog.Logger
	stdio *stdio
}

func (s *detectorServer) Describe(context.Context, *lbv1.DescribeRequest) (*lbv1.Description, error) {
	return describe(s.impl.Describe(), KindDetector)
}

func (s *detectorServer) Fit(stream lbv1.Detector_FitServer) error {
	return handle(stream.Context(), s.log, s.stdio, "fit", func(ctx context.Context) error {
		in, params, err := receiveCall(stream, s.impl.Describe())
		if err != nil {
			return err
		}
		x, err := matrixArg(in, "x")
		if err != nil {
			return err
		}
		groups, err := groupsArg(in, x.Rows)
		if err != nil {
			return err
		}
		model, err := s.impl.Fit(ctx, &DetectorFit{X: x, Groups: groups, Params: params, Seed: in.Call.GetSeed()})
		if err != nil {
			return err
		}
		return SendArray(stream, "model", Bytes(model))
	})
}

func (s *detectorServer) Score(stream lbv1.Detector_ScoreServer) error {
	return handle(stream.Context(), s.log, s.stdio, "score", func(ctx context.Context) error {
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
		scores, err := s.impl.Score(ctx, &ScoreRequest{Model: model, X: x, Groups: groups, Params: params})
		if err != nil {
			return err
		}
		return SendArray(stream, "scores", Float64s(scores))
	})
}

func describe(d Description, kind Kind) (*lbv1.Description, error) {
	d.Kind = kind
	d.ContractVersion = ContractVersion
	w, err := ToWireDescription(&d)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "plugin description: %v", err)
	}
	return w, nil
}

// handle runs one RPC body with the logger in its context, turning a panic
// into an error and the error into a gRPC status.
func handle(ctx context.Context, log hclog.Logger, io *stdio, op string, body func(context.Context) error) (err error) {
	io.restore()
	defer func() {
		if r := recover(); r != nil {
			log.Error("panic", "op", op, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = status.Errorf(codes.Internal, "%s: plugin panic: %v", op, r)
		}
	}()
	if err = body(context.WithValue(ctx, loggerKey{}, log)); err == nil {
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
	case errors.Is(err, ErrMalformed), errors.Is(err, ErrInvalidInput):
		return status.Error(codes.InvalidArgument, err.Error())
	}
	return status.Error(codes.Unknown, err.Error())
}

// ErrInvalidInput marks errors caused by the data or parameters a plugin was
// given (mapped to codes.InvalidArgument). Wrap it: fmt.Errorf("...: %w", sdk.ErrInvalidInput).
var ErrInvalidInput = errors.New("invalid input")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidInput, fmt.Sprintf(format, args...))
}

func receiveCall(r FrameReceiver, d Description) (*Message, Params, error) {
	in, err := ReceiveMessage(r, nil)
	if err != nil {
		return nil, nil, err
	}
	if in.Call == nil {
		return nil, nil, fmt.Errorf("%w: no Call frame", ErrMalformed)
	}
	raw, err := FromWireParams(in.Call.GetParams())
	if err != nil {
		return nil, nil, invalid("%v", err)
	}
	params, err := d.Resolve(raw)
	if err != nil {
		return nil, nil, invalid("%v", err)
	}
	return in, params, nil
}

func matrixArg(in *Message, name string) (Matrix, error) {
	a, err := in.Array(name)
	if err != nil {
		return Matrix{}, invalid("%v", err)
	}
	m, err := a.Matrix()
	if err != nil {
		return Matrix{}, invalid("%s: %v", name, err)
	}
	return m, nil
}

func modelAndX(in *Message) ([]byte, Matrix, error) {
	a, err := in.Array("model")
	if err != nil {
		return nil, Matrix{}, invalid("%v", err)
	}
	model, err := a.RawBytes()
	if err != nil {
		return nil, Matrix{}, invalid("model: %v", err)
	}
	x, err := matrixArg(in, "x")
	return model, x, err
}

func groupsArg(in *Message, rows int) ([]int32, error) {
	a, ok := in.Arrays["groups"]
	if !ok {
		return nil, nil
	}
	g, err := a.Int32Column()
	if err != nil {
		return nil, invalid("groups: %v", err)
	}
	if len(g) != rows {
		return nil, invalid("%d group ids for %d rows", len(g), rows)
	}
	return g, nil
}
