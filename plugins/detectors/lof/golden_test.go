package lof

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// golden is one case written by testdata/gen_golden.py (see its doc string for the fields).
type golden struct {
	Name       string    `json:"name"`
	Sklearn    string    `json:"sklearn"`
	NNeighbors int       `json:"n_neighbors"`
	LeafSize   int       `json:"leaf_size"`
	N          int       `json:"n"`
	D          int       `json:"d"`
	NQ         int       `json:"nq"`
	X          []float64 `json:"x"`
	Q          []float64 `json:"q"`
	K          int       `json:"k"`
	Method     string    `json:"method"`
	Warned     bool      `json:"warned"`
	NOF        []float64 `json:"nof"`
	Score      []float64 `json:"score"`
	KDist      []float64 `json:"kdist"`
	LRD        []float64 `json:"lrd"`
	TreeIdx    []int32   `json:"tree_idx"`
	TrainNbrs  []int32   `json:"train_nbrs"`
	QueryNbrs  []int32   `json:"query_nbrs"`
}

func loadGolden(t testing.TB, path string) *golden {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var g golden
	if err := json.NewDecoder(zr).Decode(&g); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(g.X) != g.N*g.D || len(g.Q) != g.NQ*g.D || len(g.NOF) != g.N || len(g.Score) != g.NQ {
		t.Fatalf("%s: inconsistent golden file", path)
	}
	return &g
}

func goldenFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "golden_*.json.gz"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files (%v); run testdata/gen_golden.py", err)
	}
	return files
}

// maxRelErr returns max_i |got_i − want_i| / |want_i| (absolute where want_i = 0) and its index.
func maxRelErr(got, want []float64) (float64, int) {
	worst, at := 0.0, -1
	for i := range want {
		e := math.Abs(got[i] - want[i])
		if want[i] != 0 {
			e /= math.Abs(want[i])
		}
		if !(e <= worst) { // NaN counts as worst
			worst, at = e, i
			if math.IsNaN(e) {
				return math.Inf(1), i
			}
		}
	}
	return worst, at
}

// goldenTol is the acceptance tolerance against scikit-learn (relative).
const goldenTol = 1e-9

// TestGolden compares Fit/Score with scikit-learn 1.2.1 on every golden case: training scores
// (negative_outlier_factor_), k-distances, LRDs, score_samples of held-out points, the chosen
// algorithm, n_neighbors_ and its warning, and, on the k-d tree path, the tree's point order and
// the exact neighbour indices (which pins down the tie-breaking among equidistant points).
func TestGolden(t *testing.T) {
	for _, path := range goldenFiles(t) {
		g := loadGolden(t, path)
		t.Run(g.Name, func(t *testing.T) {
			m, err := Fit(context.Background(), g.X, g.N, g.D, Options{NNeighbors: g.NNeighbors, LeafSize: g.LeafSize})
			if err != nil {
				t.Fatal(err)
			}
			if m.NNeighbors() != g.K {
				t.Errorf("n_neighbors_ = %d, sklearn %d", m.NNeighbors(), g.K)
			}
			if got := m.Algorithm().String(); got != g.Method {
				t.Errorf("algorithm = %s, sklearn %s", got, g.Method)
			}
			if w := m.Warnings(); (len(w) > 0) != g.Warned {
				t.Errorf("warnings = %q, sklearn warned: %v", w, g.Warned)
			} else if g.Warned && !strings.Contains(w[0], "greater than the total number of samples") {
				t.Errorf("warning %q", w[0])
			}
			score, err := m.Score(g.Q, g.NQ)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				what      string
				got, want []float64
			}{
				{"negative_outlier_factor_", m.TrainScores(), g.NOF},
				{"k-distance", m.KDistances(), g.KDist},
				{"lrd", m.LRD(), g.LRD},
				{"score_samples", score, g.Score},
			} {
				e, at := maxRelErr(c.got, c.want)
				t.Logf("%-25s max rel err %.3g", c.what, e)
				if e > goldenTol {
					t.Errorf("%s: max rel err %.3g at %d: got %.17g, sklearn %.17g", c.what, e, at, c.got[at], c.want[at])
				}
			}
			if g.Method != "kd_tree" {
				return
			}
			if !slices.Equal(m.tree.idx, g.TreeIdx) {
				t.Errorf("k-d tree point order differs from KDTree.get_arrays()[1]")
			}
			nbr, _, err := m.trainNeighbors(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if i := firstDiffRow(nbr, g.TrainNbrs, g.K); i >= 0 {
				t.Errorf("training neighbours of point %d: %v, sklearn %v", i, nbr[i*g.K:(i+1)*g.K], g.TrainNbrs[i*g.K:(i+1)*g.K])
			}
			qn := queryNeighbors(m, g.Q, g.NQ)
			if i := firstDiffRow(qn, g.QueryNbrs, g.K); i >= 0 {
				t.Errorf("neighbours of query %d: %v, sklearn %v", i, qn[i*g.K:(i+1)*g.K], g.QueryNbrs[i*g.K:(i+1)*g.K])
			}
		})
	}
}

// queryNeighbors returns the k nearest training points of each query, in sklearn's order.
func queryNeighbors(m *Model, q []float64, nq int) []int32 {
	k, d := m.k, m.d
	s := &scratch{vals: make([]float64, bruteBatch*k), ids: make([]int32, bruteBatch*k)}
	out := make([]int32, nq*k)
	m.search(s, 0, nq, k,
		func(i int) []float64 { return q[i*d : (i+1)*d] },
		func(i int, _ []float64, ids []int32) { copy(out[i*k:], ids) })
	return out
}

func firstDiffRow(got, want []int32, k int) int {
	if len(got) != len(want) {
		return 0
	}
	for i := range want {
		if got[i] != want[i] {
			return i / k
		}
	}
	return -1
}
