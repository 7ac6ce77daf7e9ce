package iforest

import (
	"context"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestGroupsGoldenSklearn compares with one 5000-tree scikit-learn
// IsolationForest per group (testdata/gen_golden.py, "groups2d": a 2-D
// mixture whose groups are its components, ids 7, −2, 30, the smallest group
// under 256 points).
func TestGroupsGoldenSklearn(t *testing.T) {
	g := loadGolden(t, "groups2d")
	gf, err := FitGroups(context.Background(), g.X, g.N, g.D, g.Groups, Options{NEstimators: goTrees, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := gf.Groups(); !slices.Equal(got, []int{-2, 7, 30}) {
		t.Fatalf("groups %v", got)
	}
	for _, c := range []struct {
		what   string
		x      []float64
		n      int
		groups []int
		want   []float64
	}{
		{"fitted points", g.X, g.N, g.Groups, g.Scores},
		{"held-out points", g.HeldoutX, g.HeldoutN, g.HeldoutGroups, g.HeldoutScores},
	} {
		got, err := gf.Score(c.x, c.n, c.groups)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range gf.Groups() {
			var a, b []float64
			for i, gi := range c.groups {
				if gi == id {
					a, b = append(a, got[i]), append(b, c.want[i])
				}
			}
			rho := spearman(a, b)
			mx, mean := maxMeanAbs(a, b)
			t.Logf("%s, group %d (%d points, ψ = %d): Spearman %.5f, max |Δ| %.4f, mean |Δ| %.5f",
				c.what, id, len(a), gf.Forest(id).SampleSize(), rho, mx, mean)
			if rho < minSpearman || mx > maxAbsDiff || mean > maxMeanDiff {
				t.Errorf("%s, group %d: Spearman %.5f, max |Δ| %.4f, mean |Δ| %.5f", c.what, id, rho, mx, mean)
			}
		}
	}
}

func TestGroupForest(t *testing.T) {
	x, comp := mixture(3000, 21)
	groups := make([]int, len(comp))
	for i, k := range comp {
		groups[i] = 10 * (k + 1) // ids 10, 20, 30
	}
	opt := Options{Seed: 5}
	gf, err := FitGroups(context.Background(), x, 3000, 2, groups, opt)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gf.Score(x, 3000, groups)
	if err != nil {
		t.Fatal(err)
	}
	// Each point is scored by its own group's forest, which is the forest
	// Fit gives on that group's rows with GroupSeed.
	for _, id := range []int{10, 20, 30} {
		var rows []float64
		var want []float64
		for i, gi := range groups {
			if gi == id {
				rows = append(rows, x[2*i:2*i+2]...)
				want = append(want, s[i])
			}
		}
		o := opt
		o.Seed = GroupSeed(opt.Seed, id)
		f, err := Fit(context.Background(), rows, len(want), 2, o)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(f.Score(rows, len(want)), want) {
			t.Errorf("group %d: scores differ from its own forest", id)
		}
		fb, _ := f.MarshalBinary()
		gb, _ := gf.Forest(id).MarshalBinary()
		if !slices.Equal(fb, gb) {
			t.Errorf("group %d: forest differs from Fit with GroupSeed", id)
		}
	}
	// The centre of component 0 is normal for group 10 and abnormal for
	// group 20 (whose points are around (5, 5)).
	c, err := gf.Score([]float64{0, 0, 0, 0}, 2, []int{10, 20})
	if err != nil {
		t.Fatal(err)
	}
	if !(c[0] > c[1]+0.1) {
		t.Errorf("centre of group 10 scores %v in group 10, %v in group 20", c[0], c[1])
	}

	// Unknown group ids are errors naming the id and row.
	_, err = gf.Score([]float64{0, 0, 1, 1}, 2, []int{10, 40})
	if err == nil || !strings.Contains(err.Error(), "group 40") || !strings.Contains(err.Error(), "row 1") {
		t.Errorf("unknown group: %v", err)
	}
	if s0, err := gf.Score(nil, 0, nil); err != nil || len(s0) != 0 {
		t.Errorf("Score of no point: %v, %v", s0, err)
	}
	if gf.Forest(40) != nil {
		t.Error("Forest(40) is not nil")
	}
	if _, err := gf.Score(x[:4], 2, []int{10}); err == nil {
		t.Error("len(groups) ≠ n accepted")
	}
	if _, err := FitGroups(context.Background(), x, 3000, 2, groups[:10], opt); err == nil {
		t.Error("FitGroups with len(groups) ≠ n accepted")
	}

	// Marshal round trip.
	b, err := gf.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var g2 GroupForest
	if err := g2.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	s2, err := g2.Score(x, 3000, groups)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s, s2) {
		t.Error("scores differ after the marshal round trip")
	}
	if b2, _ := g2.MarshalBinary(); !slices.Equal(b, b2) {
		t.Error("re-encoding differs")
	}
	for i := 0; i < len(b); i += 97 {
		var g3 GroupForest
		if g3.UnmarshalBinary(b[:i]) == nil {
			t.Fatalf("truncation to %d bytes accepted", i)
		}
	}
	bad := slices.Clone(b)
	bad[len(bad)/2] ^= 0x10
	if (&GroupForest{}).UnmarshalBinary(bad) == nil {
		t.Error("corrupted bytes accepted")
	}

	// Determinism whatever GOMAXPROCS.
	prev := runtime.GOMAXPROCS(1)
	gf1, err := FitGroups(context.Background(), x, 3000, 2, groups, opt)
	var s1 []float64
	if err == nil {
		s1, err = gf1.Score(x, 3000, groups)
	}
	runtime.GOMAXPROCS(prev)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s, s1) {
		t.Error("GOMAXPROCS=1 gives different scores")
	}
}
