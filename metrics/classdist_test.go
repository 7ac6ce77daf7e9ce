package metrics

import (
	"math"
	"reflect"
	"slices"
	"testing"
)

func TestClassDistributionGolden(t *testing.T) {
	var g struct {
		Cases []struct {
			Name          string     `json:"name"`
			S             scoresSpec `json:"s"`
			ClassSeed     uint64     `json:"class_seed"`
			K             int        `json:"k"`
			ClassShift    float64    `json:"class_shift"`
			Contamination float64    `json:"contamination"`
			Flagged       []int      `json:"flagged"`
			Classes       []int      `json:"classes"`
			P             []float64  `json:"p"`
			Q             []float64  `json:"q"`
			RMSE          float64    `json:"rmse"`
		} `json:"cases"`
	}
	scoresLoadJSON(t, "scores_classdist.json", &g)
	for _, c := range g.Cases {
		s := scoresGen(t, c.S)
		us := &scoresUnitStream{state: c.ClassSeed}
		cls := make([]int, len(s))
		for i := range cls {
			u := us.next()
			cls[i] = int(math.Floor(float64(u*u) * float64(c.K)))
			s[i] += float64(c.ClassShift * float64(cls[i]))
		}
		cs, flagged, err := ClassDistribution(s, cls, c.Contamination)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		for i := 1; i < len(flagged); i++ {
			a, b := flagged[i-1], flagged[i]
			if s[a] > s[b] || (s[a] == s[b] && a > b) {
				t.Errorf("%s: flagged not in (score, index) order at %d", c.Name, i)
			}
		}
		sorted := slices.Clone(flagged)
		slices.Sort(sorted)
		if !slices.Equal(sorted, c.Flagged) {
			t.Errorf("%s: flagged set differs from the numpy rendering (%d vs %d points)", c.Name, len(sorted), len(c.Flagged))
		}
		if !slices.Equal(cs.Classes, c.Classes) || !slices.Equal(cs.P, c.P) || !slices.Equal(cs.Q, c.Q) {
			t.Errorf("%s: shares %+v, numpy classes %v p %v q %v", c.Name, cs, c.Classes, c.P, c.Q)
		}
		if e := scoresRelErr(cs.RMSE, c.RMSE, 1e-300); e > 1e-12 {
			t.Errorf("%s: RMSE %.17g, numpy %.17g", c.Name, cs.RMSE, c.RMSE)
		}
		rmse, fl2, err := ClassDistributionRMSE(s, cls, c.Contamination)
		if err != nil || rmse != cs.RMSE || !slices.Equal(fl2, flagged) {
			t.Errorf("%s: ClassDistributionRMSE disagrees with ClassDistribution", c.Name)
		}
	}
}

