package host_test

import (
	"context"
	"slices"
	"testing"

	"github.com/latentbench/latentbench/harness/host"
	"github.com/latentbench/latentbench/sdk"
)

// A Go plugin serves FitScore (through sdk/serve, with its own Fit and
// Score): one call gives the scores of separate Fit and Score calls, and
// every call reports the plugin's compute time, which a Meter sees.
func TestFitScoreAndComputeTime(t *testing.T) {
	h := host.New()
	ctx := context.Background()
	s, err := h.Start(ctx, path(t, sdk.KindDetector, "fault-ok"), sdk.KindDetector)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	x := sdk.NewMatrix64(4, 3, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 0})
	req := &sdk.FitScoreRequest{X: x, Eval: x, Cols: [][]int{{2, 0}, {1, 1}, {0, 2}}, Params: sdk.Params{}, Seed: 3,
		Extra: []sdk.Matrix{sdk.NewMatrix64(1, 2, []float64{1, 2}), sdk.NewMatrix64(1, 2, []float64{3, 4}), sdk.NewMatrix64(1, 2, []float64{5, 6})}}
	m := s.Meter()
	got, err := s.Detector().FitScore(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if s.Detector().FitScoreUnimplemented() {
		t.Error("a plugin built with sdk/serve answered FitScore Unimplemented")
	}
	if u := m.Stop(); !(u.Compute > 0 && u.Compute <= u.Wall) {
		t.Errorf("FitScore's compute time %v s of %v s wall", u.Compute, u.Wall)
	}
	want, err := sdk.FitScoreSeparately(ctx, s.Detector(), req)
	if err != nil {
		t.Fatal(err)
	}
	for j := range want {
		if !slices.Equal(got[j].Eval, want[j].Eval) || !slices.Equal(got[j].Extra, want[j].Extra) {
			t.Errorf("job %d: FitScore %v, separate calls %v", j, got[j], want[j])
		}
	}
	// fault-ok scores −‖x‖²: job 0 scores columns 2 and 0 of row 0, (3, 1).
	if got[0].Eval[0] != -10 || got[2].Extra[0] != -61 {
		t.Errorf("scores %v", got)
	}
	bad := *req
	bad.Cols = [][]int{{0, 3}}
	bad.Extra = nil
	if _, err := s.Detector().FitScore(ctx, &bad); err == nil {
		t.Error("a column out of range gave no error")
	}
}
