// Package identity is the encoder that keeps the input features: detectors can
// then be benchmarked on data sets whose features are already meaningful
// (ADBench), with the same harness, metrics and tables as a learnt latent space.
package identity

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Model optionally standardises: z_j = (x_j − Mean_j) / Scale_j. An empty model
// (no columns) passes values through unchanged.
type Model struct {
	Mean, Scale []float64
}

// Fit returns a pass-through model, or with standardize the column means and
// population standard deviations of the n×d row-major x (a constant column
// gets scale 1, as scikit-learn's StandardScaler does).
func Fit(x []float64, n, d int, standardize bool) (*Model, error) {
	if n < 1 || d < 1 || len(x) != n*d {
		return nil, fmt.Errorf("identity: need a non-empty n×d matrix, got %d values for %d×%d", len(x), n, d)
	}
	if !standardize {
		return &Model{}, nil
	}
	m := &Model{Mean: make([]float64, d), Scale: make([]float64, d)}
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			m.Mean[j] += x[i*d+j]
		}
	}
	for j := range m.Mean {
		m.Mean[j] /= float64(n)
	}
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			dv := x[i*d+j] - m.Mean[j]
			m.Scale[j] += dv * dv
		}
	}
	for j := range m.Scale {
		s := math.Sqrt(m.Scale[j] / float64(n))
		if s < 10*math.SmallestNonzeroFloat64 || s <= 1e-12*math.Abs(m.Mean[j]) {
			s = 1
		}
		m.Scale[j] = s
	}
	return m, nil
}

// Encode applies the model to the n×d row-major x (a copy).
func (m *Model) Encode(x []float64, n, d int) ([]float64, error) {
	if len(m.Mean) > 0 && len(m.Mean) != d {
		return nil, fmt.Errorf("identity: model has %d columns, data %d", len(m.Mean), d)
	}
	z := make([]float64, len(x))
	copy(z, x)
	if len(m.Mean) == 0 {
		return z, nil
	}
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			z[i*d+j] = (z[i*d+j] - m.Mean[j]) / m.Scale[j]
		}
	}
	return z, nil
}

const magic = "LBIDENT1"

// MarshalBinary writes "LBIDENT1", d as uint32, then d means and d scales as
// float64, little-endian.
func (m *Model) MarshalBinary() ([]byte, error) {
	buf := append([]byte(magic), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(buf[len(magic):], uint32(len(m.Mean)))
	for _, v := range append(append([]float64{}, m.Mean...), m.Scale...) {
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
	}
	return buf, nil
}

// UnmarshalBinary reads a model written by MarshalBinary.
func (m *Model) UnmarshalBinary(b []byte) error {
	h := len(magic) + 4
	if len(b) < h || string(b[:len(magic)]) != magic {
		return errors.New("not an identity model")
	}
	d := int(binary.LittleEndian.Uint32(b[len(magic):]))
	if len(b) != h+16*d {
		return fmt.Errorf("corrupt identity model: %d columns in %d bytes", d, len(b))
	}
	v := make([]float64, 2*d)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[h+8*i:]))
	}
	m.Mean, m.Scale = nil, nil
	if d > 0 {
		m.Mean, m.Scale = v[:d], v[d:]
	}
	return nil
}
