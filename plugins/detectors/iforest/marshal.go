package iforest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
)

// Binary format of a Forest, version 1. All integers little-endian, floats
// IEEE-754 binary64 little-endian; offsets in bytes; T trees, N nodes in all.
//
//	off        size  field
//	0          4     magic "LBIF"
//	4          2     format version, uint16 = 1
//	6          2     flags, uint16: bit 0 = Bootstrap; other bits 0
//	8          8     Seed, uint64
//	16         8     MaxFeatures, float64 (resolved, in (0, 1])
//	24         4     d, number of features, uint32 ≥ 1
//	28         4     ψ, sub-sample size (scikit-learn's max_samples_), uint32 ≥ 1
//	32         4     T, number of trees, uint32 ≥ 1
//	36         4     N, number of nodes, uint32
//	40         4(T+1) tree offsets, uint32: tree t holds nodes off[t] ≤ j < off[t+1];
//	                 off[0] = 0, off[T] = N, each tree has at least one node
//	…          4N    feature, int32: split feature in [0, d), or −1 for a leaf
//	…          4N    left, int32: index of the left child, local to the tree
//	                 (the right child is left+1); 0 for a leaf. A child index is
//	                 always greater than its parent's.
//	…          8N    value, float64: the split threshold of an internal node
//	                 (a point goes left iff x[feature] ≤ threshold), or the path
//	                 length depth + c(leaf size) of a leaf (see AveragePathLength)
//	…          4     CRC-32 (IEEE, as hash/crc32 and zlib) of all preceding bytes
//
// The score of a point is −2^(−Σ_t value[leaf_t] / (T·c(ψ))) (−0.5 if c(ψ) = 0).
const (
	forestMagic   = "LBIF"
	forestVersion = 1
	headerSize    = 40
	flagBootstrap = 1
)

