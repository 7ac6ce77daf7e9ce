package iforest

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"math"
	"slices"
	"testing"
)

func TestMarshalRoundTrip(t *testing.T) {
	x, _ := mixture(2000, 5)
	held, _ := mixture(300, 6)
	for _, opt := range []Options{
		{Seed: 1},
		{Seed: 2, NEstimators: 7, MaxSamples: 3},
		{Seed: 3, Bootstrap: true, MaxFeatures: 0.5},
		{Seed: 4, MaxSamples: 1},
	} {
		f, err := Fit(context.Background(), x, 2000, 2, opt)
		if err != nil {
			t.Fatal(err)
		}
		b, err := f.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if want := headerSize + 4*(f.NTrees()+1) + 16*f.NNodes() + 4; len(b) != want {
			t.Errorf("%+v: %d bytes, want %d", opt, len(b), want)
		}
		var g Forest
		if err := g.UnmarshalBinary(b); err != nil {
			t.Fatalf("%+v: %v", opt, err)
		}
		if g.Options() != f.Options() || g.Dim() != f.Dim() || g.SampleSize() != f.SampleSize() {
			t.Errorf("%+v: options %+v after round trip, want %+v", opt, g.Options(), f.Options())
		}
		for _, pts := range [][]float64{x, held} {
			n := len(pts) / 2
			if !slices.Equal(g.Score(pts, n), f.Score(pts, n)) {
				t.Errorf("%+v: scores differ after the round trip", opt)
			}
		}
		b2, _ := g.MarshalBinary()
		if !bytes.Equal(b, b2) {
			t.Errorf("%+v: re-encoding differs", opt)
		}
	}
}

// TestMarshalLayout decodes a hand-built one-tree forest, so that the
// documented byte layout (not only the round trip) is what is read.
func TestMarshalLayout(t *testing.T) {
	le := binary.LittleEndian
	var b []byte
	b = append(b, "LBIF"...)
	b = le.AppendUint16(b, 1)                  // version
	b = le.AppendUint16(b, 0)                  // flags
	b = le.AppendUint64(b, 99)                 // seed
	b = le.AppendUint64(b, 0x3ff0000000000000) // MaxFeatures 1.0
	b = le.AppendUint32(b, 2)                  // d
	b = le.AppendUint32(b, 4)                  // ψ
	b = le.AppendUint32(b, 1)                  // trees
	b = le.AppendUint32(b, 3)                  // nodes
	b = le.AppendUint32(b, 0)                  // offsets
	b = le.AppendUint32(b, 3)
	for _, v := range []int32{1, -1, -1} { // feature: root splits on x[1]
		b = le.AppendUint32(b, uint32(v))
	}
	for _, v := range []int32{1, 0, 0} { // left
		b = le.AppendUint32(b, uint32(v))
	}
	c3 := AveragePathLength(3)
	for _, v := range []float64{0.5, 1 + c3, 1} { // threshold 0.5; leaves: 3 points, 1 point
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	b = le.AppendUint32(b, crc32.ChecksumIEEE(b))
	var f Forest
	if err := f.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	got := f.Score([]float64{9, 0.5, -9, 0.75}, 2)
	c4 := AveragePathLength(4)
	want := []float64{-math.Exp2(-(1 + c3) / c4), -math.Exp2(-1 / c4)}
	if !slices.Equal(got, want) {
		t.Errorf("scores %v, want %v", got, want)
	}
	if f.Options().Seed != 99 || f.Dim() != 2 || f.SampleSize() != 4 {
		t.Errorf("header read as %+v, d %d", f.Options(), f.Dim())
	}
}

func TestUnmarshalRejectsCorruption(t *testing.T) {
	x, _ := mixture(500, 5)
	f, err := Fit(context.Background(), x, 500, 2, Options{NEstimators: 3, MaxSamples: 8})
	if err != nil {
		t.Fatal(err)
	}
	good, _ := f.MarshalBinary()
	// reseal recomputes the checksum, so that structural checks are reached.
	reseal := func(b []byte) []byte {
		b = slices.Clone(b)
		binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.ChecksumIEEE(b[:len(b)-4]))
		return b
	}
	off := headerSize + 4*(f.NTrees()+1) // first feature
	nn := f.NNodes()
	cases := map[string][]byte{
		"empty":       nil,
		"truncated":   good[:len(good)-1],
		"magic":       reseal(append([]byte("XBIF"), good[4:]...)),
		"version":     reseal(append(append(slices.Clone(good[:4]), 2, 0), good[6:]...)),
		"bit flip":    append(append(slices.Clone(good[:50]), good[50]^1), good[51:]...),
		"extra bytes": reseal(append(slices.Clone(good[:len(good)-4]), 0, 0, 0, 0, 0)),
	}
	set32 := func(name string, at int, v uint32) {
		b := slices.Clone(good)
		binary.LittleEndian.PutUint32(b[at:], v)
		cases[name] = reseal(b)
	}
	set32("feature ≥ d", off, 2)
	set32("feature < −1", off, 0xfffffffe)
	set32("child cycle", off+4*nn, 0)          // root's left child = root
	set32("child beyond tree", off+4*nn, 1000) // root's left child outside
	set32("nodes count", 36, uint32(nn+1))
	set32("trees zero", 32, 0)
	set32("offset beyond", headerSize+4, uint32(nn+5))
	b := slices.Clone(good)
	binary.LittleEndian.PutUint64(b[16:], 0x7ff8000000000001) // MaxFeatures NaN
	cases["MaxFeatures NaN"] = reseal(b)
	for name, data := range cases {
		var g Forest
		if err := g.UnmarshalBinary(data); err == nil {
			t.Errorf("%s: no error", name)
		}
		if g.feature != nil {
			t.Errorf("%s: forest modified on error", name)
		}
	}
	// Every truncation fails without panicking.
	for i := 0; i < len(good); i++ {
		var g Forest
		if g.UnmarshalBinary(good[:i]) == nil {
			t.Fatalf("truncation to %d bytes accepted", i)
		}
	}
}
