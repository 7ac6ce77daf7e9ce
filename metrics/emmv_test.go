package metrics

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Golden files come from testdata/gen_scores.py (see its header).

// scoresSpec is a score-vector specification shared with gen_scores.py: explicit
// values, or a SplitMix64-driven generator; specials overwrite single entries.
type scoresSpec struct {
	Values   []float64 `json:"values"`
	Kind     string    `json:"kind"`
	Seed     uint64    `json:"seed"`
	N        int       `json:"n"`
	Offset   float64   `json:"offset"`
	Scale    *float64  `json:"scale"`
	Levels   int       `json:"levels"`
	Specials [][2]any  `json:"specials"`
}

// scoresUnitStream mirrors unit_stream() of gen_scores.py: SplitMix64 outputs
// mapped to (z >> 11)·2^-53.
type scoresUnitStream struct{ state uint64 }

func (s *scoresUnitStream) next() float64 {
	s.state += 0x9E3779B97F4A7C15
	z := s.state
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	z ^= z >> 31
	return float64(z>>11) * (1.0 / 9007199254740992.0)
}

func scoresGen(t testing.TB, sp scoresSpec) []float64 {
	t.Helper()
	var out []float64
	if sp.Values != nil {
		out = slices.Clone(sp.Values)
	} else {
		us := &scoresUnitStream{state: sp.Seed}
		scale := 1.0
		if sp.Scale != nil {
			scale = *sp.Scale
		}
		out = make([]float64, sp.N)
		for i := range out {
			var v float64
			switch sp.Kind {
			case "uniform":
				v = us.next()
			case "sum3":
				a := us.next()
				b := us.next()
				c := us.next()
				v = (a + b) + c
			case "quant":
				v = math.Floor(float64(us.next()*float64(sp.Levels))) / float64(sp.Levels)
			default:
				t.Fatalf("unknown generator kind %q", sp.Kind)
			}
			out[i] = sp.Offset + float64(scale*v)
		}
	}
	for _, s := range sp.Specials {
		i := int(s[0].(float64))
		switch s[1].(string) {
		case "nan":
			out[i] = math.NaN()
		case "inf":
			out[i] = math.Inf(1)
		case "-inf":
			out[i] = math.Inf(-1)
		default:
			t.Fatalf("unknown special %v", s[1])
		}
	}
	return out
}

func scoresLoadJSON(t testing.TB, name string, v any) {
	t.Helper()
	path := filepath.Join("testdata", name)
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open golden file: %v", err)
	}
	defer f.Close()
	var dec *json.Decoder
	if strings.HasSuffix(name, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatalf("gunzip %s: %v", path, err)
		}
		defer zr.Close()
		dec = json.NewDecoder(zr)
	} else {
		dec = json.NewDecoder(f)
	}
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
}

// scoresRelErr is |got−want| / max(|want|, floor), with equal infinities and
// NaNs counting as 0.
func scoresRelErr(got, want, floor float64) float64 {
	if got == want || (math.IsNaN(got) && math.IsNaN(want)) {
		return 0
	}
	return math.Abs(got-want) / math.Max(math.Abs(want), floor)
}

func TestTGridAlphaGridGolden(t *testing.T) {
	var g struct {
		T []struct {
			Volume     float64   `json:"volume"`
			StepFactor float64   `json:"step_factor"`
			Step       float64   `json:"step"`
			Len        int       `json:"len"`
			Idx        []int     `json:"idx"`
			Val        []float64 `json:"val"`
		} `json:"t"`
		Alpha []struct {
			Step float64   `json:"step"`
			Len  int       `json:"len"`
			Val  []float64 `json:"val"`
		} `json:"alpha"`
	}
	scoresLoadJSON(t, "scores_grids.json", &g)
	levels10001 := 0
	for _, c := range g.T {
		name := fmt.Sprintf("V=%g/step=%g", c.Volume, c.StepFactor)
		step := c.StepFactor / c.Volume
		if step != c.Step {
			t.Fatalf("%s: step %v, Python %v", name, step, c.Step)
		}
		if c.StepFactor == DefaultTStep {
			step = 0 // exercise the default
			if c.Len == 10001 {
				levels10001++
			}
		}
		tg := TGrid(c.Volume, step)
		if len(tg) != c.Len {
			t.Errorf("%s: len %d, numpy.arange %d", name, len(tg), c.Len)
			continue
		}
		for k, i := range c.Idx {
			if tg[i] != c.Val[k] {
				t.Errorf("%s: t[%d] = %v, numpy %v", name, i, tg[i], c.Val[k])
			}
		}
	}
	if levels10001 < 3 {
		t.Errorf("golden file has %d volumes with 10001 levels, want several", levels10001)
	}
	for _, c := range g.Alpha {
		step := c.Step
		if step == DefaultAlphaStep {
			step = 0
		}
		a := AlphaGrid(step)
		if len(a) != c.Len || !slices.Equal(a, c.Val) {
			t.Errorf("AlphaGrid(%v): len %d, differs from numpy.arange (len %d)", c.Step, len(a), c.Len)
		}
	}
	if d := AlphaGrid(0)[2] - AlphaGrid(0)[1]; math.Abs(d-9.999999999998899e-05) > 1e-19 {
		t.Errorf("alpha delta %v", d)
	}
	for _, v := range []float64{0, -1, math.Inf(1), math.NaN()} {
		if g := TGrid(v, 0); g != nil {
			t.Errorf("TGrid(%v) has %d levels, want nil", v, len(g))
		}
	}
}

