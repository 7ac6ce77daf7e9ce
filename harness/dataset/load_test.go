package dataset

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/latentbench/latentbench/sdk"
)

func digestFixture() Data {
	return Data{
		X: []float32{0, 1.5, -2, 3, 4, 5}, N: 3, D: 2,
		Labels: []int32{0, 1, 0}, Classes: []string{"a", "b"}, Anomaly: []bool{false, true, false},
		Features: []sdk.FeatureBlock{{Name: "v", Kind: sdk.FeatureNumeric, Start: 0, Width: 2}},
		Columns:  []string{"v0", "v1"},
	}
}

func cloneData(d Data) Data {
	d.X = slices.Clone(d.X)
	d.Labels = slices.Clone(d.Labels)
	d.Classes = slices.Clone(d.Classes)
	d.Anomaly = slices.Clone(d.Anomaly)
	d.Features = slices.Clone(d.Features)
	d.Columns = slices.Clone(d.Columns)
	return d
}

// TestDigest: equal data → equal digest; any change of X, labels, anomaly
// flags, features, classes or of which split holds what → another digest.
func TestDigest(t *testing.T) {
	base := digestFixture()
	test := digestFixture()
	test.X[0] = 9
	ref := DigestData(&base, &test)
	if len(ref) != 64 {
		t.Fatalf("digest %q is not hex SHA-256", ref)
	}
	same, same2 := cloneData(base), cloneData(test)
	same.Columns = []string{"renamed", "too"}
	if got := DigestData(&same, &same2); got != ref {
		t.Errorf("equal data (other column names) digest %s != %s", got, ref)
	}
	changes := []struct {
		name string
		mod  func(d *Data)
	}{
		{"x value", func(d *Data) { d.X[5] = math.Nextafter32(d.X[5], 10) }},
		{"negative zero", func(d *Data) { d.X[0] = float32(math.Copysign(0, -1)) }},
		{"shape", func(d *Data) { d.N, d.D = 2, 3 }},
		{"label", func(d *Data) { d.Labels[2] = 1 }},
		{"labels nil", func(d *Data) { d.Labels = nil }},
		{"anomaly", func(d *Data) { d.Anomaly[0] = true }},
		{"anomaly nil", func(d *Data) { d.Anomaly = nil }},
		{"feature kind", func(d *Data) { d.Features[0].Kind = sdk.FeatureUnit }},
		{"feature name", func(d *Data) { d.Features[0].Name = "w" }},
		{"class name", func(d *Data) { d.Classes[1] = "c" }},
		{"class split", func(d *Data) { d.Classes = []string{"ab"} }},
	}
	seen := map[string]string{ref: "reference"}
	for _, c := range changes {
		d := cloneData(base)
		c.mod(&d)
		tt := cloneData(test)
		got := DigestData(&d, &tt)
		if prev, ok := seen[got]; ok {
			t.Errorf("change %q gives the digest of %q", c.name, prev)
		}
		seen[got] = c.name
	}
	empty, emptyNil := Data{Anomaly: []bool{}}, Data{}
	if DigestData(&empty) == DigestData(&emptyNil) {
		t.Error("empty and nil anomaly flags give one digest")
	}
	if got := DigestData(&test, &base); got == ref {
		t.Error("swapping train and test keeps the digest")
	}
	// Large X goes through the chunked, parallel path.
	big := Data{X: make([]float32, 3*digestChunk+5), N: 3*digestChunk + 5, D: 1}
	for i := range big.X {
		big.X[i] = float32(i % 977)
	}
	b1 := DigestData(&big)
	big.X[2*digestChunk+1]++
	if b1 == DigestData(&big) {
		t.Error("change in the third chunk keeps the digest")
	}
	big.X[2*digestChunk+1]--
	if b1 != DigestData(&big) {
		t.Error("digest of big X is not reproducible")
	}
}

// TestSubsample: k sorted distinct rows of the pool, reproducible, different
// for another seed or stream, all rows for k = 0 or k = len.
func TestSubsample(t *testing.T) {
	pool := make([]int, 0, 500)
	for i := 0; i < 1000; i += 2 {
		pool = append(pool, i)
	}
	for _, k := range []int{1, 7, 250, 499} {
		a, err := Subsample(pool, k, newRand(11, streamTrain))
		if err != nil {
			t.Fatal(err)
		}
		if len(a) != k || !slices.IsSorted(a) || len(slices.Compact(slices.Clone(a))) != k {
			t.Fatalf("k = %d: got %d rows, sorted %v", k, len(a), slices.IsSorted(a))
		}
		for _, v := range a {
			if _, ok := slices.BinarySearch(pool, v); !ok {
				t.Fatalf("row %d is not in the pool", v)
			}
		}
		b, _ := Subsample(pool, k, newRand(11, streamTrain))
		if !slices.Equal(a, b) {
			t.Errorf("k = %d: same seed, different rows", k)
		}
		if k >= 7 {
			c, _ := Subsample(pool, k, newRand(12, streamTrain))
			e, _ := Subsample(pool, k, newRand(11, streamTest))
			if slices.Equal(a, c) || slices.Equal(a, e) {
				t.Errorf("k = %d: another seed or stream draws the same rows", k)
			}
		}
	}
	for _, k := range []int{0, len(pool)} {
		a, err := Subsample(pool, k, newRand(1, streamTrain))
		if err != nil || !slices.Equal(a, pool) {
			t.Errorf("k = %d: %v, %d rows", k, err, len(a))
		}
	}
	if _, err := Subsample(pool, len(pool)+1, newRand(1, streamTrain)); err == nil {
		t.Error("k > len(pool) accepted")
	}
	// Uniformity, roughly: each of 10 rows is drawn about k/n of the time.
	counts := make([]int, 10)
	r := newRand(99, streamTrain)
	rows := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	for trial := 0; trial < 2000; trial++ {
		s, _ := Subsample(rows, 3, r)
		for _, v := range s {
			counts[v]++
		}
	}
	for i, c := range counts {
		if c < 480 || c > 720 { // expectation 600, sd ≈ 20
			t.Errorf("row %d drawn %d times of 2000×3/10 = 600", i, c)
		}
	}
}

