package adbenchtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latentbench/latentbench/harness/dataset"
	"github.com/latentbench/latentbench/metrics"
	"github.com/latentbench/latentbench/plugins/detectors/iforest"
	"github.com/latentbench/latentbench/plugins/detectors/lof"
	"github.com/latentbench/latentbench/plugins/detectors/ocsvm"
)

// root is the repository root (tests run in internal/adbenchtest); the
// golden file names the data sets relative to it.
const root = "../.."

// goldenPath is written by testdata/gen_golden.py.
const goldenPath = "testdata/adbench_auc.json"

// aucTolerance is the acceptance bound on |AUC_go − AUC_sklearn|.
const aucTolerance = 0.02

// golden is testdata/adbench_auc.json.
type golden struct {
	SklearnVersion     string      `json:"sklearn_version"`
	IForestNEstimators int         `json:"iforest_n_estimators"`
	IForestSeeds       []uint64    `json:"iforest_seeds"`
	LOFNNeighbors      int         `json:"lof_n_neighbors"`
	OCSVMGamma         string      `json:"ocsvm_gamma"`
	OCSVMNu            float64     `json:"ocsvm_nu"`
	Datasets           []goldenSet `json:"datasets"`
}

// goldenSet is one data set of the golden file.
type goldenSet struct {
	Name      string             `json:"name"`
	File      string             `json:"file"`
	SHA256    string             `json:"sha256"`
	Rows      int                `json:"rows"`
	Features  int                `json:"features"`
	Anomalies int                `json:"anomalies"`
	AUC       map[string]float64 `json:"auc"`
	IFSeedSD  float64            `json:"iforest_seed_sd"`
}

func readGolden(tb testing.TB) *golden {
	tb.Helper()
	b, err := os.ReadFile(goldenPath)
	if err != nil {
		tb.Fatalf("read golden AUCs: %v", err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		tb.Fatalf("parse %s: %v", goldenPath, err)
	}
	if g.OCSVMGamma != "scale" || len(g.IForestSeeds) == 0 {
		tb.Fatalf("%s: unexpected protocol (ocsvm gamma %q, %d iforest seeds)", goldenPath, g.OCSVMGamma, len(g.IForestSeeds))
	}
	return &g
}

func (g *golden) set(tb testing.TB, name string) goldenSet {
	tb.Helper()
	for _, s := range g.Datasets {
		if s.Name == name {
			return s
		}
	}
	tb.Fatalf("%s has no data set %q: rerun testdata/gen_golden.py", goldenPath, name)
	return goldenSet{}
}

// points is a standardised data set: n rows of d features, row-major.
type points struct {
	x       []float64
	n, d    int
	anomaly []bool
}

// loadStandardised reads the .npz through harness/dataset (scale "none", so
// Data.X is float32(X)), joins its train and test splits (the split only
// permutes the rows; AUC does not depend on the order) and standardises every
// column over all rows as scikit-learn's StandardScaler does: (x − mean)/sd
// with the population sd, sd := 1 for a (numerically) constant column — the
// loader's "standard" scaling, but with statistics over all rows instead of
// the train split. It checks the file's digest, shape and anomaly count
// against the golden file, so the goldens belong to this data.
func loadStandardised(ctx context.Context, tb testing.TB, gs goldenSet) points {
	tb.Helper()
	path := filepath.Join(root, gs.File)
	raw, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%s: %v", gs.Name, err)
	}
	if sum := sha256.Sum256(raw); hex.EncodeToString(sum[:]) != gs.SHA256 {
		tb.Fatalf("%s: sha256 of %s differs from the golden file's: rerun testdata/gen_golden.py", gs.Name, path)
	}
	l, err := dataset.Load(ctx, dataset.Spec{
		Name: gs.Name, Format: "npz", Path: gs.File, TestFraction: 0.2, Seed: 1, Scale: "none",
	}, root)
	if err != nil {
		tb.Fatalf("load %s: %v", gs.Name, err)
	}
	d := l.Train.D
	n := l.Train.N + l.Test.N
	p := points{x: make([]float64, 0, n*d), n: n, d: d, anomaly: make([]bool, 0, n)}
	nAnom := 0
	for _, sp := range []*dataset.Data{&l.Train, &l.Test} {
		for _, v := range sp.X {
			p.x = append(p.x, float64(v))
		}
		for _, a := range sp.Anomaly {
			p.anomaly = append(p.anomaly, a)
			if a {
				nAnom++
			}
		}
	}
	if n != gs.Rows || d != gs.Features || nAnom != gs.Anomalies {
		tb.Fatalf("%s: loaded %d×%d with %d anomalies, golden file says %d×%d with %d",
			gs.Name, n, d, nAnom, gs.Rows, gs.Features, gs.Anomalies)
	}
	standardise(p.x, n, d)
	return p
}

