package adbenchtest

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/latentbench/latentbench/harness/dataset"
	"github.com/latentbench/latentbench/harness/host"
	"github.com/latentbench/latentbench/internal/testenv"
	"github.com/latentbench/latentbench/metrics"
	"github.com/latentbench/latentbench/sdk"
)

// bridgeTolerance bounds |AUC_bridge − AUC_sklearn|: the same library on the
// same float64 rows in the same order, so the two must agree to rounding.
const bridgeTolerance = 1e-12

// bridgeSeeds are the isolation forest seeds of the bridge comparison.
var bridgeSeeds = []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}

// bridgeEstimators are the bridge's parameters per Go detector; they must
// match the estimators of testdata/sklearn_direct.py.
var bridgeEstimators = map[string]sdk.Params{
	"iforest": {"estimator": "sklearn.ensemble.IsolationForest", "options": "{ n_estimators = 100 }"},
	"lof":     {"estimator": "sklearn.neighbors.LocalOutlierFactor", "options": "{ n_neighbors = 20 }"},
	"ocsvm":   {"estimator": "sklearn.svm.OneClassSVM", "options": `{ gamma = "scale", nu = 0.1 }`},
}

// loadAll reads a bundled set as loadStandardised does (all rows, float32
// values, standardised over all rows), without a golden file's checks.
func loadAll(ctx context.Context, tb testing.TB, file string) points {
	tb.Helper()
	l, err := dataset.Load(ctx, dataset.Spec{Name: filepath.Base(file), Format: "npz", Path: file,
		TestFraction: 0.2, Seed: 1, Scale: "none"}, root)
	if err != nil {
		tb.Fatalf("load %s: %v", file, err)
	}
	d := l.Train.D
	p := points{d: d, n: l.Train.N + l.Test.N}
	for _, sp := range []*dataset.Data{&l.Train, &l.Test} {
		for _, v := range sp.X {
			p.x = append(p.x, float64(v))
		}
		p.anomaly = append(p.anomaly, sp.Anomaly...)
	}
	standardise(p.x, p.n, d)
	return p
}