type scoresEMMVCase struct {
	Name      string     `json:"name"`
	X         scoresSpec `json:"x"`
	U         scoresSpec `json:"u"`
	Volume    float64    `json:"volume"`
	TStep     float64    `json:"t_step"`
	AlphaStep float64    `json:"alpha_step"`
	TLen      int        `json:"t_len"`
	AlphaLen  int        `json:"alpha_len"`
	EMAUC     float64    `json:"em_auc"`
	MVAUC     float64    `json:"mv_auc"`
	AMax      int        `json:"amax"`
	EMIdx     []int      `json:"em_idx"`
	EMVal     []float64  `json:"em_val"`
	MVIdx     []int      `json:"mv_idx"`
	MVVal     []float64  `json:"mv_val"`
}

func TestEMMVGolden(t *testing.T) {
	var g struct {
		Numpy string           `json:"numpy"`
		Cases []scoresEMMVCase `json:"cases"`
	}
	scoresLoadJSON(t, "scores_emmv.json.gz", &g)
	if len(g.Cases) < 10 {
		t.Fatalf("only %d golden cases", len(g.Cases))
	}
	const tol = 1e-12
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			sX, sU := scoresGen(t, c.X), scoresGen(t, c.U)
			tg := TGrid(c.Volume, c.TStep)
			alphas := AlphaGrid(c.AlphaStep)
			if len(tg) != c.TLen || len(alphas) != c.AlphaLen {
				t.Fatalf("grid lengths %d, %d; numpy %d, %d", len(tg), len(alphas), c.TLen, c.AlphaLen)
			}
			emAUC, em, amax := EMCurve(tg, c.Volume, sU, sX)
			wantAMax := c.AMax
			if wantAMax == -1 {
				wantAMax = len(tg) - 1
			}
			if amax != wantAMax {
				t.Errorf("amax %d, reference %d (%d)", amax, wantAMax, c.AMax)
			}
			if e := scoresRelErr(emAUC, c.EMAUC, 0); e > tol {
				t.Errorf("EM AUC %.17g, reference %.17g (rel err %.2g)", emAUC, c.EMAUC, e)
			}
			worst := 0.0
			for k, i := range c.EMIdx {
				// EM lies in [0, 1]: relative to max(|want|, 1e-300) but
				// zeros must be exact.
				if e := scoresRelErr(em[i], c.EMVal[k], 1e-300); e > worst {
					worst = e
					if e > tol {
						t.Errorf("EM[%d] = %.17g, reference %.17g", i, em[i], c.EMVal[k])
					}
				}
			}
			mvAUC, mv := MVCurve(alphas, c.Volume, sU, sX)
			if e := scoresRelErr(mvAUC, c.MVAUC, 1e-300); e > tol {
				t.Errorf("MV AUC %.17g, reference %.17g (rel err %.2g)", mvAUC, c.MVAUC, e)
			}
			for k, i := range c.MVIdx {
				if e := scoresRelErr(mv[i], c.MVVal[k], 1e-300); e > tol {
					t.Errorf("MV[%d] = %.17g, reference %.17g", i, mv[i], c.MVVal[k])
				}
			}
			r := EMMVGrids(sX, sU, c.Volume, tg, alphas)
			if r.EM != emAUC || r.MV != mvAUC || r.AMax != amax {
				t.Errorf("EMMVGrids %+v, curves give %v %v %d", r, emAUC, mvAUC, amax)
			}
			if c.TStep == DefaultTStep/c.Volume && c.AlphaStep == DefaultAlphaStep {
				if r2 := EMMV(sX, sU, c.Volume); r2 != r {
					t.Errorf("EMMV %+v, EMMVGrids %+v", r2, r)
				}
			}
			t.Logf("EM %.6g (amax %d) MV %.6g; worst EM-curve rel err %.2g", emAUC, amax, mvAUC, worst)
		})
	}
}

