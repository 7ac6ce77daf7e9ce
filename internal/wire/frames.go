package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"unsafe"

	"github.com/latentbench/latentbench/sdk"

	lbv1 "github.com/latentbench/latentbench/proto/latentbench/v1"
)

// ChunkSize is the largest number of array bytes in one Frame. It keeps every
// gRPC message far below the 4 MiB default limit of every gRPC implementation.
const ChunkSize = 1 << 20

// maxArrayBytes bounds the allocation a header may ask for (64 GiB), so a
// corrupt header fails cleanly instead of exhausting memory.
const maxArrayBytes = 64 << 30

// FrameSender is the sending half of a Frame stream (gRPC client or server).
type FrameSender interface {
	Send(*lbv1.Frame) error
}

// FrameReceiver is the receiving half of a Frame stream.
type FrameReceiver interface {
	Recv() (*lbv1.Frame, error)
}

// Array is an array as it crosses the boundary: a shape, a dtype and its
// little-endian bytes. Typed views are taken with the accessor methods.
type Array struct {
	Rows, Cols int
	DType      lbv1.DType
	// exactly one of these backs the array
	f32 []float32
	f64 []float64
	i32 []int32
	raw []byte
}

// Bytes wraps opaque bytes (a model blob).
func Bytes(b []byte) Array {
	return Array{Rows: len(b), Cols: 1, DType: lbv1.DType_DTYPE_BYTES, raw: b}
}

// Int32s wraps a column of int32 (labels, groups).
func Int32s(v []int32) Array {
	return Array{Rows: len(v), Cols: 1, DType: lbv1.DType_DTYPE_INT32, i32: v}
}

// Int32Matrix wraps a rows×cols row-major int32 matrix (FitScore's column
// indices).
func Int32Matrix(rows, cols int, v []int32) Array {
	return Array{Rows: rows, Cols: cols, DType: lbv1.DType_DTYPE_INT32, i32: v}
}

// Float64s wraps a column of float64 (scores).
func Float64s(v []float64) Array {
	return Array{Rows: len(v), Cols: 1, DType: lbv1.DType_DTYPE_FLOAT64, f64: v}
}

// MatrixArray wraps a Matrix without copying.
func MatrixArray(m sdk.Matrix) Array {
	if m.F32 != nil {
		return Array{Rows: m.Rows, Cols: m.Cols, DType: lbv1.DType_DTYPE_FLOAT32, f32: m.F32}
	}
	return Array{Rows: m.Rows, Cols: m.Cols, DType: lbv1.DType_DTYPE_FLOAT64, f64: m.F64}
}

// Matrix returns the array as a Matrix (float32 or float64 arrays only).
func (a Array) Matrix() (sdk.Matrix, error) {
	switch a.DType {
	case lbv1.DType_DTYPE_FLOAT32:
		return sdk.Matrix{Rows: a.Rows, Cols: a.Cols, F32: a.f32}, nil
	case lbv1.DType_DTYPE_FLOAT64:
		return sdk.Matrix{Rows: a.Rows, Cols: a.Cols, F64: a.f64}, nil
	}
	return sdk.Matrix{}, fmt.Errorf("want a float32 or float64 matrix, got dtype %s", a.DType)
}

// Int32Column returns an n×1 int32 array's values.
func (a Array) Int32Column() ([]int32, error) {
	if a.DType != lbv1.DType_DTYPE_INT32 || a.Cols != 1 {
		return nil, fmt.Errorf("want an n×1 int32 column, got %d×%d %s", a.Rows, a.Cols, a.DType)
	}
	return a.i32, nil
}

// Int32Values returns an int32 array's values, row-major, whatever its
// shape.
func (a Array) Int32Values() ([]int32, error) {
	if a.DType != lbv1.DType_DTYPE_INT32 {
		return nil, fmt.Errorf("want an int32 array, got dtype %s", a.DType)
	}
	return a.i32, nil
}

