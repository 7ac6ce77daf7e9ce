package vae

import "math"

// bceTab holds the constants of bceAVX2, each repeated in 8 lanes.
type bceTab [bceN][8]float32

// Rows of bceTab.
const (
	bceAbs = iota // 0x7fffffff: clears the sign bit
	bceLo         // -87.33654: exp(-a) is computed for -a ≥ this
	bceLog2e
	bceLn2Hi
	bceLn2Lo
	bceP0
	bceP1
	bceP2
	bceP3
	bceP4
	bceP5
	bceOne
	bceTwo
	bceBias // int32 127, the exponent bias
	bceSqrt2m1
	bceLn2
	bceInv3
	bceInv5
	bceInv7
	bceInv9
	bceN
)

// newBCETab returns the constant table of bceAVX2 (the constants of expf and
// log1pUnitf).
func newBCETab() *bceTab {
	v := [bceN]float32{
		bceAbs:     math.Float32frombits(0x7fffffff),
		bceLo:      -87.33654,
		bceLog2e:   1.44269504088896341,
		bceLn2Hi:   0.693359375,
		bceLn2Lo:   -2.12194440e-4,
		bceP0:      1.9875691500e-4,
		bceP1:      1.3981999507e-3,
		bceP2:      8.3334519073e-3,
		bceP3:      4.1665795894e-2,
		bceP4:      1.6666665459e-1,
		bceP5:      5.0000001201e-1,
		bceOne:     1,
		bceTwo:     2,
		bceBias:    math.Float32frombits(127),
		bceSqrt2m1: 0.41421356,
		bceLn2:     0.693147180559945309,
		bceInv3:    1.0 / 3,
		bceInv5:    1.0 / 5,
		bceInv7:    1.0 / 7,
		bceInv9:    1.0 / 9,
	}
	t := new(bceTab)
	for i, c := range v {
		for j := range t[i] {
			t[i][j] = c
		}
	}
	return t
}