// emmvNaive is a direct Go transcription of the reference em()/mv() loops
// (O(levels·N) per unique score), used to check the sweep on many random
// inputs without Python.
func emmvNaive(tg, alphas []float64, volume float64, sUnif, sX []float64) (em, mv []float64) {
	n, nU := float64(len(sX)), float64(len(sUnif))
	em = make([]float64, len(tg))
	em[0] = 1
	uniq := map[float64]bool{}
	for _, u := range sX {
		if math.IsNaN(u) || uniq[u] {
			continue
		}
		uniq[u] = true
		cx, cu := 0, 0
		for _, v := range sX {
			if v > u {
				cx++
			}
		}
		for _, v := range sUnif {
			if v > u {
				cu++
			}
		}
		for i, t := range tg {
			v := float64(1.0/n*float64(cx)) - float64(float64(float64(t*float64(cu))/nU)*volume)
			if v > em[i] {
				em[i] = v
			}
		}
	}
	// mv: argsort ascending with NaN last
	order := slices.Clone(sX)
	slices.SortFunc(order, func(a, b float64) int {
		switch {
		case math.IsNaN(a) && math.IsNaN(b):
			return 0
		case math.IsNaN(a):
			return 1
		case math.IsNaN(b):
			return -1
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	})
	mv = make([]float64, len(alphas))
	mass, cpt := 0.0, 0
	u := order[len(order)-1]
	for i, a := range alphas {
		for mass < a {
			cpt++
			u = order[len(order)-cpt]
			mass = 1.0 / n * float64(cpt)
		}
		c := 0
		for _, v := range sUnif {
			if v >= u {
				c++
			}
		}
		mv[i] = float64(float64(c)/nU) * volume
	}
	return em, mv
}

// drawScores returns k scores uniform in [shift, shift+1), rounded down to multiples of
// 1/levels when levels > 0 (ties), about one in oneIn of them NaN, +Inf or −Inf.
func drawScores(r *rand.Rand, k, levels int, shift float64, oneIn int) []float64 {
	v := make([]float64, k)
	for i := range v {
		f := r.Float64()
		if levels > 0 {
			f = math.Floor(f*float64(levels)) / float64(levels)
		}
		v[i] = f + shift
		if r.IntN(oneIn) == 0 {
			v[i] = []float64{math.NaN(), math.Inf(1), math.Inf(-1)}[r.IntN(3)]
		}
	}
	return v
}

func TestEMMVMatchesNaiveReference(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	exact, total := 0, 0
	for trial := 0; trial < 300; trial++ {
		n := 1 + r.IntN(60)
		nU := 1 + r.IntN(400)
		levels := []int{0, 3, 10, 1000}[r.IntN(4)] // 0: continuous scores
		draw := func(k int, shift float64) []float64 { return drawScores(r, k, levels, shift, 50) }
		sX := draw(n, 0)
		sU := draw(nU, -0.5*r.Float64())
		volume := math.Pow(10, 4*r.Float64()-2)
		tg := TGrid(volume, []float64{0, 0.003 / volume, 0.1 / volume}[r.IntN(3)])
		alphas := AlphaGrid([]float64{0, 0.001, 0.013}[r.IntN(3)])
		wantEM, wantMV := emmvNaive(tg, alphas, volume, sU, sX)
		_, em, _ := EMCurve(tg, volume, sU, sX)
		_, mv := MVCurve(alphas, volume, sU, sX)
		for i := range em {
			total++
			if em[i] == wantEM[i] {
				exact++
			} else if e := scoresRelErr(em[i], wantEM[i], 1e-300); e > 1e-14 {
				t.Fatalf("trial %d (n %d, N %d, levels %d): EM[%d] = %.17g, naive %.17g", trial, n, nU, levels, i, em[i], wantEM[i])
			}
		}
		if !slices.Equal(mv, wantMV) {
			t.Fatalf("trial %d: MV differs from the naive loop", trial)
		}
	}
	t.Logf("EM levels bit-identical to the naive loop: %d of %d", exact, total)
}

// TestEMMVStopsAtAMax: EMMVGrids (which ends the EM curve at its first level <= EMTMax) and
// EMMVSteps (which also computes the t levels as it reaches them) give, bit for bit, the EM
// AUC of the whole curve (EMCurve) and the MV AUC of MVCurve, on random scores with ties,
// NaN and infinities, on both protocols' grids, including curves that never reach EMTMax.
func TestEMMVStopsAtAMax(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 13))
	stopped := 0
	for trial := 0; trial < 400; trial++ {
		n := 1 + r.IntN(300)
		nU := 1 + r.IntN(3000)
		levels := []int{0, 3, 50}[r.IntN(3)]
		draw := func(k int, shift float64) []float64 { return drawScores(r, k, levels, shift, 80) }
		sX := draw(n, 0)
		sU := draw(nU, []float64{-0.5 * r.Float64(), -2}[r.IntN(2)]) // -2: EM never reaches EMTMax
		volume := math.Pow(10, 4*r.Float64()-2)
		tStep := []float64{0, HighDimTStep / volume}[r.IntN(2)]
		alphaStep := []float64{0, HighDimAlphaStep}[r.IntN(2)]
		tg := TGrid(volume, tStep)
		alphas := AlphaGrid(alphaStep)
		wantEM, _, wantAMax := EMCurve(tg, volume, sU, sX)
		wantMV, _ := MVCurve(alphas, volume, sU, sX)
		if wantAMax < len(tg)-1 {
			stopped++
		}
		for name, got := range map[string]EMMVResult{
			"EMMVGrids": EMMVGrids(sX, sU, volume, tg, alphas),
			"EMMVSteps": EMMVSteps(sX, sU, volume, tStep, alphaStep),
		} {
			if math.Float64bits(got.EM) != math.Float64bits(wantEM) || math.Float64bits(got.MV) != math.Float64bits(wantMV) || got.AMax != wantAMax {
				t.Fatalf("trial %d: %s = %+v, want EM %.17g MV %.17g AMax %d", trial, name, got, wantEM, wantMV, wantAMax)
			}
		}
	}
	if stopped == 0 || stopped == 400 {
		t.Fatalf("%d of 400 curves reached EMTMax: both cases must occur", stopped)
	}
	t.Logf("%d of 400 curves reached EMTMax before their last level", stopped)
}

