package ocsvm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Binary model format, version 1. Every field is little-endian:
//
//	offset  size        field
//	0       8           magic "LBOCSVM\x00"
//	8       4           uint32 format version = 1
//	12      4           uint32 d, number of features (≥ 1)
//	16      8           uint64 nSV, number of support vectors
//	24      8           float64 gamma (finite, > 0)
//	32      8           float64 rho (finite)
//	40      8           float64 nu
//	48      8·nSV       float64 α_i, the dual coefficient of each support vector
//	…       8·nSV·d     float64 support vectors, row-major (nSV rows of d values)
//	…       8·nSV       int64 training-row index of each support vector
//
// The length is exactly 48 + 8·nSV·(d + 2) bytes.
const (
	binaryMagic   = "LBOCSVM\x00"
	binaryVersion = 1
	binaryHeader  = 48
)

// MarshalBinary encodes the model in the format above
// (encoding.BinaryMarshaler).
func (m *Model) MarshalBinary() ([]byte, error) {
	if m == nil || m.d < 1 {
		return nil, errors.New("ocsvm: marshal of an unfitted model")
	}
	nsv := len(m.coef)
	buf := make([]byte, binaryHeader, binaryHeader+8*nsv*(m.d+2))
	copy(buf, binaryMagic)
	le := binary.LittleEndian
	le.PutUint32(buf[8:], binaryVersion)
	le.PutUint32(buf[12:], uint32(m.d))
	le.PutUint64(buf[16:], uint64(nsv))
	le.PutUint64(buf[24:], math.Float64bits(m.gamma))
	le.PutUint64(buf[32:], math.Float64bits(m.rho))
	le.PutUint64(buf[40:], math.Float64bits(m.nu))
	for _, v := range m.coef {
		buf = le.AppendUint64(buf, math.Float64bits(v))
	}
	for _, v := range m.sv {
		buf = le.AppendUint64(buf, math.Float64bits(v))
	}
	for _, v := range m.index {
		buf = le.AppendUint64(buf, uint64(v))
	}
	return buf, nil
}

// UnmarshalBinary decodes a model written by MarshalBinary
// (encoding.BinaryUnmarshaler). It checks the magic, version, length and that
// every number is finite, and leaves m unchanged on error.
func (m *Model) UnmarshalBinary(data []byte) error {
	if len(data) < binaryHeader {
		return fmt.Errorf("ocsvm: model is %d bytes, shorter than the %d-byte header", len(data), binaryHeader)
	}
	if string(data[:8]) != binaryMagic {
		return errors.New("ocsvm: not an ocsvm model (bad magic)")
	}
	le := binary.LittleEndian
	if v := le.Uint32(data[8:]); v != binaryVersion {
		return fmt.Errorf("ocsvm: model format version %d, this package reads %d", v, binaryVersion)
	}
	d := uint64(le.Uint32(data[12:]))
	nsv := le.Uint64(data[16:])
	if d < 1 || nsv < 1 {
		return fmt.Errorf("ocsvm: model has d = %d, nSV = %d; want both ≥ 1", d, nsv)
	}
	// 8·nSV·(d+2) without overflow: the first test bounds the product.
	body := uint64(len(data) - binaryHeader)
	if nsv > body/8/(d+2) || 8*nsv*(d+2) != body {
		return fmt.Errorf("ocsvm: model is %d bytes, want %d + 8·%d·(%d+2)", len(data), binaryHeader, nsv, d)
	}
	gamma := math.Float64frombits(le.Uint64(data[24:]))
	rho := math.Float64frombits(le.Uint64(data[32:]))
	nu := math.Float64frombits(le.Uint64(data[40:]))
	if !(gamma > 0) || math.IsInf(gamma, 1) {
		return fmt.Errorf("ocsvm: model gamma = %v", gamma)
	}
	if math.IsNaN(rho) || math.IsInf(rho, 0) {
		return fmt.Errorf("ocsvm: model rho = %v", rho)
	}
	n := int(nsv)
	nm := &Model{
		d: int(d), gamma: gamma, rho: rho, nu: nu, converged: true,
		coef:  make([]float64, n),
		sv:    make([]float64, n*int(d)),
		index: make([]int64, n),
	}
	p := data[binaryHeader:]
	for k := range nm.coef {
		nm.coef[k] = math.Float64frombits(le.Uint64(p))
		p = p[8:]
	}
	for k := range nm.sv {
		nm.sv[k] = math.Float64frombits(le.Uint64(p))
		p = p[8:]
	}
	for k := range nm.index {
		nm.index[k] = int64(le.Uint64(p))
		p = p[8:]
	}
	for k, v := range nm.coef {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("ocsvm: model coefficient %d = %v", k, v)
		}
	}
	for k, v := range nm.sv {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("ocsvm: model support vector %d, column %d = %v", k/int(d), k%int(d), v)
		}
	}
	nm.transposeSV()
	*m = *nm
	return nil
}
