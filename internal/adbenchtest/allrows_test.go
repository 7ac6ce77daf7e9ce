package adbenchtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/latentbench/latentbench/harness/dataset"
	"github.com/latentbench/latentbench/harness/grid"
	"github.com/latentbench/latentbench/harness/host"
	"github.com/latentbench/latentbench/harness/report"
	"github.com/latentbench/latentbench/internal/plugintest"
)

// allRowsConfig is the grid of the ADBench protocol, relative to the
// repository root.
const allRowsConfig = "configs/adbench-allrows.toml"

// TestAllRowsGrid is the acceptance test of the all-rows protocol through the
// whole harness: it runs configs/adbench-allrows.toml with the built CLI and
// plugins (the eight bundled ADBench sets from format = "npz" with
// split = "none", identity × {iforest, lof, ocsvm}) and checks each data set's
// and detector's ROC-AUC against scikit-learn's on the same protocol
// (testdata/adbench_auc.json) within aucTolerance. The isolation forest's AUC
// is the mean over the grid's seeds, which must be the golden file's
// random_state values (the two forests draw different random streams, so
// only means over seeds are comparable); LOF and the one-class SVM must give
// one AUC whatever the seed.
//
// Before running, it checks that the grid is the golden file's protocol: the
// same files (by sha256), split = "none", standard scaling, drop_constant
// (the goldens keep every column: the check that each cell has the golden
// file's feature count shows that none of these sets has a constant one),
// and the detector parameters gen_golden.py uses.
func TestAllRowsGrid(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CLI and plugins and runs a grid")
	}
	g := readGolden(t)
	bin := t.TempDir()
	plugintest.Build(t, bin, map[string]string{
		"latentbench":                  plugintest.Module + "/cmd/latentbench",
		"latentbench-encoder-identity": plugintest.Module + "/plugins/encoders/identity/cmd",
		"latentbench-detector-iforest": plugintest.Module + "/plugins/detectors/iforest/cmd",
		"latentbench-detector-lof":     plugintest.Module + "/plugins/detectors/lof/cmd",
		"latentbench-detector-ocsvm":   plugintest.Module + "/plugins/detectors/ocsvm/cmd",
	})
	h := host.New()
	defer h.KillAll()
	reg, err := host.Discover(context.Background(), h, []string{bin}, "")
	if err != nil {
		t.Fatal(err)
	}
	gr, err := grid.Load(filepath.Join(root, allRowsConfig), reg)
	if err != nil {
		t.Fatal(err)
	}
	checkAllRowsProtocol(t, g, gr)

	out := t.TempDir()
	cmd := exec.Command(filepath.Join(bin, "latentbench"), "run", allRowsConfig,
		"-results", out, "-cache", filepath.Join(out, "cache"), "-j", "2", "-figures=false")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "LATENTBENCH_PLUGIN_PATH=")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("latentbench run %s: %v\n%s", allRowsConfig, err, b)
	}
	results, err := report.Load(filepath.Join(out, gr.Experiment.Name))
	if err != nil {
		t.Fatal(err)
	}

	// AUCs per data set and detector, in seed order.
	type key struct{ set, det string }
	aucs := map[key][]float64{}
	for _, r := range results {
		if r.Status != "OK" {
			t.Fatalf("cell %s (%s × %s, seed %d): %s %s", r.Cell, r.Dataset, r.DetectorLabel, r.Seed, r.Status, r.Error)
		}
		gs := g.set(t, r.Dataset)
		if r.Data == nil || r.Data.Train != gs.Rows || r.Data.Test != gs.Rows || r.Data.Features != gs.Features {
			t.Fatalf("cell %s (%s): data %+v, want all %d rows of %d features in both splits", r.Cell, r.Dataset, r.Data, gs.Rows, gs.Features)
		}
		auc, ok := r.Metrics["auc"]
		if !ok {
			t.Fatalf("cell %s (%s × %s): no ROC-AUC", r.Cell, r.Dataset, r.Detector)
		}
		aucs[key{r.Dataset, r.Detector}] = append(aucs[key{r.Dataset, r.Detector}], auc)
	}

	var table strings.Builder
	fmt.Fprintf(&table, "ROC-AUC of %s (sklearn %s; iforest: mean over %d seeds)\n", allRowsConfig, g.SklearnVersion, len(g.IForestSeeds))
	fmt.Fprintf(&table, "%-10s %-8s %-8s %-8s %s\n", "set", "detector", "grid", "sklearn", "|diff|")
	maxDiff := map[string]float64{}
	for _, gs := range g.Datasets {
		for _, det := range []string{"iforest", "lof", "ocsvm"} {
			got := aucs[key{gs.Name, det}]
			if len(got) != len(g.IForestSeeds) {
				t.Errorf("%s × %s: %d cells, want one per seed (%d)", gs.Name, det, len(got), len(g.IForestSeeds))
				continue
			}
			if det != "iforest" && slices.Min(got) != slices.Max(got) {
				t.Errorf("%s × %s: ROC-AUC differs between seeds (%v .. %v) though the detector is deterministic", gs.Name, det, slices.Min(got), slices.Max(got))
			}
			mean := 0.0
			for _, a := range got {
				mean += a
			}
			mean /= float64(len(got))
			want := gs.AUC[det]
			diff := math.Abs(mean - want)
			maxDiff[det] = max(maxDiff[det], diff)
			fmt.Fprintf(&table, "%-10s %-8s %.4f   %.4f   %.4f\n", gs.Name, det, mean, want, diff)
			if !(diff <= aucTolerance) {
				t.Errorf("%s × %s: ROC-AUC %.4f, scikit-learn %.4f: |diff| %.4f > %v", gs.Name, det, mean, want, diff, aucTolerance)
			}
		}
	}
	fmt.Fprintf(&table, "max |diff|: iforest %.4f, lof %.4f, ocsvm %.4f", maxDiff["iforest"], maxDiff["lof"], maxDiff["ocsvm"])
	t.Logf("\n%s", table.String())
}

