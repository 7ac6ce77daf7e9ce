package wire

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/latentbench/latentbench/sdk"

	lbv1 "github.com/latentbench/latentbench/proto/latentbench/v1"
)

// pipe is an in-memory frame stream.
type pipe struct{ frames []*lbv1.Frame }

func (p *pipe) Send(f *lbv1.Frame) error {
	// Copy the chunk: senders reuse their buffers.
	if c, ok := f.Kind.(*lbv1.Frame_Chunk); ok {
		f = &lbv1.Frame{Kind: &lbv1.Frame_Chunk{Chunk: append([]byte(nil), c.Chunk...)}}
	}
	p.frames = append(p.frames, f)
	return nil
}

func (p *pipe) Recv() (*lbv1.Frame, error) {
	if len(p.frames) == 0 {
		return nil, io.EOF
	}
	f := p.frames[0]
	p.frames = p.frames[1:]
	return f, nil
}

func TestArraysRoundTripInChunks(t *testing.T) {
	n := ChunkSize/4 + 1000 // more than one chunk of float32
	f32 := make([]float32, n)
	for i := range f32 {
		f32[i] = float32(i) * 0.5
	}
	f64 := []float64{1.5, -2, 3e300}
	i32 := []int32{-1, 0, 7}
	blob := []byte("model bytes")
	p := &pipe{}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(p.Send(&lbv1.Frame{Kind: &lbv1.Frame_Call{Call: &lbv1.Call{Seed: 3}}}))
	must(SendArray(p, "x", MatrixArray(sdk.NewMatrix32(n/4, 4, f32[:n/4*4]))))
	must(SendArray(p, "s", Float64s(f64)))
	must(SendArray(p, "g", Int32s(i32)))
	must(SendArray(p, "m", Bytes(blob)))
	must(SendArray(p, "empty", Float64s(nil)))
	chunks := 0
	for _, f := range p.frames {
		if c, ok := f.Kind.(*lbv1.Frame_Chunk); ok {
			chunks++
			if len(c.Chunk) > ChunkSize {
				t.Fatalf("chunk of %d bytes exceeds ChunkSize", len(c.Chunk))
			}
		}
	}
	if chunks < 2 {
		t.Errorf("large array sent in %d chunks", chunks)
	}
	var progress []*lbv1.Progress
	msg, err := ReceiveMessage(p, func(pr *lbv1.Progress) { progress = append(progress, pr) })
	must(err)
	if msg.Call.GetSeed() != 3 {
		t.Errorf("call seed %d", msg.Call.GetSeed())
	}
	x, _ := msg.Arrays["x"].Matrix()
	if x.Rows != n/4 || x.Cols != 4 || !reflect.DeepEqual(x.F32, f32[:n/4*4]) {
		t.Error("float32 matrix changed in transit")
	}
	if s, _ := msg.Arrays["s"].Float64Column(); !reflect.DeepEqual(s, f64) {
		t.Errorf("float64 column: %v", s)
	}
	if g, _ := msg.Arrays["g"].Int32Column(); !reflect.DeepEqual(g, i32) {
		t.Errorf("int32 column: %v", g)
	}
	if b, _ := msg.Arrays["m"].RawBytes(); string(b) != string(blob) {
		t.Errorf("bytes: %q", b)
	}
	if e, _ := msg.Arrays["empty"].Float64Column(); len(e) != 0 {
		t.Errorf("empty array: %v", e)
	}
}

func TestMalformedStreams(t *testing.T) {
	hdr := func(name string, rows, cols int64, dt lbv1.DType) *lbv1.Frame {
		return &lbv1.Frame{Kind: &lbv1.Frame_Header{Header: &lbv1.ArrayHeader{Name: name, Rows: rows, Cols: cols, Dtype: dt}}}
	}
	chunk := func(n int) *lbv1.Frame { return &lbv1.Frame{Kind: &lbv1.Frame_Chunk{Chunk: make([]byte, n)}} }
	call := &lbv1.Frame{Kind: &lbv1.Frame_Call{Call: &lbv1.Call{}}}
	cases := map[string][]*lbv1.Frame{
		"chunk before header": {chunk(4)},
		"overflow":            {hdr("x", 1, 1, lbv1.DType_DTYPE_FLOAT32), chunk(8)},
		"short":               {hdr("x", 2, 1, lbv1.DType_DTYPE_FLOAT64), chunk(8)},
		"duplicate":           {hdr("x", 1, 1, lbv1.DType_DTYPE_INT32), chunk(4), hdr("x", 1, 1, lbv1.DType_DTYPE_INT32), chunk(4)},
		"bad dtype":           {hdr("x", 1, 1, lbv1.DType_DTYPE_UNSPECIFIED)},
		"negative shape":      {hdr("x", -1, 1, lbv1.DType_DTYPE_FLOAT32)},
		"huge":                {hdr("x", 1<<40, 1<<20, lbv1.DType_DTYPE_FLOAT64)},
		"two calls":           {call, call},
		"empty frame":         {{}},
	}
	for name, frames := range cases {
		_, err := ReceiveMessage(&pipe{frames: frames}, nil)
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: got %v, want ErrMalformed", name, err)
		}
	}
}

func TestDescriptionWireRoundTrip(t *testing.T) {
	d := &sdk.Description{Kind: sdk.KindDetector, Name: "d", Version: "1", Params: []sdk.ParamSpec{
		{Name: "n", Type: sdk.TypeInt, Default: 100, Doc: "count"},
		{Name: "rate", Type: sdk.TypeFloat, Default: 0.5},
		{Name: "mode", Type: sdk.TypeString, Default: "a", Choices: []string{"a", "b"}},
		{Name: "on", Type: sdk.TypeBool, Default: false},
		{Name: "hidden", Type: sdk.TypeIntList, Default: []int{512}},
		{Name: "means", Type: sdk.TypeFloatList, Default: []float64{}},
		{Name: "any", Type: sdk.TypeAny, Default: "learned"},
	}}
	d.NeedsLabels = true
	d.ContractVersion = sdk.ContractVersion
	w, err := ToWireDescription(d)
	if err != nil {
		t.Fatal(err)
	}
	back, err := FromWireDescription(w)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := d.Resolve(nil)
	got, _ := back.Resolve(nil)
	if !reflect.DeepEqual(want, got) || back.Name != "d" || !back.NeedsLabels || back.Kind != sdk.KindDetector {
		t.Errorf("round trip: %+v\n%v\n%v", back, got, want)
	}
	params, err := ToWireParams(got)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := FromWireParams(params)
	if err != nil {
		t.Fatal(err)
	}
	again, err := back.Resolve(raw)
	if err != nil || !reflect.DeepEqual(again, got) {
		t.Errorf("params round trip: %v %v", again, err)
	}
}

func TestDescriptionSeedIndependent(t *testing.T) {
	d := &sdk.Description{Kind: sdk.KindDetector, Name: "d", Version: "1", SeedIndependent: []string{sdk.StageFit}}
	w, err := ToWireDescription(d)
	if err != nil {
		t.Fatal(err)
	}
	back, err := FromWireDescription(w)
	if err != nil {
		t.Fatal(err)
	}
	if !back.SeedIndependentFit() {
		t.Errorf("seed-independent fit lost on the wire: %+v", back)
	}
	if (&sdk.Description{}).SeedIndependentFit() {
		t.Error("an empty description declares a seed-independent fit")
	}
	w.SeedIndependent = []string{"fitt"}
	if _, err := FromWireDescription(w); err == nil || !strings.Contains(err.Error(), `"fitt"`) {
		t.Errorf("unknown stage accepted: %v", err)
	}
}