// MarshalBinary encodes the forest in the little-endian format documented
// above (implements encoding.BinaryMarshaler). It never fails.
func (f *Forest) MarshalBinary() ([]byte, error) {
	nt, nn := len(f.offsets)-1, len(f.feature)
	size := headerSize + 4*(nt+1) + 16*nn + 4
	b := make([]byte, 0, size)
	b = append(b, forestMagic...)
	b = binary.LittleEndian.AppendUint16(b, forestVersion)
	var flags uint16
	if f.opt.Bootstrap {
		flags |= flagBootstrap
	}
	b = binary.LittleEndian.AppendUint16(b, flags)
	b = binary.LittleEndian.AppendUint64(b, f.opt.Seed)
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f.opt.MaxFeatures))
	b = binary.LittleEndian.AppendUint32(b, uint32(f.d))
	b = binary.LittleEndian.AppendUint32(b, uint32(f.psi))
	b = binary.LittleEndian.AppendUint32(b, uint32(nt))
	b = binary.LittleEndian.AppendUint32(b, uint32(nn))
	for _, o := range f.offsets {
		b = binary.LittleEndian.AppendUint32(b, uint32(o))
	}
	for _, v := range f.feature {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	for _, v := range f.left {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	for _, v := range f.value {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	b = binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	return b, nil
}

// UnmarshalBinary decodes a forest written by MarshalBinary (implements
// encoding.BinaryUnmarshaler). It checks the magic, version, checksum, sizes
// and the tree structure, and returns an error (never panics) on malformed
// input; on error f is left unchanged.
func (f *Forest) UnmarshalBinary(data []byte) error {
	g, err := decodeForest(data)
	if err != nil {
		return fmt.Errorf("iforest: decode forest: %w", err)
	}
	*f = *g
	return nil
}

func decodeForest(data []byte) (*Forest, error) {
	if len(data) < headerSize+4 {
		return nil, fmt.Errorf("%d bytes, shorter than the %d-byte header", len(data), headerSize+4)
	}
	if string(data[:4]) != forestMagic {
		return nil, fmt.Errorf("bad magic %q, want %q", data[:4], forestMagic)
	}
	le := binary.LittleEndian
	if v := le.Uint16(data[4:]); v != forestVersion {
		return nil, fmt.Errorf("format version %d, this package reads %d", v, forestVersion)
	}
	body, sum := data[:len(data)-4], le.Uint32(data[len(data)-4:])
	if c := crc32.ChecksumIEEE(body); c != sum {
		return nil, fmt.Errorf("checksum %08x, computed %08x", sum, c)
	}
	flags := le.Uint16(data[6:])
	if flags&^flagBootstrap != 0 {
		return nil, fmt.Errorf("unknown flags %#x", flags)
	}
	opt := Options{
		Bootstrap:   flags&flagBootstrap != 0,
		Seed:        le.Uint64(data[8:]),
		MaxFeatures: math.Float64frombits(le.Uint64(data[16:])),
	}
	d, psi := int64(le.Uint32(data[24:])), int64(le.Uint32(data[28:]))
	nt, nn := int64(le.Uint32(data[32:])), int64(le.Uint32(data[36:]))
	if d < 1 || d > math.MaxInt32 || psi < 1 || nt < 1 || nt > math.MaxInt32/2 || nn > math.MaxInt32 {
		return nil, fmt.Errorf("bad header: d = %d, ψ = %d, trees = %d, nodes = %d", d, psi, nt, nn)
	}
	if !(opt.MaxFeatures > 0 && opt.MaxFeatures <= 1) {
		return nil, fmt.Errorf("bad MaxFeatures %v", opt.MaxFeatures)
	}
	if want := headerSize + 4*(nt+1) + 16*nn + 4; int64(len(data)) != want {
		return nil, fmt.Errorf("%d bytes, want %d for %d trees and %d nodes", len(data), want, nt, nn)
	}
	opt.NEstimators, opt.MaxSamples = int(nt), int(psi)
	f := &Forest{
		opt:     opt,
		d:       int(d),
		psi:     int(psi),
		offsets: make([]int32, nt+1),
		feature: make([]int32, nn),
		left:    make([]int32, nn),
		value:   make([]float64, nn),
	}
	p := data[headerSize:]
	for i := range f.offsets {
		o := le.Uint32(p)
		p = p[4:]
		if o > uint32(nn) {
			return nil, fmt.Errorf("tree offset %d = %d beyond %d nodes", i, o, nn)
		}
		f.offsets[i] = int32(o)
	}
	for i := range f.feature {
		f.feature[i] = int32(le.Uint32(p))
		p = p[4:]
	}
	for i := range f.left {
		f.left[i] = int32(le.Uint32(p))
		p = p[4:]
	}
	for i := range f.value {
		f.value[i] = math.Float64frombits(le.Uint64(p))
		p = p[8:]
	}
	if err := f.validate(); err != nil {
		return nil, err
	}
	f.prepare()
	return f, nil
}

// validate checks that every tree is a well-formed binary tree whose walk
// terminates inside it, so that scoring a decoded forest cannot fail.
func (f *Forest) validate() error {
	nt := len(f.offsets) - 1
	if f.offsets[0] != 0 || int(f.offsets[nt]) != len(f.feature) {
		return errors.New("tree offsets do not span the nodes")
	}
	for t := 0; t < nt; t++ {
		a, b := f.offsets[t], f.offsets[t+1]
		if b <= a {
			return fmt.Errorf("tree %d has no node", t)
		}
		m := b - a
		for j := int32(0); j < m; j++ {
			ft, l, v := f.feature[a+j], f.left[a+j], f.value[a+j]
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("tree %d node %d: non-finite value %v", t, j, v)
			}
			switch {
			case ft == -1:
				if l != 0 || v < 0 {
					return fmt.Errorf("tree %d leaf %d: left %d, path length %v", t, j, l, v)
				}
			case ft < 0 || int(ft) >= f.d:
				return fmt.Errorf("tree %d node %d: feature %d outside [0, %d)", t, j, ft, f.d)
			case l <= j || l >= m-1:
				return fmt.Errorf("tree %d node %d: children %d, %d outside (%d, %d)", t, j, l, l+1, j, m)
			}
		}
	}
	return nil
}
