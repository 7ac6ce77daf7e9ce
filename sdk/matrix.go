package sdk

import (
	"fmt"
	"math"
)

// Matrix is a dense row-major matrix that crosses the plugin boundary. Exactly
// one of F32 and F64 holds the Rows×Cols values; the other is nil. The dtype
// travels with the data, so an encoder trained in float32 receives float32.
type Matrix struct {
	Rows, Cols int
	F32        []float32
	F64        []float64
}

// NewMatrix64 wraps float64 values; len(data) must be rows*cols.
func NewMatrix64(rows, cols int, data []float64) Matrix {
	return Matrix{Rows: rows, Cols: cols, F64: data}
}

// NewMatrix32 wraps float32 values; len(data) must be rows*cols.
func NewMatrix32(rows, cols int, data []float32) Matrix {
	return Matrix{Rows: rows, Cols: cols, F32: data}
}

// Float64 returns the values as float64, converting (a copy) if they are float32.
func (m Matrix) Float64() []float64 {
	if m.F64 != nil || m.F32 == nil {
		return m.F64
	}
	out := make([]float64, len(m.F32))
	for i, v := range m.F32 {
		out[i] = float64(v)
	}
	return out
}

// Float32 returns the values as float32, converting (a copy) if they are float64.
func (m Matrix) Float32() []float32 {
	if m.F32 != nil || m.F64 == nil {
		return m.F32
	}
	out := make([]float32, len(m.F64))
	for i, v := range m.F64 {
		out[i] = float32(v)
	}
	return out
}

// Check reports a shape mismatch or a non-finite value, naming the first bad
// row and column.
func (m Matrix) Check() error {
	if m.Rows < 0 || m.Cols < 0 {
		return fmt.Errorf("negative shape %d×%d", m.Rows, m.Cols)
	}
	n := m.Rows * m.Cols
	switch {
	case m.F32 != nil:
		if len(m.F32) != n {
			return fmt.Errorf("%d×%d matrix holds %d values", m.Rows, m.Cols, len(m.F32))
		}
		for i, v := range m.F32 {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("non-finite value %v at row %d, column %d", v, i/m.Cols, i%m.Cols)
			}
		}
	case m.F64 != nil:
		if len(m.F64) != n {
			return fmt.Errorf("%d×%d matrix holds %d values", m.Rows, m.Cols, len(m.F64))
		}
		for i, v := range m.F64 {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("non-finite value %v at row %d, column %d", v, i/m.Cols, i%m.Cols)
			}
		}
	default:
		if n != 0 {
			return fmt.Errorf("%d×%d matrix holds no values", m.Rows, m.Cols)
		}
	}
	return nil
}
