// Package wire is the latentbench plugin contract as it crosses the process
// boundary (proto/latentbench/v1/plugin.proto): the go-plugin handshake, the
// gRPC transport options and codec, the framing of arrays into chunks, the
// names of the arrays each call carries and the conversion between the SDK's
// types and their protobuf form. The plugin side (sdk/serve) and the host side
// (harness/host) both speak through it, so the two can never disagree; plugin
// authors never see it, and the SDK's own types (package sdk) stay free of
// gRPC.
package wire

import (
	"context"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/latentbench/latentbench/sdk"
)

// The names of the arrays in the Frame streams of contract version 1. A call
// sends its inputs under these names and the answer comes back under them;
// the proto file documents which call carries which.
const (
	// ArrayX is the input matrix of every Fit, Encode and Score call.
	ArrayX = "x"
	// ArrayLabels holds an encoder Fit's class index per row (int32, n×1).
	ArrayLabels = "labels"
	// ArrayGroups holds a group-aware detector's cluster id per row.
	ArrayGroups = "groups"
	// ArrayModel is the opaque model blob: a Fit's answer, an input of
	// Encode and Score.
	ArrayModel = "model"
	// ArrayZ is Encode's answer, the latent points.
	ArrayZ = "z"
	// ArrayScores is Score's answer, one normality score per row.
	ArrayScores = "scores"
	// ArrayEval holds the points every job of a FitScore call scores.
	ArrayEval = "eval"
	// ArrayCols holds a FitScore call's column indices, one row per job
	// (int32, jobs×k).
	ArrayCols = "cols"
	// ArrayExtra holds the further points of each FitScore job, stacked
	// (float64, jobs·u×k).
	ArrayExtra = "extra"
)

// TrailerCompute is the gRPC trailing metadata key in which the SDKs report
// the seconds a plugin's own code ran during a call (a decimal number).
const TrailerCompute = "latentbench-compute-seconds"

// Handshake returns the go-plugin handshake shared by host and plugins. The
// magic cookie only guards against running a plugin by hand; it is no security.
func Handshake() plugin.HandshakeConfig {
	return plugin.HandshakeConfig{
		ProtocolVersion:  sdk.ContractVersion,
		MagicCookieKey:   "LATENTBENCH_PLUGIN",
		MagicCookieValue: "6c6174656e7462656e63682d706c7567696e",
	}
}

// ServerOptions are the gRPC server options of the plugin side: the frame
// codec, and large flow-control windows and buffers so that chunked arrays
// stream at memory speed over the local socket.
func ServerOptions() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.ForceServerCodecV2(newFrameCodec()),
		grpc.InitialWindowSize(windowSize),
		grpc.InitialConnWindowSize(windowSize),
		grpc.WriteBufferSize(bufferSize),
		grpc.ReadBufferSize(bufferSize),
	}
}

// DialOptions are the matching client options of the host side.
func DialOptions() []grpc.DialOption {
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

// Plugin adapts one service of the contract to go-plugin. On the plugin side
// Register registers the service's implementation; on the host side Register
// is nil and Dispense returns the generated gRPC client (lbv1.EncoderClient or
// lbv1.DetectorClient) that NewClient makes for the connection.
type Plugin struct {
	plugin.NetRPCUnsupportedPlugin
	Register  func(*grpc.Server)
	NewClient func(grpc.ClientConnInterface) any
}

// GRPCServer registers the service.
func (p *Plugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	p.Register(s)
	return nil
}

// GRPCClient returns the service's client.
func (p *Plugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return p.NewClient(c), nil
}
