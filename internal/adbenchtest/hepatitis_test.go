package adbenchtest

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/latentbench/latentbench/harness/dataset"
	"github.com/latentbench/latentbench/metrics"
	"github.com/latentbench/latentbench/plugins/detectors/iforest"
)

// hepatitisGolden is testdata/hepatitis_iforest.json, written by testdata/gen_hepatitis.py.
type hepatitisGolden struct {
	SklearnVersion string    `json:"sklearn_version"`
	File           string    `json:"file"`
	X              []float64 `json:"x"`
	Y              []int     `json:"y"`
	N              int       `json:"n"`
	D              int       `json:"d"`
	BigTrees       int       `json:"big_trees"`
	MeanDepth      []float64 `json:"mean_depth"`
	DepthNoise     float64   `json:"mean_depth_seed_noise"`
	AUC100         aucStats  `json:"auc_100"`
	AUC1000        aucStats  `json:"auc_1000"`
}

type aucStats struct {
	Seeds int     `json:"seeds"`
	Mean  float64 `json:"mean"`
	SD    float64 `json:"sd"`
}

// TestHepatitisIForest pins the reading of the isolation forest's ROC-AUC on ADBench
// 15_Hepatitis (80 rows, 13 of its 19 features binary, so every tree is grown on all rows):
// it is scikit-learn's, not lower. A reported 0.696 against scikit-learn's 0.711–0.736 came from
// comparing different forests: under one protocol (fit and score all rows, 1000 trees) both
// give 0.696–0.697 over 20 seeds (sd 0.005–0.009), and with 100 trees both give about 0.70 over
// 50 seeds (sd 0.024), where a run of 20 seeds can average 0.711 by chance. The test compares
// the distribution, not single forests:
//
//   - the expected depth E[h(x)] of every row, estimated with 20,000 trees, differs from
//     scikit-learn's by no more than twice the difference between two scikit-learn forests of
//     different seeds (a wrong split rule, feature draw or path-length normalisation c(n) at
//     small n moves it by more);
//   - the mean ROC-AUC over seeds is within 3 standard errors of scikit-learn's, for 100 and
//     for 1000 trees.
func TestHepatitisIForest(t *testing.T) {
	b, err := os.ReadFile("testdata/hepatitis_iforest.json")
	if err != nil {
		t.Fatal(err)
	}
	var g hepatitisGolden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.X) != g.N*g.D || len(g.Y) != g.N || len(g.MeanDepth) != g.N {
		t.Fatal("testdata/hepatitis_iforest.json: inconsistent shapes")
	}
	checkHepatitisFile(t, &g)
	anomaly := make([]bool, g.N)
	for i, v := range g.Y {
		anomaly[i] = v == 1
	}
	ctx := context.Background()

	f, err := iforest.Fit(ctx, g.X, g.N, g.D, iforest.Options{NEstimators: g.BigTrees, Seed: 0})
	if err != nil {
		t.Fatal(err)
	}
	c := iforest.AveragePathLength(g.N)
	worst, worstRow := 0.0, -1
	for i, s := range f.Score(g.X, g.N) {
		depth := -math.Log2(-s) * c
		if diff := math.Abs(depth - g.MeanDepth[i]); diff > worst {
			worst, worstRow = diff, i
		}
	}
	t.Logf("expected depth: largest difference from scikit-learn %.4f (row %d); between two scikit-learn forests %.4f",
		worst, worstRow, g.DepthNoise)
	if worst > 2*g.DepthNoise {
		t.Errorf("expected depth of row %d differs from scikit-learn's by %.4f, more than twice the seed noise %.4f",
			worstRow, worst, g.DepthNoise)
	}

	for _, ref := range []struct {
		trees int
		st    aucStats
	}{{100, g.AUC100}, {1000, g.AUC1000}} {
		aucs := make([]float64, ref.st.Seeds)
		for r := range aucs {
			f, err := iforest.Fit(ctx, g.X, g.N, g.D, iforest.Options{NEstimators: ref.trees, Seed: uint64(r)})
			if err != nil {
				t.Fatal(err)
			}
			aucs[r] = hepatitisAUC(t, anomaly, f.Score(g.X, g.N))
		}
		mean, sd := meanSD(aucs)
		se := math.Sqrt((sd*sd + ref.st.SD*ref.st.SD) / float64(ref.st.Seeds))
		t.Logf("%d trees, %d seeds: ROC-AUC %.4f (sd %.4f), scikit-learn %.4f (sd %.4f)",
			ref.trees, ref.st.Seeds, mean, sd, ref.st.Mean, ref.st.SD)
		if math.Abs(mean-ref.st.Mean) > 3*se {
			t.Errorf("%d trees: mean ROC-AUC %.4f vs scikit-learn's %.4f: more than 3 standard errors (%.4f) apart",
				ref.trees, mean, ref.st.Mean, se)
		}
	}
}

// checkHepatitisFile checks that the bundled file holds the golden's rows (in any order: the
// loader permutes them into its splits).
func checkHepatitisFile(t *testing.T, g *hepatitisGolden) {
	t.Helper()
	l, err := dataset.Load(context.Background(), dataset.Spec{
		Name: "hepatitis", Format: "npz", Path: g.File, TestFraction: 0.2, Seed: 1, Scale: "none",
	}, root)
	if err != nil {
		t.Fatalf("load %s: %v", g.File, err)
	}
	if l.Train.D != g.D || l.Train.N+l.Test.N != g.N {
		t.Fatalf("%s: %d×%d rows, golden %d×%d", g.File, l.Train.N+l.Test.N, l.Train.D, g.N, g.D)
	}
	var got, want [][]float64
	for _, sp := range []*dataset.Data{&l.Train, &l.Test} {
		for i := 0; i < sp.N; i++ {
			row := make([]float64, sp.D)
			for j, v := range sp.Row(i) {
				row[j] = float64(v)
			}
			got = append(got, row)
		}
	}
	for i := 0; i < g.N; i++ {
		want = append(want, g.X[i*g.D:(i+1)*g.D])
	}
	for _, rows := range [][][]float64{got, want} {
		slices.SortFunc(rows, func(a, b []float64) int { return slices.Compare(a, b) })
	}
	for i := range got {
		if slices.Compare(got[i], want[i]) != 0 {
			t.Fatalf("%s does not hold the golden's rows: rerun testdata/gen_hepatitis.py", g.File)
		}
	}
}

func hepatitisAUC(t *testing.T, anomaly []bool, score []float64) float64 {
	t.Helper()
	a, err := metrics.ROCAUC(score, anomaly) // low normality score = anomaly
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func meanSD(v []float64) (mean, sd float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for _, x := range v {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(len(v)))
}