func TestEMCurveAMaxNotReached(t *testing.T) {
	// Every data score is above every uniform score, so EM(t) >= (n−1)/n > 0.9
	// for all t and the AUC runs over all levels but the last.
	sX := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	sU := []float64{-1, 0, 0.5}
	tg := TGrid(2, 0)
	auc, em, amax := EMCurve(tg, 2, sU, sX)
	if amax != len(tg)-1 {
		t.Fatalf("amax %d, want %d", amax, len(tg)-1)
	}
	if em[len(em)-1] != 11.0/12 {
		t.Errorf("EM at the last level %v, want 11/12", em[len(em)-1])
	}
	// EM = 1 at t0 then 11/12 everywhere: trapezoid over t[:amax].
	want := (tg[1]-tg[0])*(1+11.0/12)/2 + (tg[amax-1]-tg[1])*11.0/12
	if e := scoresRelErr(auc, want, 0); e > 1e-12 {
		t.Errorf("AUC %v, want %v", auc, want)
	}
}

func TestEMMVUndefined(t *testing.T) {
	sX := []float64{1, 2, 3}
	sU := []float64{0, 1}
	for _, c := range []struct {
		name   string
		sX, sU []float64
		volume float64
	}{
		{"zero volume", sX, sU, 0},
		{"negative volume", sX, sU, -1},
		{"NaN volume", sX, sU, math.NaN()},
		{"infinite volume", sX, sU, math.Inf(1)},
		{"no data", nil, sU, 1},
		{"no uniform points", sX, nil, 1},
	} {
		r := EMMV(c.sX, c.sU, c.volume)
		if !math.IsNaN(r.EM) || !math.IsNaN(r.MV) || r.AMax != 0 {
			t.Errorf("%s: %+v, want NaN scores", c.name, r)
		}
	}
}