func TestClassDistributionHandComputed(t *testing.T) {
	for _, c := range []struct {
		name          string
		scores        []float64
		classes       []int
		contamination float64
		flagged       []int
		ids           []int
		p, q          []float64
		rmse          float64
	}{
		{
			// k = 3: scores 0 (class 2), 1 (class 0), 2 (class 1).
			// p = (½, ⅓, ⅙), q = (⅓, ⅓, ⅓): mean sq = (1/36 + 0 + 1/36)/3.
			name:   "three classes",
			scores: []float64{5, 1, 4, 2, 3, 0}, classes: []int{0, 0, 0, 1, 1, 2},
			contamination: 0.5, flagged: []int{5, 1, 3}, ids: []int{0, 1, 2},
			p: []float64{3.0 / 6, 2.0 / 6, 1.0 / 6}, q: []float64{1.0 / 3, 1.0 / 3, 1.0 / 3},
			rmse: math.Sqrt(1.0 / 54),
		},
		{
			// All tied: the first k indices; spread like the data.
			name:   "ties by index",
			scores: []float64{7, 7, 7, 7}, classes: []int{9, 4, 9, 4},
			contamination: 0.5, flagged: []int{0, 1}, ids: []int{4, 9},
			p: []float64{0.5, 0.5}, q: []float64{0.5, 0.5}, rmse: 0,
		},
		{
			// round(0.5·5) = 3 (half away from zero); a class with no flagged
			// point has q = 0. p = (⅖, ⅗), q = (0, 1): both differences ±0.4.
			name:   "half rounds up",
			scores: []float64{0.3, 0.1, 0.5, 0.2, 0.9}, classes: []int{1, 1, -2, 1, -2},
			contamination: 0.5, flagged: []int{1, 3, 0}, ids: []int{-2, 1},
			p: []float64{0.4, 0.6}, q: []float64{0, 1}, rmse: 0.4,
		},
		{
			// 0.1·15 = 1.5000000000000002 → 2 points.
			name:    "rounding of the product",
			scores:  []float64{14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
			classes: []int{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1}, contamination: 0.1,
			flagged: []int{14, 13}, ids: []int{0, 1},
			p: []float64{13.0 / 15, 2.0 / 15}, q: []float64{0, 1},
			rmse: math.Sqrt(((13.0/15)*(13.0/15) + (13.0/15)*(13.0/15)) / 2),
		},
	} {
		cs, flagged, err := ClassDistribution(c.scores, c.classes, c.contamination)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !slices.Equal(flagged, c.flagged) || !slices.Equal(cs.Classes, c.ids) {
			t.Errorf("%s: flagged %v classes %v, want %v %v", c.name, flagged, cs.Classes, c.flagged, c.ids)
		}
		for i := range c.p {
			if math.Abs(cs.P[i]-c.p[i]) > 1e-15 || math.Abs(cs.Q[i]-c.q[i]) > 1e-15 {
				t.Errorf("%s: p %v q %v, want %v %v", c.name, cs.P, cs.Q, c.p, c.q)
				break
			}
		}
		if math.Abs(cs.RMSE-c.rmse) > 1e-15 {
			t.Errorf("%s: RMSE %v, want %v", c.name, cs.RMSE, c.rmse)
		}
		if cs.N != len(c.scores) || cs.Flagged != len(c.flagged) {
			t.Errorf("%s: N %d Flagged %d", c.name, cs.N, cs.Flagged)
		}
	}
}

func TestClassDistributionErrors(t *testing.T) {
	s := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	cl := []int{0, 1, 0, 1, 0, 1, 0, 1, 0, 1}
	for _, c := range []struct {
		name          string
		scores        []float64
		classes       []int
		contamination float64
	}{
		{"zero contamination", s, cl, 0},
		{"contamination above 1", s, cl, 1.5},
		{"NaN contamination", s, cl, math.NaN()},
		{"rounds to no point", s, cl, 0.04},
		{"length mismatch", s, cl[:9], 0.1},
		{"NaN score", append([]float64{math.NaN()}, s[1:]...), cl, 0.1},
		{"empty", nil, nil, 0.1},
	} {
		if _, _, err := ClassDistributionRMSE(c.scores, c.classes, c.contamination); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	for _, fl := range [][]int{nil, {10}, {-1}, {3, 3}} {
		if _, err := ClassSharesOf(cl, fl); err == nil {
			t.Errorf("ClassSharesOf(%v): no error", fl)
		}
	}
}

func TestMisclassification(t *testing.T) {
	for _, c := range []struct {
		name              string
		clusters, classes []int
		want              MisclassResult
	}{
		{
			name:     "majorities, a tie and a noise cluster",
			clusters: []int{0, 0, 0, 1, 1, 1, 1, 2, -1, -1},
			classes:  []int{3, 3, 5, 2, 1, 1, 2, 7, 4, 4},
			want: MisclassResult{
				PerCluster: []ClusterMisclass{
					{Cluster: -1, Majority: 4, Size: 2, Misclassified: 0},
					{Cluster: 0, Majority: 3, Size: 3, Misclassified: 1},
					{Cluster: 1, Majority: 1, Size: 4, Misclassified: 2}, // 2 vs 2: smallest label
					{Cluster: 2, Majority: 7, Size: 1, Misclassified: 0},
				},
				Total:   3,
				Indices: []int{2, 3, 6},
			},
		},
		{
			name:     "one cluster, three labels",
			clusters: []int{5, 5, 5, 5, 5, 5},
			classes:  []int{9, 8, 9, 7, 8, 9},
			want: MisclassResult{
				PerCluster: []ClusterMisclass{{Cluster: 5, Majority: 9, Size: 6, Misclassified: 3}},
				Total:      3,
				Indices:    []int{1, 3, 4},
			},
		},
		{
			name:     "pure clusters",
			clusters: []int{1, 0, 1, 0},
			classes:  []int{6, 2, 6, 2},
			want: MisclassResult{
				PerCluster: []ClusterMisclass{{0, 2, 2, 0}, {1, 6, 2, 0}},
				Indices:    []int{},
			},
		},
		{
			name: "empty",
			want: MisclassResult{PerCluster: []ClusterMisclass{}, Indices: []int{}},
		},
	} {
		got := Misclassification(c.clusters, c.classes)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("length mismatch: no panic")
		}
	}()
	Misclassification([]int{1, 2}, []int{1})
}

func BenchmarkClassDistribution60k(b *testing.B) {
	s := scoresGen(b, scoresSpec{Kind: "sum3", Seed: 5, N: 60000})
	cl := make([]int, len(s))
	us := &scoresUnitStream{state: 6}
	for i := range cl {
		cl[i] = int(us.next() * 10)
	}
	for b.Loop() {
		if _, _, err := ClassDistributionRMSE(s, cl, 0.1); err != nil {
			b.Fatal(err)
		}
	}
}
