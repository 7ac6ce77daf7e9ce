package regress

import (
	"strings"
	"testing"

	"github.com/latentbench/latentbench/harness/grid"
	"github.com/latentbench/latentbench/harness/runner"
)

func res(cell, status string, m map[string]float64) runner.Result {
	return runner.Result{Cell: cell, Dataset: "digits", EncoderLabel: "proj", DetectorLabel: "itrees", Seed: int64(cell[0]),
		Status: status, Metrics: m, Timings: map[string]float64{"fit": float64(len(cell))}}
}

// A changed default changes the cell's id; the diff shows the parameters and
// the metrics that moved.
func TestCompareMatchesByPlace(t *testing.T) {
	base := []runner.Result{res("a", "OK", map[string]float64{"em": 0.001})}
	cur := []runner.Result{res("a", "OK", map[string]float64{"em": 0.002})}
	cur[0].Cell = "a2"
	cur[0].DetectorParams = map[string]any{"max_samples": 128}
	diffs := Compare(base, cur, grid.Regression{Default: 1e-9})
	if len(diffs) != 2 || diffs[0].Metric != "param detector.max_samples" || diffs[0].Old != "absent" || diffs[0].New != "128" || diffs[1].Metric != "em" {
		t.Errorf("got %+v", diffs)
	}
}

func TestCompare(t *testing.T) {
	tol := grid.Regression{Default: 1e-9, Tolerance: map[string]float64{"v_kmeans": 0.02}}
	base := []runner.Result{
		res("a", "OK", map[string]float64{"v_kmeans": 0.50, "em": 0.001}),
		res("b", "OK", map[string]float64{"em": 0.002}),
		res("c", "OK", map[string]float64{"em": 0.003}),
	}
	cur := []runner.Result{
		res("a", "OK", map[string]float64{"v_kmeans": 0.515, "em": 0.0011, "mv": 3}), // v within 0.02; em moved; mv new
		res("b", "ERROR", map[string]float64{}),
		res("d", "OK", map[string]float64{}),
	}
	cur[0].Timings["fit"] = 99 // timings are ignored
	diffs := Compare(base, cur, tol)
	got := []string{}
	for _, d := range diffs {
		got = append(got, d.Cell+":"+d.Metric+":"+d.Old+"→"+d.New)
	}
	want := []string{"a:em:0.001→0.0011", "a:mv:absent→3", "b:status:OK→ERROR", "d:cell:absent→OK", "c:cell:OK→absent"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("diffs\n got %v\nwant %v", got, want)
	}
	text := Format(diffs)
	for _, s := range []string{"5 metrics moved", "tolerance", "digits / proj / itrees seed 97", "+0.0001", "1e-09"} {
		if !strings.Contains(text, s) {
			t.Errorf("formatted diff lacks %q:\n%s", s, text)
		}
	}
	if d := Compare(base, base, tol); len(d) != 0 || !strings.Contains(Format(d), "no metric moved") {
		t.Errorf("identical results differ: %v", d)
	}
}