// sklearnDirect starts testdata/sklearn_direct.py on exactly the rows of each
// set (one process for all of them, so scikit-learn is imported once); wait
// returns its ROC-AUCs per set, in the order of sets. The script runs while
// the caller drives the bridge.
func sklearnDirect(t *testing.T, python string, sets []points) (wait func() []map[string][]float64) {
	t.Helper()
	dir := t.TempDir()
	seeds := make([]string, len(bridgeSeeds))
	for i, s := range bridgeSeeds {
		seeds[i] = strconv.FormatInt(s, 10)
	}
	args := []string{"testdata/sklearn_direct.py", strings.Join(seeds, ",")}
	for k, p := range sets {
		xb := make([]byte, 8*len(p.x))
		for i, v := range p.x {
			binary.LittleEndian.PutUint64(xb[8*i:], math.Float64bits(v))
		}
		yb := make([]byte, p.n)
		for i, a := range p.anomaly {
			if a {
				yb[i] = 1
			}
		}
		xf, yf := filepath.Join(dir, fmt.Sprintf("x%d.f64", k)), filepath.Join(dir, fmt.Sprintf("y%d.u8", k))
		if err := os.WriteFile(xf, xb, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(yf, yb, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, xf, strconv.Itoa(p.n), strconv.Itoa(p.d), yf)
	}
	cmd := exec.Command(python, args...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("sklearn_direct.py: %v", err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return func() []map[string][]float64 {
		t.Helper()
		if err := cmd.Wait(); err != nil {
			t.Fatalf("sklearn_direct.py: %v\n%s", err, stderr.String())
		}
		var aucs []map[string][]float64
		if err := json.Unmarshal([]byte(stdout.String()), &aucs); err != nil || len(aucs) != len(sets) {
			t.Fatalf("sklearn_direct.py: %d results for %d sets (%v): %s", len(aucs), len(sets), err, stdout.String())
		}
		return aucs
	}
}

// TestSklearnBridgeOnADBench runs the sklearn bridge plugin (one process) on
// every bundled ADBench set with IsolationForest, LocalOutlierFactor and
// OneClassSVM, fitted and scored on all rows as in
// TestADBenchAUCMatchesSklearn, and checks (1) that its ROC-AUC equals
// scikit-learn's own on the same rows (testdata/sklearn_direct.py) and (2)
// that the Go detectors agree with the bridge within aucTolerance (iforest:
// means over seeds; lof: the Go fit-time scores against the bridge's novelty
// scores of the same points). scikit-learn runs directly in one Python
// process for all sets, beside the bridge.
func TestSklearnBridgeOnADBench(t *testing.T) {
	python := testenv.RequirePython(t, "numpy", "grpc", "google.protobuf", "sklearn")
	if testing.Short() {
		t.Skip("short: runs scikit-learn on nine data sets twice")
	}
	g := readGolden(t)
	ctx := t.Context()
	h := host.New()
	defer h.KillAll()
	plugin, err := filepath.Abs(filepath.Join(root, "plugins", "detectors", "sklearn", "latentbench-detector-sklearn"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := h.Start(ctx, plugin, sdk.KindDetector)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	det := s.Detector()
	files, _ := filepath.Glob(filepath.Join(root, "data", "adbench", "*.npz"))
	if len(files) < 8 {
		t.Fatalf("want the bundled ADBench sets, found %v", files)
	}
	sets := make([]points, len(files))
	for i, file := range files {
		rel, _ := filepath.Rel(root, file)
		sets[i] = loadAll(ctx, t, rel)
	}
	wait := sklearnDirect(t, python, sets)
	// The bridge's AUCs per set, detector and seed, while scikit-learn runs
	// directly beside it.
	bridgeAUC := make([]map[string][]float64, len(sets))
	for i, p := range sets {
		name := strings.TrimSuffix(filepath.Base(files[i]), ".npz")
		x := sdk.NewMatrix64(p.n, p.d, p.x)
		bridgeAUC[i] = map[string][]float64{}
		for _, gd := range detectors() {
			params := bridgeEstimators[gd.name]
			seeds := bridgeSeeds[:1]
			if gd.seeded {
				seeds = bridgeSeeds
			}
			for _, seed := range seeds {
				model, err := det.Fit(ctx, &sdk.DetectorFit{X: x, Params: params, Seed: seed})
				if err != nil {
					t.Fatalf("%s %s: %v", name, gd.name, err)
				}
				scores, err := det.Score(ctx, &sdk.ScoreRequest{Model: model, X: x, Params: params})
				if err != nil {
					t.Fatalf("%s %s: %v", name, gd.name, err)
				}
				auc, err := metrics.ROCAUC(scores, p.anomaly)
				if err != nil {
					t.Fatal(err)
				}
				bridgeAUC[i][gd.name] = append(bridgeAUC[i][gd.name], auc)
			}
		}
	}
	want := wait()
	var table strings.Builder
	fmt.Fprintf(&table, "ROC-AUC on all rows: the sklearn bridge, scikit-learn directly, the Go detector (iforest: mean over %d seeds)\n", len(bridgeSeeds))
	fmt.Fprintf(&table, "%-16s %-8s %-8s %-8s %-8s %s\n", "set", "detector", "bridge", "sklearn", "go", "|go−bridge|")
	for i, p := range sets {
		name := strings.TrimSuffix(filepath.Base(files[i]), ".npz")
		for _, gd := range detectors() {
			got, direct := bridgeAUC[i][gd.name], want[i][gd.name]
			if len(got) != len(direct) {
				t.Fatalf("%s %s: %d bridge AUCs, %d from scikit-learn", name, gd.name, len(got), len(direct))
			}
			var bridge, directMean float64
			for k := range got {
				if d := math.Abs(got[k] - direct[k]); !(d <= bridgeTolerance) {
					t.Errorf("%s %s seed %d: bridge ROC-AUC %.15f, scikit-learn %.15f", name, gd.name, bridgeSeeds[k], got[k], direct[k])
				}
				bridge += got[k] / float64(len(got))
				directMean += direct[k] / float64(len(got))
			}
			goAUCv, _, err := goAUC(ctx, g, gd, p)
			if err != nil {
				t.Fatalf("%s %s: %v", name, gd.name, err)
			}
			diff := math.Abs(goAUCv - bridge)
			fmt.Fprintf(&table, "%-16s %-8s %.4f   %.4f   %.4f   %.4f\n", name, gd.name, bridge, directMean, goAUCv, diff)
			if !(diff <= aucTolerance) {
				t.Errorf("%s %s: Go ROC-AUC %.4f, bridge %.4f: |diff| %.4f > %v", name, gd.name, goAUCv, bridge, diff, aucTolerance)
			}
		}
	}
	t.Logf("\n%s", table.String())
}
