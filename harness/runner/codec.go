package runner

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/latentbench/latentbench/sdk"
)

// Cache payload formats, all little-endian:
//   matrix: "LBM1", rows u64, cols u64, dtype byte (4 = float32, 8 = float64), values
//   vector: "LBV1", n u64, float64 values
//   ints:   "LBI1", n u64, int32 values

func encodeMatrix(m sdk.Matrix) []byte {
	size := 8
	if m.F32 != nil {
		size = 4
	}
	buf := make([]byte, 0, 21+size*m.Rows*m.Cols)
	buf = append(buf, "LBM1"...)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(m.Rows))
	buf = binary.LittleEndian.AppendUint64(buf, uint64(m.Cols))
	buf = append(buf, byte(size))
	if m.F32 != nil {
		for _, v := range m.F32 {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		}
	} else {
		for _, v := range m.F64 {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
		}
	}
	return buf
}

func decodeMatrix(b []byte) (sdk.Matrix, error) {
	if len(b) < 21 || string(b[:4]) != "LBM1" {
		return sdk.Matrix{}, fmt.Errorf("not a cached matrix")
	}
	rows := int(binary.LittleEndian.Uint64(b[4:]))
	cols := int(binary.LittleEndian.Uint64(b[12:]))
	size := int(b[20])
	data := b[21:]
	if (size != 4 && size != 8) || rows < 0 || cols < 0 || len(data) != rows*cols*size {
		return sdk.Matrix{}, fmt.Errorf("corrupt cached matrix %d×%d", rows, cols)
	}
	m := sdk.Matrix{Rows: rows, Cols: cols}
	if size == 4 {
		m.F32 = make([]float32, rows*cols)
		for i := range m.F32 {
			m.F32[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
		}
	} else {
		m.F64 = make([]float64, rows*cols)
		for i := range m.F64 {
			m.F64[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
		}
	}
	return m, nil
}

func encodeVector(v []float64) []byte {
	buf := make([]byte, 0, 12+8*len(v))
	buf = append(buf, "LBV1"...)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(len(v)))
	for _, x := range v {
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(x))
	}
	return buf
}

func decodeVector(b []byte) ([]float64, error) {
	if len(b) < 12 || string(b[:4]) != "LBV1" {
		return nil, fmt.Errorf("not a cached vector")
	}
	n := int(binary.LittleEndian.Uint64(b[4:]))
	if len(b) != 12+8*n {
		return nil, fmt.Errorf("corrupt cached vector of %d", n)
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[12+8*i:]))
	}
	return v, nil
}

func encodeInts(v []int32) []byte {
	buf := make([]byte, 0, 12+4*len(v))
	buf = append(buf, "LBI1"...)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(len(v)))
	for _, x := range v {
		buf = binary.LittleEndian.AppendUint32(buf, uint32(x))
	}
	return buf
}

func decodeInts(b []byte) ([]int32, error) {
	if len(b) < 12 || string(b[:4]) != "LBI1" {
		return nil, fmt.Errorf("not cached ints")
	}
	n := int(binary.LittleEndian.Uint64(b[4:]))
	if len(b) != 12+4*n {
		return nil, fmt.Errorf("corrupt cached ints of %d", n)
	}
	v := make([]int32, n)
	for i := range v {
		v[i] = int32(binary.LittleEndian.Uint32(b[12+4*i:]))
	}
	return v, nil
}