// Float64Column returns an n×1 float64 array's values.
func (a Array) Float64Column() ([]float64, error) {
	if a.DType != lbv1.DType_DTYPE_FLOAT64 || a.Cols != 1 {
		return nil, fmt.Errorf("want an n×1 float64 column, got %d×%d %s", a.Rows, a.Cols, a.DType)
	}
	return a.f64, nil
}

// RawBytes returns a bytes array's content.
func (a Array) RawBytes() ([]byte, error) {
	if a.DType != lbv1.DType_DTYPE_BYTES {
		return nil, fmt.Errorf("want bytes, got dtype %s", a.DType)
	}
	return a.raw, nil
}

func dtypeSize(t lbv1.DType) int {
	switch t {
	case lbv1.DType_DTYPE_FLOAT32, lbv1.DType_DTYPE_INT32:
		return 4
	case lbv1.DType_DTYPE_FLOAT64:
		return 8
	case lbv1.DType_DTYPE_BYTES:
		return 1
	}
	return 0
}

var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// alloc makes a zeroed array of the header's shape and returns it with a
// little-endian byte view to fill. On little-endian hosts the view aliases the
// typed slice, so receiving costs one copy per chunk and no conversion.
func alloc(rows, cols int, t lbv1.DType) (Array, []byte) {
	a := Array{Rows: rows, Cols: cols, DType: t}
	n := rows * cols
	switch t {
	case lbv1.DType_DTYPE_FLOAT32:
		a.f32 = make([]float32, n)
		if littleEndian && n > 0 {
			return a, unsafe.Slice((*byte)(unsafe.Pointer(&a.f32[0])), 4*n)
		}
	case lbv1.DType_DTYPE_FLOAT64:
		a.f64 = make([]float64, n)
		if littleEndian && n > 0 {
			return a, unsafe.Slice((*byte)(unsafe.Pointer(&a.f64[0])), 8*n)
		}
	case lbv1.DType_DTYPE_INT32:
		a.i32 = make([]int32, n)
		if littleEndian && n > 0 {
			return a, unsafe.Slice((*byte)(unsafe.Pointer(&a.i32[0])), 4*n)
		}
	case lbv1.DType_DTYPE_BYTES:
		a.raw = make([]byte, n)
		return a, a.raw
	}
	return a, make([]byte, n*dtypeSize(t))
}

// finish converts a big-endian host's byte buffer into the typed slice.
func (a *Array) finish(buf []byte) {
	if littleEndian || a.DType == lbv1.DType_DTYPE_BYTES {
		return
	}
	for i := range a.f32 {
		a.f32[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:]))
	}
	for i := range a.f64 {
		a.f64[i] = math.Float64frombits(binary.LittleEndian.Uint64(buf[8*i:]))
	}
	for i := range a.i32 {
		a.i32[i] = int32(binary.LittleEndian.Uint32(buf[4*i:]))
	}
}

// bytesOf returns the little-endian bytes of the array (aliasing on
// little-endian hosts).
func (a Array) bytesOf() []byte {
	if a.DType == lbv1.DType_DTYPE_BYTES {
		return a.raw
	}
	if littleEndian {
		switch {
		case len(a.f32) > 0:
			return unsafe.Slice((*byte)(unsafe.Pointer(&a.f32[0])), 4*len(a.f32))
		case len(a.f64) > 0:
			return unsafe.Slice((*byte)(unsafe.Pointer(&a.f64[0])), 8*len(a.f64))
		case len(a.i32) > 0:
			return unsafe.Slice((*byte)(unsafe.Pointer(&a.i32[0])), 4*len(a.i32))
		}
		return nil
	}
	buf := make([]byte, 0, a.Rows*a.Cols*dtypeSize(a.DType))
	for _, v := range a.f32 {
		buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
	}
	for _, v := range a.f64 {
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
	}
	for _, v := range a.i32 {
		buf = binary.LittleEndian.AppendUint32(buf, uint32(v))
	}
	return buf
}

