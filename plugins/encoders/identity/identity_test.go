package identity

import (
	"math"
	"testing"
)

func TestStandardize(t *testing.T) {
	x := []float64{1, 5, 2, 5, 3, 5, 6, 5} // column 2 constant
	m, err := Fit(x, 4, 2, true)
	if err != nil {
		t.Fatal(err)
	}
	z, _ := m.Encode(x, 4, 2)
	// Column 1: mean 3, population std sqrt(3.5).
	want := []float64{-2 / math.Sqrt(3.5), 0, -1 / math.Sqrt(3.5), 0, 0, 0, 3 / math.Sqrt(3.5), 0}
	for i := range want {
		if math.Abs(z[i]-want[i]) > 1e-15 {
			t.Errorf("z[%d] = %g, want %g", i, z[i], want[i])
		}
	}
	b, _ := m.MarshalBinary()
	var m2 Model
	if err := m2.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	z2, _ := m2.Encode(x, 4, 2)
	for i := range z {
		if z[i] != z2[i] {
			t.Fatal("round trip changed the encoding")
		}
	}
	if err := m2.UnmarshalBinary(b[:len(b)-1]); err == nil {
		t.Error("truncated model accepted")
	}
}

func TestPassThrough(t *testing.T) {
	x := []float64{1, 2, 3}
	m, err := Fit(x, 3, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := m.MarshalBinary()
	var m2 Model
	if err := m2.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	z, _ := m2.Encode(x, 3, 1)
	if z[0] != 1 || z[2] != 3 || &z[0] == &x[0] {
		t.Errorf("pass-through gave %v (must be an equal copy)", z)
	}
	if _, err := Fit(nil, 0, 1, false); err == nil {
		t.Error("empty input accepted")
	}
}