// TestSplitRows: sizes, disjointness, coverage and apportionment.
func TestSplitRows(t *testing.T) {
	tests := []struct {
		name   string
		n      int
		strata []int32
		frac   float64
		want   int
	}{
		{"plain", 100, nil, 0.2, 20},
		{"rounding", 7, nil, 0.2, 1},
		{"at least one", 3, nil, 0.01, 1},
		{"at most n-1", 3, nil, 0.99, 2},
		{"strata", 10, []int32{0, 0, 0, 0, 0, 0, 1, 1, 1, 2}, 0.3, 3},
		{"tiny strata", 5, []int32{1, 0, 1, 0, 2}, 0.2, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			train, test := SplitRows(tc.n, tc.strata, tc.frac, newRand(4, streamSplit))
			if len(test) != tc.want || len(train)+len(test) != tc.n {
				t.Fatalf("split %d/%d, want %d test of %d", len(train), len(test), tc.want, tc.n)
			}
			all := append(slices.Clone(train), test...)
			slices.Sort(all)
			for i, v := range all {
				if v != i {
					t.Fatalf("rows are not a partition of 0..%d", tc.n-1)
				}
			}
			if !slices.IsSorted(train) || !slices.IsSorted(test) {
				t.Error("split not in row order")
			}
			if tc.strata != nil {
				per := map[int32]int{}
				size := map[int32]int{}
				for _, r := range test {
					per[tc.strata[r]]++
				}
				for _, s := range tc.strata {
					size[s]++
				}
				for s, n := range size {
					if q := float64(len(test)) * float64(n) / float64(tc.n); math.Abs(float64(per[s])-q) >= 1 {
						t.Errorf("stratum %d: %d test rows, quota %v", s, per[s], q)
					}
				}
			}
			tr2, te2 := SplitRows(tc.n, tc.strata, tc.frac, newRand(4, streamSplit))
			if !slices.Equal(train, tr2) || !slices.Equal(test, te2) {
				t.Error("same seed, different split")
			}
		})
	}
}

// TestScaler checks the constant-column rules and the statistics.
func TestScaler(t *testing.T) {
	tests := []struct {
		mode string
		vals []float64
		want scaler
	}{
		{ScaleStandard, []float64{1, 2, 3, 4}, scaler{2.5, math.Sqrt(1.25)}},
		{ScaleStandard, []float64{0.1, 0.1, 0.1}, scaler{0.1, 1}}, // 0.1·3/3 ≠ 0.1 in floating point: still constant
		{ScaleMinMax, []float64{3, -1, 7}, scaler{-1, 8}},
		{ScaleMinMax, []float64{2, 2}, scaler{2, 1}},
		{ScaleNone, []float64{5, 6}, scaler{0, 1}},
		{ScaleStandard, nil, scaler{0, 1}},
	}
	for _, tc := range tests {
		got := fitScaler(tc.mode, tc.vals)
		if math.Abs(got.center-tc.want.center) > 1e-15 || math.Abs(got.scale-tc.want.scale) > 1e-15 {
			t.Errorf("%s %v: %+v, want %+v", tc.mode, tc.vals, got, tc.want)
		}
	}
}

// TestLoadDeterministic: the same spec gives the same digest; seeds and
// counts change it; the Spec is kept in Loaded.
func TestLoadDeterministic(t *testing.T) {
	dir := t.TempDir()
	synthIDX{nTrain: 50, nTest: 20, h: 2, w: 3}.write(t, dir)
	load := func(s Spec) *Loaded {
		t.Helper()
		l, err := Load(context.Background(), s, dir)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	s := Spec{Name: "m", Format: "idx", Path: ".", Train: 20, Test: 10, Seed: 42}
	a, b := load(s), load(s)
	if a.Digest != b.Digest || a.Spec.Name != "m" || a.Spec.Train != 20 {
		t.Fatalf("digests %s %s, spec %+v", a.Digest, b.Digest, a.Spec)
	}
	if a.Digest != DigestData(&a.Train, &a.Test) {
		t.Error("Digest is not DigestData of the splits")
	}
	for _, mod := range []func(*Spec){
		func(s *Spec) { s.Seed = 43 },
		func(s *Spec) { s.Train = 19 },
		func(s *Spec) { s.Test = 0 },
	} {
		s2 := s
		mod(&s2)
		if load(s2).Digest == a.Digest {
			t.Errorf("spec %+v keeps the digest", s2)
		}
	}
	// The test subsample does not depend on the train count (own stream).
	s3 := s
	s3.Train = 30
	if c := load(s3); !slices.Equal(c.Test.X, a.Test.X) {
		t.Error("changing train changed the test rows")
	}
}
