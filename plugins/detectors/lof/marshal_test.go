package lof

import (
	"encoding/binary"
	"hash/crc32"
	"math"
	"strings"
	"testing"
)

func TestMarshalRoundTrip(t *testing.T) {
	for _, c := range []struct {
		n, d int
		opt  Options
	}{
		{600, 2, Options{}},
		{300, 4, Options{NNeighbors: 7, LeafSize: 3}},
		{100, 20, Options{}}, // brute force
		{10, 2, Options{}},   // clamped, with warning
	} {
		x := gaussian(c.n, c.d, uint64(c.n))
		q := gaussian(50, c.d, 77)
		m := mustFit(t, x, c.n, c.d, c.opt)
		b, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if want := 56 + 8*(c.n*c.d+3*c.n) + 4; len(b) != want {
			t.Errorf("encoded size %d, want %d", len(b), want)
		}
		if string(b[:8]) != "LBLOF\x00\x00\x01" || binary.LittleEndian.Uint64(b[8:]) != uint64(c.n) ||
			binary.LittleEndian.Uint64(b[16:]) != uint64(c.d) || binary.LittleEndian.Uint64(b[32:]) != uint64(m.NNeighbors()) ||
			math.Float64frombits(binary.LittleEndian.Uint64(b[56:])) != x[0] {
			t.Errorf("header or first value not as documented")
		}
		var m2 Model
		if err := m2.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		s1, err := m.Score(q, 50)
		if err != nil {
			t.Fatal(err)
		}
		s2, err := m2.Score(q, 50)
		if err != nil {
			t.Fatal(err)
		}
		if !bitsEqual(s1, s2) || !bitsEqual(m.TrainScores(), m2.TrainScores()) || !bitsEqual(m.LRD(), m2.LRD()) ||
			!bitsEqual(m.KDistances(), m2.KDistances()) || m2.NNeighbors() != m.NNeighbors() ||
			m2.Algorithm() != m.Algorithm() || len(m2.Warnings()) != len(m.Warnings()) {
			t.Errorf("n=%d d=%d: unmarshalled model differs", c.n, c.d)
		}
	}
}

func TestUnmarshalErrors(t *testing.T) {
	m := mustFit(t, gaussian(50, 2, 1), 50, 2, Options{})
	good, _ := m.MarshalBinary()
	reseal := func(b []byte) []byte {
		binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.ChecksumIEEE(b[:len(b)-4]))
		return b
	}
	mod := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "shorter"},
		{"truncated", good[:len(good)-9], "checksum"},
		{"bad magic", mod(func(b []byte) []byte { b[0] = 'X'; return b }), "bad magic"},
		{"version", mod(func(b []byte) []byte { b[7] = 9; return b }), "version 9"},
		{"flipped bit", mod(func(b []byte) []byte { b[100] ^= 1; return b }), "checksum"},
		{"n too small", mod(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[8:], 1); return reseal(b) }), "invalid n"},
		{"huge d", mod(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[16:], 1<<62); return reseal(b) }), "invalid shape"},
		{"wrong d", mod(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[16:], 3); return reseal(b) }), "bytes of data"},
		{"bad k", mod(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[32:], 5); return reseal(b) }), "inconsistent"},
		{"bad algorithm", mod(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[48:], 0); return reseal(b) }), "algorithm"},
		{"NaN point", mod(func(b []byte) []byte {
			binary.LittleEndian.PutUint64(b[56+8*5:], math.Float64bits(math.NaN()))
			return reseal(b)
		}), "row 2, column 1"},
	} {
		var m2 Model
		err := m2.UnmarshalBinary(c.data)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

// FuzzUnmarshalBinary: arbitrary bytes never panic; whatever decodes re-encodes identically.
func FuzzUnmarshalBinary(f *testing.F) {
	m := mustFit(f, gaussian(30, 2, 1), 30, 2, Options{NNeighbors: 5})
	good, _ := m.MarshalBinary()
	f.Add(good)
	f.Add(good[:60])
	f.Add([]byte("LBLOF\x00\x00\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var m2 Model
		if m2.UnmarshalBinary(data) != nil {
			return
		}
		b, err := m2.MarshalBinary()
		if err != nil || string(b) != string(data) {
			t.Fatalf("decoded model re-encodes differently")
		}
		if _, err := m2.Score(m2.x[:m2.d], 1); err != nil {
			t.Fatal(err)
		}
	})
}