// checkAllRowsProtocol fails the test unless gr runs the golden file's
// protocol: its eight data sets and files (same sha256), no split and
// standard scaling, its seeds as the forest's random states, and the
// detector parameters of gen_golden.py.
func checkAllRowsProtocol(t *testing.T, g *golden, gr *grid.Grid) {
	t.Helper()
	if len(gr.Datasets) != len(g.Datasets) {
		t.Fatalf("%s has %d data sets, the golden file %d", allRowsConfig, len(gr.Datasets), len(g.Datasets))
	}
	configDir := filepath.Join(root, filepath.Dir(allRowsConfig))
	for _, ds := range gr.Datasets {
		gs := g.set(t, ds.Name)
		raw, err := os.ReadFile(filepath.Join(configDir, ds.Path))
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(raw); hex.EncodeToString(sum[:]) != gs.SHA256 {
			t.Fatalf("%s: %s is not the golden file's %s", ds.Name, ds.Path, gs.File)
		}
		if ds.Format != dataset.FormatNPZ || ds.Split != dataset.SplitNone || (ds.Scale != "" && ds.Scale != dataset.ScaleStandard) ||
			!ds.DropConstant || ds.Train != 0 || ds.Test != 0 || len(ds.Drop) > 0 {
			t.Fatalf("%s: format %q, split %q, scale %q, drop_constant %v, drop %q, train %d, test %d: want ADBench's protocol: npz, none, standard, true, none, all rows",
				ds.Name, ds.Format, ds.Split, ds.Scale, ds.DropConstant, ds.Drop, ds.Train, ds.Test)
		}
	}
	seeds := make([]uint64, len(gr.Experiment.Seeds))
	for i, s := range gr.Experiment.Seeds {
		seeds[i] = uint64(s)
	}
	if !slices.Equal(seeds, g.IForestSeeds) {
		t.Fatalf("%s: seeds %v, want the golden file's forest seeds %v", allRowsConfig, seeds, g.IForestSeeds)
	}
	want := map[string]map[string]any{
		"iforest": {"n_estimators": int64(g.IForestNEstimators)},
		"lof":     {"n_neighbors": int64(g.LOFNNeighbors)},
		"ocsvm":   {"nu": g.OCSVMNu, "gamma": g.OCSVMGamma},
	}
	if len(gr.EncoderInstances) != 1 || gr.EncoderInstances[0].Plugin != "identity" {
		t.Fatalf("%s: want the identity encoder alone", allRowsConfig)
	}
	if len(gr.DetectorInstances) != len(want) {
		t.Fatalf("%s: %d detector instances, want %d", allRowsConfig, len(gr.DetectorInstances), len(want))
	}
	for _, in := range gr.DetectorInstances {
		params, ok := want[in.Plugin]
		if !ok {
			t.Fatalf("%s: detector %q is not in the golden file", allRowsConfig, in.Plugin)
		}
		for k, v := range params {
			if got := in.Params.Value(k); got != v {
				t.Fatalf("%s: %s %s = %v, gen_golden.py uses %v", allRowsConfig, in.Plugin, k, got, v)
			}
		}
	}
}