// SendArray streams a named array: its header, then its bytes in chunks of at
// most ChunkSize.
func SendArray(s FrameSender, name string, a Array) error {
	if err := s.Send(&lbv1.Frame{Kind: &lbv1.Frame_Header{Header: &lbv1.ArrayHeader{
		Name: name, Rows: int64(a.Rows), Cols: int64(a.Cols), Dtype: a.DType,
	}}}); err != nil {
		return fmt.Errorf("send %s header: %w", name, err)
	}
	buf := a.bytesOf()
	chunk := &lbv1.Frame_Chunk{}
	frame := &lbv1.Frame{Kind: chunk}
	for off := 0; off < len(buf); off += ChunkSize {
		chunk.Chunk = buf[off:min(off+ChunkSize, len(buf))]
		if err := s.Send(frame); err != nil {
			return fmt.Errorf("send %s: %w", name, err)
		}
	}
	return nil
}

// Message is the content of one direction of a Fit, Encode or Score stream.
type Message struct {
	Call   *lbv1.Call
	Arrays map[string]Array
}

// Array returns the named array or an error saying it is missing.
func (m *Message) Array(name string) (Array, error) {
	a, ok := m.Arrays[name]
	if !ok {
		return Array{}, fmt.Errorf("stream has no array %q", name)
	}
	return a, nil
}

// ErrMalformed marks a stream that breaks the framing rules of the contract.
var ErrMalformed = errors.New("malformed stream")

// ReceiveMessage reads frames until the sender closes its side (io.EOF),
// assembling the arrays. Progress frames are passed to onProgress (which may be
// nil). A chunk beyond its header's size, a chunk without a header, an
// incomplete array or a duplicate name is an ErrMalformed error.
func ReceiveMessage(r FrameReceiver, onProgress func(*lbv1.Progress)) (*Message, error) {
	msg := &Message{Arrays: map[string]Array{}}
	var (
		cur  Array
		name string
		buf  []byte
		off  int
		open bool
	)
	closeArray := func() error {
		if !open {
			return nil
		}
		if off != len(buf) {
			return fmt.Errorf("%w: array %q has %d of its %d bytes", ErrMalformed, name, off, len(buf))
		}
		cur.finish(buf)
		msg.Arrays[name] = cur
		open = false
		return nil
	}
	for {
		f, err := r.Recv()
		if err == io.EOF {
			return msg, closeArray()
		}
		if err != nil {
			return nil, err
		}
		switch k := f.Kind.(type) {
		case *lbv1.Frame_Call:
			if msg.Call != nil {
				return nil, fmt.Errorf("%w: two Call frames", ErrMalformed)
			}
			msg.Call = k.Call
		case *lbv1.Frame_Header:
			if err := closeArray(); err != nil {
				return nil, err
			}
			h := k.Header
			size := dtypeSize(h.Dtype)
			if size == 0 || h.Rows < 0 || h.Cols < 0 || (h.Cols > 0 && h.Rows > maxArrayBytes/int64(size)/h.Cols) {
				return nil, fmt.Errorf("%w: array %q header %d×%d %s", ErrMalformed, h.Name, h.Rows, h.Cols, h.Dtype)
			}
			if _, dup := msg.Arrays[h.Name]; dup {
				return nil, fmt.Errorf("%w: array %q sent twice", ErrMalformed, h.Name)
			}
			name = h.Name
			cur, buf = alloc(int(h.Rows), int(h.Cols), h.Dtype)
			off, open = 0, true
		case *lbv1.Frame_Chunk:
			if !open {
				return nil, fmt.Errorf("%w: chunk before any array header", ErrMalformed)
			}
			if off+len(k.Chunk) > len(buf) {
				return nil, fmt.Errorf("%w: array %q overflows its %d bytes", ErrMalformed, name, len(buf))
			}
			off += copy(buf[off:], k.Chunk)
		case *lbv1.Frame_Progress:
			if onProgress != nil {
				onProgress(k.Progress)
			}
		default:
			return nil, fmt.Errorf("%w: empty frame", ErrMalformed)
		}
	}
}
