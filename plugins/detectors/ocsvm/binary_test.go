package ocsvm

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestBinaryRoundTrip(t *testing.T) {
	g := loadGolden(t, "mix6d")
	m := mustFit(t, g.X, g.N, g.D, Options{Nu: 0.1})
	data, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if want := 48 + 8*m.NSupport()*(g.D+2); len(data) != want {
		t.Fatalf("%d bytes, want 48 + 8·nSV·(d+2) = %d", len(data), want)
	}
	// Spot-check the documented layout.
	le := binary.LittleEndian
	if string(data[:8]) != "LBOCSVM\x00" || le.Uint32(data[8:]) != 1 || le.Uint32(data[12:]) != uint32(g.D) ||
		le.Uint64(data[16:]) != uint64(m.NSupport()) ||
		math.Float64frombits(le.Uint64(data[24:])) != m.Gamma() ||
		math.Float64frombits(le.Uint64(data[32:])) != m.Rho() ||
		math.Float64frombits(le.Uint64(data[40:])) != 0.1 ||
		math.Float64frombits(le.Uint64(data[48:])) != m.coef[0] ||
		math.Float64frombits(le.Uint64(data[48+8*m.NSupport():])) != m.sv[0] ||
		int64(le.Uint64(data[len(data)-8:])) != m.index[len(m.index)-1] {
		t.Fatal("layout differs from the documented format")
	}
	var back Model
	if err := back.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if !sameModel(m, &back) || back.Nu() != 0.1 || back.Dim() != g.D {
		t.Fatal("round trip changed the model")
	}
	if !slices.Equal(m.Decision(g.XTest, g.NTest), back.Decision(g.XTest, g.NTest)) {
		t.Fatal("round trip changed the scores")
	}
	again, _ := back.MarshalBinary()
	if !bytes.Equal(data, again) {
		t.Fatal("re-marshalled bytes differ")
	}
}

func TestBinaryCorrupt(t *testing.T) {
	m := mustFit(t, mixture(80, 11), 80, 2, Options{Nu: 0.2})
	good, _ := m.MarshalBinary()
	le := binary.LittleEndian
	mod := func(f func(b []byte) []byte) []byte { return f(slices.Clone(good)) }
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "shorter than"},
		{"magic", mod(func(b []byte) []byte { b[0] = 'X'; return b }), "bad magic"},
		{"version", mod(func(b []byte) []byte { le.PutUint32(b[8:], 2); return b }), "version 2"},
		{"d=0", mod(func(b []byte) []byte { le.PutUint32(b[12:], 0); return b }), "d = 0"},
		{"nsv=0", mod(func(b []byte) []byte { le.PutUint64(b[16:], 0); return b }), "nSV = 0"},
		{"nsv huge", mod(func(b []byte) []byte { le.PutUint64(b[16:], math.MaxUint64/3); return b }), "bytes, want"},
		{"d huge", mod(func(b []byte) []byte { le.PutUint32(b[12:], math.MaxUint32); return b }), "bytes, want"},
		{"truncated", good[:len(good)-1], "bytes, want"},
		{"trailing", append(slices.Clone(good), 0), "bytes, want"},
		{"gamma NaN", mod(func(b []byte) []byte { le.PutUint64(b[24:], math.Float64bits(math.NaN())); return b }), "gamma"},
		{"gamma 0", mod(func(b []byte) []byte { le.PutUint64(b[24:], 0); return b }), "gamma"},
		{"rho Inf", mod(func(b []byte) []byte { le.PutUint64(b[32:], math.Float64bits(math.Inf(1))); return b }), "rho"},
		{"coef NaN", mod(func(b []byte) []byte { le.PutUint64(b[48:], math.Float64bits(math.NaN())); return b }), "coefficient 0"},
		{"sv Inf", mod(func(b []byte) []byte {
			le.PutUint64(b[48+8*m.NSupport()+8:], math.Float64bits(math.Inf(-1)))
			return b
		}), "support vector 0, column 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			back := *m
			err := back.UnmarshalBinary(c.data)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one containing %q", err, c.want)
			}
			if !sameModel(&back, m) {
				t.Fatal("a failed UnmarshalBinary modified the model")
			}
		})
	}
}

// FuzzUnmarshalBinary: arbitrary bytes give an error or a model that scores,
// never a panic. `go test` runs the seed corpus.
func FuzzUnmarshalBinary(f *testing.F) {
	m, err := Fit(context.Background(), mixture(30, 12), 30, 2, Options{})
	if err != nil {
		f.Fatal(err)
	}
	good, _ := m.MarshalBinary()
	f.Add(good)
	f.Add(good[:60])
	f.Add([]byte("LBOCSVM\x00\x01\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var m Model
		if m.UnmarshalBinary(data) != nil {
			return
		}
		x := make([]float64, 3*m.Dim())
		if s := m.Decision(x, 3); len(s) != 3 {
			t.Fatal("decoded model does not score")
		}
	})
}
