package pca

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

func randomData(n, d int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := make([]float64, n*d)
	for i := 0; i < n; i++ {
		// Correlated columns with decreasing scale, so components are distinct.
		a, b := rng.NormFloat64(), rng.NormFloat64()
		for j := 0; j < d; j++ {
			x[i*d+j] = a*float64(d-j) + 0.5*b*float64(j) + 0.1*rng.NormFloat64()
		}
	}
	return x
}

// The eigen route gives the components and variances of gonum's stat.PC.
func TestFitMatchesStatPC(t *testing.T) {
	for _, tc := range []struct{ n, d, k int }{{200, 5, 2}, {500, 12, 3}, {50, 3, 3}} {
		x := randomData(tc.n, tc.d, uint64(tc.n))
		m, err := Fit(x, tc.n, tc.d, tc.k)
		if err != nil {
			t.Fatal(err)
		}
		var pc stat.PC
		if !pc.PrincipalComponents(mat.NewDense(tc.n, tc.d, x), nil) {
			t.Fatal("stat.PC failed")
		}
		var vecs mat.Dense
		pc.VectorsTo(&vecs)
		vars := pc.VarsTo(nil)
		for j := 0; j < tc.k; j++ {
			if math.Abs(vars[j]-m.Variances[j]) > 1e-9*math.Max(1, vars[j]) {
				t.Errorf("%v: variance %d = %g, stat.PC %g", tc, j, m.Variances[j], vars[j])
			}
			// Same direction up to sign.
			dot := 0.0
			for i := 0; i < tc.d; i++ {
				dot += vecs.At(i, j) * m.Components.At(i, j)
			}
			if math.Abs(math.Abs(dot)-1) > 1e-8 {
				t.Errorf("%v: component %d |cos| = %g", tc, j, math.Abs(dot))
			}
		}
	}
}

func TestEncodeAndRoundTrip(t *testing.T) {
	n, d := 300, 6
	x := randomData(n, d, 7)
	m, err := Fit(x, n, d, 2)
	if err != nil {
		t.Fatal(err)
	}
	z, err := m.Encode(x, n)
	if err != nil {
		t.Fatal(err)
	}
	// Scores are centred with the component variances.
	for j := 0; j < 2; j++ {
		var mean, ss float64
		for i := 0; i < n; i++ {
			mean += z[i*2+j]
		}
		mean /= float64(n)
		for i := 0; i < n; i++ {
			ss += (z[i*2+j] - mean) * (z[i*2+j] - mean)
		}
		if math.Abs(mean) > 1e-9 || math.Abs(ss/float64(n-1)-m.Variances[j]) > 1e-9*m.Variances[j] {
			t.Errorf("component %d: mean %g, variance %g, want 0 and %g", j, mean, ss/float64(n-1), m.Variances[j])
		}
	}
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var m2 Model
	if err := m2.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	z2, _ := m2.Encode(x, n)
	for i := range z {
		if z[i] != z2[i] {
			t.Fatalf("round trip changed value %d: %g vs %g", i, z[i], z2[i])
		}
	}
	if err := m2.UnmarshalBinary(b[:len(b)-1]); err == nil {
		t.Error("truncated model accepted")
	}
}

func TestFitErrors(t *testing.T) {
	x := randomData(10, 3, 1)
	for _, tc := range []struct{ n, d, k int }{{1, 3, 1}, {10, 3, 0}, {10, 3, 4}} {
		if _, err := Fit(x[:tc.n*tc.d], tc.n, tc.d, tc.k); err == nil {
			t.Errorf("Fit(n=%d, d=%d, k=%d) accepted", tc.n, tc.d, tc.k)
		}
	}
}

func BenchmarkFitMNISTShape(b *testing.B) {
	n, d := 10000, 784
	x := randomData(n, d, 3)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Fit(x, n, d, 2); err != nil {
			b.Fatal(err)
		}
	}
}
