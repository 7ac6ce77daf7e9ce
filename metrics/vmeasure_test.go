package metrics

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// clusLoadJSON decodes testdata/name (gzip-compressed if it ends in .gz),
// written by testdata/gen_clustering.py.
func clusLoadJSON(t testing.TB, name string, v any) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("open golden file (regenerate with /usr/bin/python3 metrics/testdata/gen_clustering.py): %v", err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(name, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		defer gz.Close()
		r = gz
	}
	if err := json.NewDecoder(r).Decode(v); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
}

type clusVMeasureCase struct {
	Name    string  `json:"name"`
	True    []int   `json:"true"`
	Pred    []int   `json:"pred"`
	Beta    float64 `json:"beta"`
	H, C, V float64
}

func TestHomogeneityCompletenessVGolden(t *testing.T) {
	var golden struct {
		Sklearn string             `json:"sklearn"`
		Cases   []clusVMeasureCase `json:"cases"`
	}
	clusLoadJSON(t, "clustering_vmeasure.json", &golden)
	if len(golden.Cases) < 20 {
		t.Fatalf("only %d golden cases", len(golden.Cases))
	}
	worst := 0.0
	for _, tc := range golden.Cases {
		h, c, v := HomogeneityCompletenessV(tc.True, tc.Pred, tc.Beta)
		for _, q := range []struct {
			name      string
			got, want float64
		}{{"h", h, tc.H}, {"c", c, tc.C}, {"v", v, tc.V}} {
			diff := math.Abs(q.got - q.want)
			worst = max(worst, diff)
			if !(diff <= 1e-12) {
				t.Errorf("%s: %s = %.17g, scikit-learn %s %.17g", tc.Name, q.name, q.got, golden.Sklearn, q.want)
			}
		}
	}
	t.Logf("%d cases, largest |Go − scikit-learn| = %.3g", len(golden.Cases), worst)
}

func TestHomogeneityCompletenessVProperties(t *testing.T) {
	truth := []int{0, 0, 0, 1, 1, 1, 2, 2, 2, 2}
	pred := []int{1, 1, 0, 0, 0, 3, 3, 3, 2, 2}
	h, c, v := HomogeneityCompletenessV(truth, pred, 1)
	// Swapping the arguments swaps homogeneity and completeness.
	h2, c2, v2 := HomogeneityCompletenessV(pred, truth, 1)
	if math.Abs(h-c2) > 1e-15 || math.Abs(c-h2) > 1e-15 || math.Abs(v-v2) > 1e-15 {
		t.Errorf("swap: (%g %g %g) vs (%g %g %g)", h, c, v, h2, c2, v2)
	}
	// Renaming labels changes nothing.
	renamed := make([]int, len(pred))
	for i, p := range pred {
		renamed[i] = -1000*p + 7
	}
	if h3, c3, v3 := HomogeneityCompletenessV(truth, renamed, 1); h3 != h || c3 != c || v3 != v {
		t.Errorf("renamed labels: (%g %g %g) vs (%g %g %g)", h3, c3, v3, h, c, v)
	}
	// V is the harmonic mean for β = 1, and h = 1 − H(C|K)/H(C) by hand.
	if want := 2 * h * c / (h + c); math.Abs(v-want) > 1e-15 {
		t.Errorf("v = %g, harmonic mean %g", v, want)
	}
	hck := 0.0 // H(C|K) = −Σ n_ck/N log(n_ck/n_k)
	for _, cell := range []struct{ nck, nk float64 }{{2, 2}, {1, 3}, {2, 3}, {1, 3}, {2, 3}, {2, 2}} {
		hck -= cell.nck / 10 * math.Log(cell.nck/cell.nk)
	}
	hc := -(0.3*math.Log(0.3) + 0.3*math.Log(0.3) + 0.4*math.Log(0.4))
	if want := 1 - hck/hc; math.Abs(h-want) > 1e-14 {
		t.Errorf("h = %.17g, 1 − H(C|K)/H(C) = %.17g", h, want)
	}
	// Both contingency paths (dense table; sorted keys when the table would
	// exceed 2^20 cells) agree with the definition.
	n := 3000
	a, b := make([]int, n), make([]int, n)
	for i := range n {
		a[i] = i % 1500
		b[i] = (i * 7919) % 2900 // 1500 × 2900 cells: sorted path
	}
	for _, pred := range [][]int{b, clusMod(b, 600)} { // 1500 × 600 cells: dense path
		_, _, v := HomogeneityCompletenessV(a, pred, 1)
		if want := clusNaiveV(a, pred); math.Abs(v-want) > 1e-12 {
			t.Errorf("v = %.17g, definition %.17g", v, want)
		}
	}
}

func clusMod(v []int, m int) []int {
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = x % m
	}
	return out
}

// clusNaiveV is V (β = 1) from conditional entropies with maps.
func clusNaiveV(truth, pred []int) float64 {
	n := float64(len(truth))
	nc, nk := map[int]float64{}, map[int]float64{}
	type cell struct{ c, k int }
	nck := map[cell]float64{}
	for i := range truth {
		nc[truth[i]]++
		nk[pred[i]]++
		nck[cell{truth[i], pred[i]}]++
	}
	ent := func(m map[int]float64) float64 {
		s := 0.0
		for _, v := range m {
			s -= v / n * math.Log(v/n)
		}
		return s
	}
	hC, hK := ent(nc), ent(nk)
	hCK, hKC := 0.0, 0.0
	for ce, v := range nck {
		hCK -= v / n * math.Log(v/nk[ce.k])
		hKC -= v / n * math.Log(v/nc[ce.c])
	}
	h, c := 1-hCK/hC, 1-hKC/hK
	return 2 * h * c / (h + c)
}

func TestHomogeneityCompletenessVPanicsOnLengthMismatch(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for labels of different lengths")
		}
	}()
	HomogeneityCompletenessV([]int{1, 2}, []int{1}, 1)
}
