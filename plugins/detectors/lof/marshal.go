package lof

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"runtime"
)

// Binary model format, version 1. All integers are uint64 and all floats IEEE-754 float64,
// little-endian; there is no padding.
//
//	offset  size   field
//	0       8      magic "LBLOF\x00\x00\x01" (the last byte is the format version)
//	8       8      n            number of training points (≥ 2)
//	16      8      d            number of features (≥ 1)
//	24      8      nNeighbors   requested n_neighbors (after the default)
//	32      8      k            effective n_neighbors_ = max(1, min(nNeighbors, n−1))
//	40      8      leafSize     k-d tree leaf size
//	48      8      algorithm    1 = k-d tree, 2 = brute force
//	56      8·n·d  x            training points, row-major
//	…       8·n    kdist        k-distance of each training point
//	…       8·n    lrd          local reachability density of each training point
//	…       8·n    nof          −LOF of each training point (TrainScores)
//	…       4      CRC-32 (IEEE) of all preceding bytes, as a little-endian uint32
//
// The k-d tree is not stored: UnmarshalBinary rebuilds it from x, which gives the same tree.
// Workers is not stored; an unmarshalled model uses runtime.GOMAXPROCS(0).
const (
	marshalMagic  = "LBLOF\x00\x00\x01"
	marshalHeader = 56
)

// MarshalBinary encodes the model in the format above. It implements
// encoding.BinaryMarshaler.
func (m *Model) MarshalBinary() ([]byte, error) {
	n, d := m.n, m.d
	size := marshalHeader + 8*(n*d+3*n) + 4
	b := make([]byte, 0, size)
	b = append(b, marshalMagic...)
	for _, v := range []int{n, d, m.nNeighbors, m.k, m.leafSize, int(m.algo)} {
		b = binary.LittleEndian.AppendUint64(b, uint64(v))
	}
	for _, s := range [][]float64{m.x, m.kdist, m.lrd, m.nof} {
		for _, v := range s {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
	}
	b = binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	return b, nil
}

// UnmarshalBinary decodes a model written by MarshalBinary into m, replacing its contents, and
// rebuilds the k-d tree. It implements encoding.BinaryUnmarshaler. Malformed input gives an
// error, never a panic.
func (m *Model) UnmarshalBinary(data []byte) error {
	if len(data) < marshalHeader+4 {
		return fmt.Errorf("lof: unmarshal: %d bytes, shorter than the %d-byte header", len(data), marshalHeader+4)
	}
	if string(data[:8]) != marshalMagic {
		if string(data[:7]) == marshalMagic[:7] {
			return fmt.Errorf("lof: unmarshal: unsupported format version %d", data[7])
		}
		return errors.New("lof: unmarshal: not an LOF model (bad magic)")
	}
	body := data[:len(data)-4]
	if got, want := crc32.ChecksumIEEE(body), binary.LittleEndian.Uint32(data[len(data)-4:]); got != want {
		return fmt.Errorf("lof: unmarshal: checksum mismatch (%08x, stored %08x)", got, want)
	}
	var h [6]uint64
	for i := range h {
		h[i] = binary.LittleEndian.Uint64(data[8+8*i:])
	}
	const limit = 1 << 40
	un, ud, unn, uk, uleaf, ualgo := h[0], h[1], h[2], h[3], h[4], h[5]
	switch {
	case un < 2 || un > math.MaxInt32:
		return fmt.Errorf("lof: unmarshal: invalid n = %d", un)
	case ud < 1 || ud > limit || un*ud > limit:
		return fmt.Errorf("lof: unmarshal: invalid shape %d×%d", un, ud)
	case unn < 1 || unn > limit:
		return fmt.Errorf("lof: unmarshal: invalid n_neighbors = %d", unn)
	case uk != min(unn, un-1): // max(1, ·) is implied by unn ≥ 1 and n ≥ 2
		return fmt.Errorf("lof: unmarshal: k = %d inconsistent with n_neighbors = %d and n = %d", uk, unn, un)
	case uleaf < 1 || uleaf > limit:
		return fmt.Errorf("lof: unmarshal: invalid leaf size %d", uleaf)
	case ualgo != uint64(KDTree) && ualgo != uint64(Brute):
		return fmt.Errorf("lof: unmarshal: invalid algorithm %d", ualgo)
	}
	// un·ud ≤ 2^40, so this cannot overflow; once it equals len(body), n·d fits in an int.
	if want := marshalHeader + 8*(un*ud+3*un); uint64(len(body)) != want {
		return fmt.Errorf("lof: unmarshal: %d bytes of data for n = %d, d = %d, want %d", len(body), un, ud, want)
	}
	n, d := int(un), int(ud)
	floats := func(off, cnt int) []float64 {
		out := make([]float64, cnt)
		for i := range out {
			out[i] = math.Float64frombits(binary.LittleEndian.Uint64(body[off+8*i:]))
		}
		return out
	}
	off := marshalHeader
	x := floats(off, n*d)
	off += 8 * n * d
	kdist := floats(off, n)
	lrd := floats(off+8*n, n)
	nof := floats(off+16*n, n)
	if err := checkMatrix("unmarshal", x, n, d); err != nil {
		return err
	}
	nm := Model{
		n: n, d: d,
		nNeighbors: int(unn),
		k:          int(uk),
		leafSize:   int(uleaf),
		algo:       Algorithm(ualgo),
		workers:    runtime.GOMAXPROCS(0),
		x:          x,
		kdist:      kdist,
		lrd:        lrd,
		nof:        nof,
	}
	nm.warnings = clampWarnings(nm.nNeighbors, n)
	if nm.algo == KDTree {
		nm.tree = buildKDTree(nm.x, n, d, nm.leafSize, nm.workers)
	}
	nm.prepareBlocked(false)
	*m = nm
	return nil
}
