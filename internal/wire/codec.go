package wire

import (
	"encoding/binary"
	"errors"

	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"

	lbv1 "github.com/latentbench/latentbench/proto/latentbench/v1"
)

// frameCodec is the gRPC codec of both sides of the boundary. It is the
// protobuf codec, byte for byte on the wire, with a fast path for the Frame
// messages that carry array chunks: marshalling one references the chunk's
// bytes instead of copying them, and unmarshalling one copies the bytes once,
// straight from gRPC's receive buffers. Chunks are nearly all of the traffic,
// so this removes a copy of every array on each side.
type frameCodec struct{ proto encoding.CodecV2 }

// chunkTag is the protobuf key of Frame.chunk: field 3, wire type 2 (bytes).
const chunkTag = 3<<3 | 2

func newFrameCodec() encoding.CodecV2 {
	return frameCodec{proto: encoding.GetCodecV2("proto")}
}

func (c frameCodec) Name() string { return "proto" }

func (c frameCodec) Marshal(v any) (mem.BufferSlice, error) {
	f, ok := v.(*lbv1.Frame)
	if !ok {
		return c.proto.Marshal(v)
	}
	ch, ok := f.Kind.(*lbv1.Frame_Chunk)
	if !ok {
		return c.proto.Marshal(v)
	}
	head := binary.AppendUvarint([]byte{chunkTag}, uint64(len(ch.Chunk)))
	// The chunk aliases the array being sent, which the caller does not
	// change while the call is in flight.
	return mem.BufferSlice{mem.SliceBuffer(head), mem.SliceBuffer(ch.Chunk)}, nil
}

func (c frameCodec) Unmarshal(data mem.BufferSlice, v any) error {
	f, ok := v.(*lbv1.Frame)
	if !ok || len(data) == 0 {
		return c.proto.Unmarshal(data, v)
	}
	first := data[0].ReadOnlyData()
	if len(first) < 2 || first[0] != chunkTag {
		return c.proto.Unmarshal(data, v)
	}
	n, k := binary.Uvarint(first[1:])
	if k <= 0 || uint64(data.Len()) != 1+uint64(k)+n {
		// Not a lone chunk field (or a malformed one): let protobuf judge.
		return c.proto.Unmarshal(data, v)
	}
	chunk := make([]byte, n)
	skip := 1 + k
	off := 0
	for _, b := range data {
		p := b.ReadOnlyData()
		if skip >= len(p) {
			skip -= len(p)
			continue
		}
		off += copy(chunk[off:], p[skip:])
		skip = 0
	}
	if off != len(chunk) {
		return errors.New("frame codec: short chunk")
	}
	proto.Reset(f)
	f.Kind = &lbv1.Frame_Chunk{Chunk: chunk}
	return nil
}