func TestEMMVCurvesPanicOnBadInput(t *testing.T) {
	tg := TGrid(1, 0)
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"EM no data", func() { EMCurve(tg, 1, []float64{1}, nil) }},
		{"EM short grid", func() { EMCurve(tg[:2], 1, []float64{1}, []float64{1}) }},
		{"EM non-monotonic grid", func() {
			// EM stays at 19/20 > 0.9, so the AUC spans t[:3] = {0, 2, 1}.
			sX := make([]float64, 20)
			for i := range sX {
				sX[i] = float64(i + 1)
			}
			EMCurve([]float64{0, 2, 1, 3}, 1, []float64{0}, sX)
		}},
		{"MV no uniform", func() { MVCurve(AlphaGrid(0), 1, nil, []float64{1}) }},
		{"MV alpha above 1", func() { MVCurve([]float64{0.5, 1.5}, 1, []float64{1}, []float64{1, 2}) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", c.name)
				}
			}()
			c.f()
		}()
	}
}

func TestEmmvSortFloats(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	specials := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1),
		math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, math.MaxFloat64, -math.MaxFloat64}
	for _, n := range []int{0, 1, 5, 1023, 1024, 5000, 100000} {
		for _, mode := range []string{"spread", "narrow", "ties"} {
			v := make([]float64, n)
			for i := range v {
				switch mode {
				case "spread":
					v[i] = r.NormFloat64() * math.Pow(10, 40*r.Float64()-20)
				case "narrow": // only the low digits differ
					v[i] = 0.5 + float64(r.IntN(1000))*0x1p-52
				case "ties":
					v[i] = float64(r.IntN(7)) - 3
				}
				if r.IntN(100) == 0 {
					v[i] = specials[r.IntN(len(specials))]
				}
			}
			want := slices.Clone(v)
			slices.Sort(want)
			emmvSortFloats(v)
			for i := range v {
				if v[i] != want[i] {
					t.Fatalf("n = %d, %s: position %d: %v, want %v", n, mode, i, v[i], want[i])
				}
			}
		}
	}
}

func TestEmmvNumpySumOrder(t *testing.T) {
	// Values whose sum depends on the order: the result must be the one of
	// numpy's blocked pairwise order, recomputed here by a plain recursion.
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 7, 8, 9, 127, 128, 129, 1000, 8192, 8193, 20000} {
		v := make([]float64, n)
		for i := range v {
			v[i] = r.NormFloat64() * math.Pow(10, 10*r.Float64()-5)
		}
		want := 0.0
		for s := 0; s < n; s += 8192 {
			want += scoresPairwiseRef(v[s:min(s+8192, n)])
		}
		if got := emmvNumpySum(v); got != want {
			t.Errorf("n = %d: %v, want %v", n, got, want)
		}
	}
}

// scoresPairwiseRef restates numpy's pairwise_sum with index arithmetic.
func scoresPairwiseRef(a []float64) float64 {
	n := len(a)
	if n < 8 {
		s := 0.0
		for i := 0; i < n; i++ {
			s += a[i]
		}
		return s
	}
	if n <= 128 {
		r := make([]float64, 8)
		for k := 0; k < 8; k++ {
			r[k] = a[k]
		}
		i := 8
		for ; i+8 <= n; i += 8 {
			for k := 0; k < 8; k++ {
				r[k] += a[i+k]
			}
		}
		s := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			s += a[i]
		}
		return s
	}
	h := n / 2
	h -= h % 8
	return scoresPairwiseRef(a[:h]) + scoresPairwiseRef(a[h:])
}

func TestBoundingBox(t *testing.T) {
	x := []float64{
		1, -2, 0.5,
		3, 4, 0.5,
		-1, 0, 0.5,
	}
	lo, hi, v := BoundingBox(x, 3, 3)
	if !slices.Equal(lo, []float64{-1, -2, 0.5}) || !slices.Equal(hi, []float64{3, 4, 0.5}) || v != 0 {
		t.Errorf("lo %v hi %v volume %v", lo, hi, v)
	}
	_, _, v = BoundingBox(x[:6], 2, 3)
	if v != 0 {
		t.Errorf("flat box volume %v", v)
	}
	_, _, v = BoundingBox([]float64{0, 0, 2, 3, 1, 1}, 3, 2)
	if v != 6 {
		t.Errorf("volume %v, want 6", v)
	}
	_, _, v = BoundingBox([]float64{0, 0, math.NaN(), 3, 1, 1}, 3, 2)
	if !math.IsNaN(v) {
		t.Errorf("volume with NaN %v, want NaN", v)
	}
}