// standardise scales each column of the n×d row-major x in place to zero
// mean and unit population variance (sklearn.preprocessing.StandardScaler;
// its constant-feature test from sklearn/preprocessing/_data.py,
// var ≤ n·ε·var + (n·mean·ε)², keeps the scale at 1).
func standardise(x []float64, n, d int) {
	const eps = 0x1p-52
	fn := float64(n)
	for j := 0; j < d; j++ {
		mean := 0.0
		for i := 0; i < n; i++ {
			mean += x[i*d+j]
		}
		mean /= fn
		ss := 0.0
		for i := 0; i < n; i++ {
			r := x[i*d+j] - mean
			ss += r * r
		}
		variance := ss / fn
		sd := math.Sqrt(variance)
		if variance <= fn*eps*variance+(fn*mean*eps)*(fn*mean*eps) {
			sd = 1
		}
		for i := 0; i < n; i++ {
			x[i*d+j] = (x[i*d+j] - mean) / sd
		}
	}
}

// detector fits on all rows of p and returns the normality scores of the
// same rows (higher = more normal), for one seed (ignored where the detector
// is deterministic).
type detector struct {
	name   string
	seeded bool // averaged over the golden file's seeds
	score  func(ctx context.Context, g *golden, p points, seed uint64) ([]float64, error)
}

func detectors() []detector {
	return []detector{
		{"iforest", true, func(ctx context.Context, g *golden, p points, seed uint64) ([]float64, error) {
			f, err := iforest.Fit(ctx, p.x, p.n, p.d, iforest.Options{NEstimators: g.IForestNEstimators, Seed: seed})
			if err != nil {
				return nil, fmt.Errorf("iforest fit: %w", err)
			}
			return f.Score(p.x, p.n), nil
		}},
		{"lof", false, func(ctx context.Context, g *golden, p points, _ uint64) ([]float64, error) {
			m, err := lof.Fit(ctx, p.x, p.n, p.d, lof.Options{NNeighbors: g.LOFNNeighbors})
			if err != nil {
				return nil, fmt.Errorf("lof fit: %w", err)
			}
			return m.TrainScores(), nil
		}},
		{"ocsvm", false, func(ctx context.Context, g *golden, p points, _ uint64) ([]float64, error) {
			m, err := ocsvm.Fit(ctx, p.x, p.n, p.d, ocsvm.Options{Nu: g.OCSVMNu})
			if err != nil {
				return nil, fmt.Errorf("ocsvm fit: %w", err)
			}
			if !m.Converged() {
				return nil, fmt.Errorf("ocsvm did not converge in %d iterations", m.Iterations())
			}
			return m.DecisionContext(ctx, p.x, p.n)
		}},
	}
}

// goAUC returns the mean ROC-AUC of det over the seeds (one run for a
// deterministic detector) and the population sd over the seeds.
func goAUC(ctx context.Context, g *golden, det detector, p points) (mean, sd float64, err error) {
	seeds := []uint64{0}
	if det.seeded {
		seeds = g.IForestSeeds
	}
	aucs := make([]float64, len(seeds))
	for i, s := range seeds {
		scores, err := det.score(ctx, g, p, s)
		if err != nil {
			return 0, 0, err
		}
		if aucs[i], err = metrics.ROCAUC(scores, p.anomaly); err != nil {
			return 0, 0, fmt.Errorf("%s ROC-AUC: %w", det.name, err)
		}
		mean += aucs[i]
	}
	mean /= float64(len(aucs))
	for _, a := range aucs {
		sd += (a - mean) * (a - mean)
	}
	return mean, math.Sqrt(sd / float64(len(aucs))), nil
}

// chosenSets returns the ADBench sets of the acceptance test (see
// gen_golden.py for why these); the golden file must hold each.
func chosenSets() []string { return []string{"cardio", "thyroid", "pima"} }

