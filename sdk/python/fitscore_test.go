package python_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/latentbench/latentbench/harness/host"
	"github.com/latentbench/latentbench/internal/testenv"
	"github.com/latentbench/latentbench/sdk"
)

// The Python SDK serves FitScore with the plugin's own fit and score, and
// reports its compute time; a plugin whose stubs predate FitScore answers
// Unimplemented and the host's client makes separate Fit and Score calls,
// with the same scores.
func TestPythonFitScore(t *testing.T) {
	testenv.RequirePython(t, "numpy", "grpc", "google.protobuf")
	dir := t.TempDir()
	x := sdk.NewMatrix64(6, 3, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 3, 5, 2, 4, 6, 0, 1, 0})
	req := &sdk.FitScoreRequest{X: x, Eval: x, Cols: [][]int{{2, 0}, {1, 2}},
		Extra: []sdk.Matrix{sdk.NewMatrix64(2, 2, []float64{1, 2, 3, 4}), sdk.NewMatrix64(2, 2, []float64{-1, 0, 5, 5})}}
	for _, mode := range []string{"noshutdown", "nofitscore"} {
		h := host.New()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		s, err := h.Start(ctx, writeFault(t, dir, mode), sdk.KindDetector)
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		got, err := s.Detector().FitScore(ctx, req)
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		if s.Detector().FitScoreUnimplemented() != (mode == "nofitscore") {
			t.Errorf("%s: FitScoreUnimplemented = %v", mode, s.Detector().FitScoreUnimplemented())
		}
		if s.ComputeSeconds() <= 0 {
			t.Errorf("%s: no compute time reported", mode)
		}
		want, err := sdk.FitScoreSeparately(ctx, s.Detector(), req)
		if err != nil {
			t.Fatal(err)
		}
		for j := range want {
			if !slices.Equal(got[j].Eval, want[j].Eval) || !slices.Equal(got[j].Extra, want[j].Extra) {
				t.Errorf("%s: job %d: FitScore %v, separate calls %v", mode, j, got[j], want[j])
			}
		}
		// The fault plugins score −x[:, 0]: job 0's first column is column 2.
		if got[0].Eval[0] != -3 || got[1].Extra[1] != -5 {
			t.Errorf("%s: scores %v", mode, got)
		}
		s.Close()
		h.KillAll()
		cancel()
	}
}