func TestUniformPoints(t *testing.T) {
	lo := []float64{-1, 10, 0}
	hi := []float64{1, 10.5, 1e-3}
	const n = 20000
	p := UniformPoints(lo, hi, n, 42)
	if len(p) != n*3 {
		t.Fatalf("len %d", len(p))
	}
	if !slices.Equal(p, UniformPoints(lo, hi, n, 42)) {
		t.Error("not deterministic")
	}
	if slices.Equal(p[:30], UniformPoints(lo, hi, 10, 43)) {
		t.Error("seed ignored")
	}
	for j := range lo {
		sum := 0.0
		for i := 0; i < n; i++ {
			v := p[i*3+j]
			if v < lo[j] || v > hi[j] {
				t.Fatalf("point %d coordinate %d = %v outside [%v, %v]", i, j, v, lo[j], hi[j])
			}
			sum += v
		}
		// mean of n uniforms: sd = width/sqrt(12 n); allow 5 sd
		mid, w := (lo[j]+hi[j])/2, hi[j]-lo[j]
		if math.Abs(sum/n-mid) > 5*w/math.Sqrt(12*n) {
			t.Errorf("coordinate %d mean %v, box centre %v", j, sum/n, mid)
		}
	}
}

func TestFeatureSubsetsAndProject(t *testing.T) {
	subs := FeatureSubsets(12, 5, 50, 9)
	if len(subs) != 50 {
		t.Fatalf("%d subsets", len(subs))
	}
	seen := make([]int, 12)
	distinct := map[string]bool{}
	for _, s := range subs {
		if len(s) != 5 || !slices.IsSorted(s) || slices.Compact(slices.Clone(s))[4] != s[4] {
			t.Fatalf("subset %v not 5 sorted distinct features", s)
		}
		for _, f := range s {
			if f < 0 || f >= 12 {
				t.Fatalf("feature %d out of range", f)
			}
			seen[f]++
		}
		distinct[fmt.Sprint(s)] = true
	}
	for f, c := range seen {
		if c == 0 {
			t.Errorf("feature %d never drawn in 50 subsets", f)
		}
	}
	if len(distinct) < 40 {
		t.Errorf("only %d distinct subsets of 50", len(distinct))
	}
	again := FeatureSubsets(12, 5, 50, 9)
	for i := range subs {
		if !slices.Equal(subs[i], again[i]) {
			t.Fatal("not deterministic")
		}
	}
	if all := FeatureSubsets(4, 4, 2, 1); !slices.Equal(all[0], []int{0, 1, 2, 3}) {
		t.Errorf("size = d gives %v", all[0])
	}

	x := []float64{
		0, 1, 2, 3,
		10, 11, 12, 13,
	}
	if got := Project(x, 2, 4, []int{3, 1}); !slices.Equal(got, []float64{3, 1, 13, 11}) {
		t.Errorf("Project = %v", got)
	}
	if got := Project(x, 2, 4, nil); len(got) != 0 {
		t.Errorf("Project no columns = %v", got)
	}
}

// scoresBenchInputs: 10k data scores and 100k uniform scores, IF-like (the
// golden case n10000_sum3_V0.3_10001levels).
func scoresBenchInputs(b *testing.B) (sX, sU []float64) {
	sx, su := 0.08, 0.12
	sX = scoresGen(b, scoresSpec{Kind: "sum3", Seed: 13, N: 10000, Offset: -0.65, Scale: &sx})
	sU = scoresGen(b, scoresSpec{Kind: "sum3", Seed: 14, N: 100000, Offset: -0.75, Scale: &su})
	return sX, sU
}

// BenchmarkEMMV10k is the Go side of bench/peers/emmv.py with 10k data scores,
// 100k uniform scores and V = 0.3 (10001 t levels): EMMV(sX, sU, 0.3).
func BenchmarkEMMV10k(b *testing.B) {
	sX, sU := scoresBenchInputs(b)
	for b.Loop() {
		r := EMMV(sX, sU, 0.3)
		if math.IsNaN(r.EM) {
			b.Fatal("NaN")
		}
	}
}

func BenchmarkEMCurve10k(b *testing.B) {
	sX, sU := scoresBenchInputs(b)
	tg := TGrid(0.3, 0)
	for b.Loop() {
		EMCurve(tg, 0.3, sU, sX)
	}
}

func BenchmarkMVCurve10k(b *testing.B) {
	sX, sU := scoresBenchInputs(b)
	alphas := AlphaGrid(0)
	for b.Loop() {
		MVCurve(alphas, 0.3, sU, sX)
	}
}