// TestADBenchAUCMatchesSklearn checks, for each chosen ADBench set and each
// detector fitted and scored on all rows, that |AUC_go − AUC_sklearn| ≤ 0.02;
// the isolation forest's AUC is the mean over the golden file's seeds on both
// sides (the two use different random streams).
func TestADBenchAUCMatchesSklearn(t *testing.T) {
	g := readGolden(t)
	ctx := t.Context()
	var table strings.Builder
	fmt.Fprintf(&table, "ROC-AUC, fit and score on all rows (sklearn %s; iforest: mean over %d seeds, ±sd over seeds)\n",
		g.SklearnVersion, len(g.IForestSeeds))
	fmt.Fprintf(&table, "%-8s %-8s %-16s %-16s %s\n", "set", "detector", "go", "sklearn", "|diff|")
	for _, name := range chosenSets() {
		gs := g.set(t, name)
		p := loadStandardised(ctx, t, gs)
		for _, det := range detectors() {
			want, ok := gs.AUC[det.name]
			if !ok {
				t.Fatalf("%s: golden file has no %s AUC", name, det.name)
			}
			t.Run(name+"/"+det.name, func(t *testing.T) {
				got, sd, err := goAUC(ctx, g, det, p)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				diff := math.Abs(got - want)
				goCol, skCol := fmt.Sprintf("%.4f", got), fmt.Sprintf("%.4f", want)
				if det.seeded {
					goCol += fmt.Sprintf(" ±%.4f", sd)
					skCol += fmt.Sprintf(" ±%.4f", gs.IFSeedSD)
				}
				fmt.Fprintf(&table, "%-8s %-8s %-16s %-16s %.5f\n", name, det.name, goCol, skCol, diff)
				if !(diff <= aucTolerance) {
					t.Errorf("%s %s: ROC-AUC %.4f, scikit-learn %.4f: |diff| %.4f > %v", name, det.name, got, want, diff, aucTolerance)
				}
			})
		}
	}
	t.Logf("\n%s", table.String())
}

// TestStandardise checks the StandardScaler emulation on a small matrix with
// a constant column (kept at scale 1, centred to 0).
func TestStandardise(t *testing.T) {
	x := []float64{
		1, 5, 2,
		2, 5, 4,
		3, 5, 9,
	}
	standardise(x, 3, 3)
	sd0 := math.Sqrt(2.0 / 3)
	m2 := 5.0
	sd2 := math.Sqrt((9 + 1 + 16) / 3.0)
	want := []float64{
		-1 / sd0, 0, (2 - m2) / sd2,
		0, 0, (4 - m2) / sd2,
		1 / sd0, 0, (9 - m2) / sd2,
	}
	for i := range x {
		if math.Abs(x[i]-want[i]) > 1e-15 {
			t.Errorf("x[%d] = %v, want %v", i, x[i], want[i])
		}
	}
}

// BenchmarkADBench times fit + score on all rows of each chosen set, per
// detector (one seed for the isolation forest).
func BenchmarkADBench(b *testing.B) {
	g := readGolden(b)
	ctx := context.Background()
	for _, name := range chosenSets() {
		p := loadStandardised(ctx, b, g.set(b, name))
		for _, det := range detectors() {
			b.Run(name+"/"+det.name, func(b *testing.B) {
				for b.Loop() {
					if _, err := det.score(ctx, g, p, 1); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// TestSplitNoneMatchesSklearn runs the same protocol through the loader's
// all-rows option instead of the test's own standardisation: each of the
// eight bundled sets of the golden file, loaded from its .npz with split = "none" (and the default "standard"
// scaling, fitted on every row) gives the detectors' scikit-learn ROC-AUCs
// within the same tolerance.
func TestSplitNoneMatchesSklearn(t *testing.T) {
	g := readGolden(t)
	ctx := t.Context()
	if len(g.Datasets) != 8 {
		t.Fatalf("%s holds %d data sets, want the 8 bundled ones: rerun testdata/gen_golden.py", goldenPath, len(g.Datasets))
	}
	for _, gs := range g.Datasets {
		name := gs.Name
		l, err := dataset.Load(ctx, dataset.Spec{Name: gs.Name, Format: "npz", Path: gs.File, Split: dataset.SplitNone}, root)
		if err != nil {
			t.Fatalf("load %s: %v", name, err)
		}
		if l.Test.N != gs.Rows || l.Train.N != gs.Rows {
			t.Fatalf("%s: %d train and %d test rows, want all %d in both", name, l.Train.N, l.Test.N, gs.Rows)
		}
		p := points{x: make([]float64, len(l.Test.X)), n: l.Test.N, d: l.Test.D, anomaly: l.Test.Anomaly}
		for i, v := range l.Test.X {
			p.x[i] = float64(v)
		}
		for _, det := range detectors() {
			t.Run(name+"/"+det.name, func(t *testing.T) {
				got, _, err := goAUC(ctx, g, det, p)
				if err != nil {
					t.Fatal(err)
				}
				want := gs.AUC[det.name]
				t.Logf("ROC-AUC %.4f, scikit-learn %.4f, |diff| %.4f", got, want, math.Abs(got-want))
				if !(math.Abs(got-want) <= aucTolerance) {
					t.Errorf("|diff| %.4f > %v", math.Abs(got-want), aucTolerance)
				}
			})
		}
	}
}
