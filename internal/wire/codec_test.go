package wire

import (
	"bytes"
	"testing"

	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"

	lbv1 "github.com/latentbench/latentbench/proto/latentbench/v1"
)

// The codec's wire bytes are protobuf's, and it reads back what protobuf
// writes, however gRPC splits the received bytes into buffers.
func TestFrameCodecIsProtobuf(t *testing.T) {
	c := newFrameCodec()
	big := make([]byte, 300000)
	for i := range big {
		big[i] = byte(i * 7)
	}
	frames := []*lbv1.Frame{
		{Kind: &lbv1.Frame_Chunk{Chunk: big}},
		{Kind: &lbv1.Frame_Chunk{Chunk: []byte{1, 2, 3}}},
		{Kind: &lbv1.Frame_Chunk{Chunk: []byte{}}},
		{Kind: &lbv1.Frame_Header{Header: &lbv1.ArrayHeader{Name: "x", Rows: 3, Cols: 2, Dtype: lbv1.DType_DTYPE_FLOAT32}}},
		{Kind: &lbv1.Frame_Call{Call: &lbv1.Call{Seed: 9}}},
	}
	for i, f := range frames {
		want, err := proto.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Materialize(), want) {
			t.Errorf("frame %d: codec bytes differ from protobuf's", i)
		}
		for _, split := range []int{1, 2, 5, 1000, len(want)} {
			var bufs mem.BufferSlice
			for off := 0; off < len(want); off += split {
				bufs = append(bufs, mem.SliceBuffer(want[off:min(off+split, len(want))]))
			}
			var back lbv1.Frame
			if err := c.Unmarshal(bufs, &back); err != nil {
				t.Fatalf("frame %d split %d: %v", i, split, err)
			}
			if !proto.Equal(&back, f) {
				t.Errorf("frame %d split %d: read back a different frame", i, split)
			}
		}
	}
	// A chunk whose length prefix lies is protobuf's to reject.
	bad := mem.BufferSlice{mem.SliceBuffer([]byte{chunkTag, 10, 1, 2})}
	var f lbv1.Frame
	if err := c.Unmarshal(bad, &f); err == nil {
		t.Error("truncated chunk accepted")
	}
}
