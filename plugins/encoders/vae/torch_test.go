package vae

import (
	"encoding/json"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/latentbench/latentbench/internal/testenv"
)

// The PyTorch encoder torch-vae (plugins/encoders/torch-vae) ports this
// package's training. TestTorchSameSteps pins that port: the same model, loss
// and optimiser, checked step by step, and the same weight initialisation,
// checked in distribution. testdata/torchsteps.py is the PyTorch side; it
// imports torchvae.py itself, so the test follows the plugin's code.

// torchStepsRows, torchStepsBatch and torchStepsEpochs shape the training of
// each case: 10 rows in batches of 4 (the last one of 2, as Train's last
// partial batch), two shuffled epochs, so six Adam steps.
const (
	torchStepsRows   = 10
	torchStepsBatch  = 4
	torchStepsEpochs = 2
	torchStepsLR     = 0.01
)

type torchLayer struct {
	In  int       `json:"in"`
	Out int       `json:"out"`
	W   []float32 `json:"w"`
	B   []float32 `json:"b"`
}

type torchCase struct {
	Name    string         `json:"name"`
	Params  map[string]any `json:"params"`
	Blocks  [][3]any       `json:"blocks"`
	Layers  []torchLayer   `json:"layers"`
	Means   []float32      `json:"means"`
	Classes int            `json:"classes"`
	Learned bool           `json:"learned"`
	D       int            `json:"d"`
	X       []float32      `json:"x"`
	Labels  []int32        `json:"labels"`
	Batches [][]int        `json:"batches"`
	Eps     [][]float32    `json:"eps"`
}

type torchInit struct {
	Seed   int64 `json:"seed"`
	D      int   `json:"d"`
	Hidden []int `json:"hidden"`
	Latent int   `json:"latent"`
}

type torchResult struct {
	Name   string       `json:"name"`
	Sums   [][2]float64 `json:"sums"`
	Grads0 [][]float64  `json:"grads0"`
	Final  [][]float64  `json:"final"`
}

// initStats summarises one layer's initial weights.
type initStats struct {
	In, Out, N          int
	Min, Max, Mean, Var float64
	BiasMaxAbs          float64 `json:"bias_max_abs"`
}

var kindNames = map[blockKind]string{kindUnit: "unit", kindNumeric: "numeric", kindCategorical: "categorical"}

// torchFixture builds one case of gradCases as a short training run: the
// network of gradFixture (d = 6, latent 2, 3 classes, Glorot weights from a
// fixed source, non-zero biases), 10 rows, the row order of each epoch and ε
// of each step drawn by the test.
func torchFixture(t *testing.T, c gradCase) (*netSpec, *netParams[float32], torchCase) {
	t.Helper()
	s, p, _ := gradFixture[float32](t, c)
	const n, d, latent = torchStepsRows, 6, 2
	r := rand.New(rand.NewSource(11))
	tc := torchCase{Name: c.name, D: d, Classes: s.nClasses, Learned: s.learnedMeans,
		Params: map[string]any{"latent_dim": latent, "hidden": c.hidden, "gamma": c.gamma, "beta": c.beta,
			"kl": map[bool]string{true: KLSample, false: KLClosed}[c.sample], "lr": torchStepsLR,
			"reconstruction_reduction": map[bool]string{true: ReductionMean, false: ReductionSum}[c.reduction == ReductionMean]}}
	for _, b := range s.blocks {
		tc.Blocks = append(tc.Blocks, [3]any{b.start, b.width, kindNames[b.kind]})
	}
	for _, l := range p.layers {
		// Copies: goSteps trains p in place before the case is written out.
		tc.Layers = append(tc.Layers, torchLayer{In: l.in, Out: l.out, W: slices.Clone(l.w), B: slices.Clone(l.b)})
	}
	tc.Means = slices.Clone(p.means)
	tc.X = make([]float32, n*d)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			var v float64
			switch {
			case c.recon == ReconBCE, c.recon == ReconMixed && j == 5:
				v = r.Float64()
			case c.recon == ReconMSE, j < 2:
				v = r.NormFloat64()
			case j-2 == i%3:
				v = 1
			}
			tc.X[i*d+j] = float32(v)
		}
	}
	if s.nClasses > 0 {
		for i := 0; i < n; i++ {
			tc.Labels = append(tc.Labels, int32(i%s.nClasses))
		}
	}
	for ep := 0; ep < torchStepsEpochs; ep++ {
		perm := r.Perm(n)
		for off := 0; off < n; off += torchStepsBatch {
			rows := perm[off:min(off+torchStepsBatch, n)]
			eps := make([]float32, len(rows)*latent)
			for i := range eps {
				eps[i] = float32(r.NormFloat64())
			}
			tc.Batches = append(tc.Batches, rows)
			tc.Eps = append(tc.Eps, eps)
		}
	}
	return s, p, tc
}

// goSteps trains p on tc's batches and ε as Train's epochs do (a trainer's
// graphs, Adam) and returns what torchsteps.py returns.
func goSteps(t *testing.T, s *netSpec, p *netParams[float32], tc torchCase) torchResult {
	t.Helper()
	tr := &trainer{spec: s, p: p, x: tc.X, labels: tc.Labels, batch: torchStepsBatch,
		graphs: map[int]*graph[float32]{}, fwd: map[int]*graph[float32]{}}
	params := p.trainable(s)
	opt := newAdam(torchStepsLR, params)
	grads := make([][]float32, len(params))
	res := torchResult{Name: tc.Name}
	d := s.d
	for k, rows := range tc.Batches {
		G, err := tr.graph(len(rows), true)
		if err != nil {
			t.Fatal(err)
		}
		for i, row := range rows {
			copy(G.x[i*d:(i+1)*d], tc.X[row*d:(row+1)*d])
			if G.y != nil {
				G.y[i] = float32(tc.Labels[row])
			}
		}
		copy(G.eps, tc.Eps[k])
		if err := G.run(); err != nil {
			t.Fatal(err)
		}
		rs, ks := G.lastSums()
		res.Sums = append(res.Sums, [2]float64{rs, ks})
		for i := range grads {
			if grads[i], err = G.grad(i); err != nil {
				t.Fatal(err)
			}
		}
		if k == 0 {
			res.Grads0 = widen(grads)
		}
		opt.step(params, grads)
	}
	res.Final = widen(params)
	return res
}

func widen(xs [][]float32) [][]float64 {
	out := make([][]float64, len(xs))
	for i, x := range xs {
		for _, v := range x {
			out[i] = append(out[i], float64(v))
		}
	}
	return out
}

// maxRelDiff is max_j |a_j − b_j| / max(1, max_j |a_j|) over one tensor.
func maxRelDiff(a, b []float64) float64 {
	scale, worst := 1.0, 0.0
	for _, v := range a {
		scale = max(scale, math.Abs(v))
	}
	for j := range a {
		worst = max(worst, math.Abs(a[j]-b[j]))
	}
	return worst / scale
}

// TestTorchSameSteps checks that torch-vae trains the model this package
// trains. For every loss configuration of gradCases (both KL forms, bce / mse
// / mixed reconstruction, sum and mean reduction, γ and β, the CL-VAE with
// learned and fixed prior means), both implementations start from the same
// weights and take six Adam steps (lr 0.01) on the same batches (the last of
// each epoch partial) with the same ε; then:
//
//   - the summed reconstruction and KL terms of every step agree within 1e-5
//     relative: the same loss, reduction, and (from step 2 on) the same
//     updates;
//   - the first step's gradients agree within 1e-5 of each tensor's largest
//     value: the same division by the batch's rows and the same γ, β;
//   - the weights after the last step agree within 1e-5: the same Adam
//     (β1, β2, ε, bias correction), where a step moves a weight by about lr.
//
// Float32 rounding in a different order stays near 1e-7 here. And both
// initialise the 784-512-2 network's weights from U(±√(6/(fan_in+fan_out)))
// with zero biases (Glorot & Bengio 2010): each layer's extremes, mean and
// variance are checked against that distribution on both sides (5 standard
// errors), which PyTorch's nn.Linear default, kaiming_uniform(a=√5) with
// bound 1/√fan_in, fails by far.
func TestTorchSameSteps(t *testing.T) {
	py := testenv.RequirePython(t, "torch", "numpy", "grpc", "google.protobuf")
	var cases []torchCase
	var ours []torchResult
	for _, c := range gradCases {
		s, p, tc := torchFixture(t, c)
		cases = append(cases, tc)
		ours = append(ours, goSteps(t, s, p, tc))
	}
	init := torchInit{Seed: 3, D: 784, Hidden: []int{512}, Latent: 2}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.json"), filepath.Join(dir, "out.json")
	b, err := json.Marshal(map[string]any{"cases": cases, "init": init})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, b, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, filepath.Join("testdata", "torchsteps.py"), in, out)
	cmd.Env = append(os.Environ(), "OMP_NUM_THREADS=1")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("torchsteps.py: %v\n%s", err, msg)
	}
	b, err = os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var theirs struct {
		Cases []torchResult `json:"cases"`
		Init  []initStats   `json:"init"`
	}
	if err := json.Unmarshal(b, &theirs); err != nil {
		t.Fatal(err)
	}
	if len(theirs.Cases) != len(ours) {
		t.Fatalf("torchsteps.py returned %d cases, want %d", len(theirs.Cases), len(ours))
	}
	for i, g := range ours {
		compareSteps(t, g, theirs.Cases[i])
	}

	spec := &netSpec{d: init.D, latent: init.Latent, hidden: init.Hidden}
	p := newParams[float32](spec, rand.New(rand.NewSource(init.Seed)), nil)
	if len(theirs.Init) != len(p.layers) {
		t.Fatalf("torchsteps.py initialised %d layers, Go %d", len(theirs.Init), len(p.layers))
	}
	for i, l := range p.layers {
		checkGlorot(t, "Go", goInitStats(l))
		checkGlorot(t, "PyTorch", theirs.Init[i])
	}
}

func compareSteps(t *testing.T, g, p torchResult) {
	t.Helper()
	const tol = 1e-5
	if len(g.Sums) != len(p.Sums) || len(g.Grads0) != len(p.Grads0) || len(g.Final) != len(p.Final) {
		t.Fatalf("%s: Go has %d steps, %d tensors; PyTorch %d steps, %d tensors", g.Name, len(g.Sums), len(g.Final), len(p.Sums), len(p.Final))
	}
	worst := [3]float64{}
	for k := range g.Sums {
		for j, what := range []string{"reconstruction", "KL"} {
			a, b := g.Sums[k][j], p.Sums[k][j]
			d := math.Abs(a-b) / max(1e-3, math.Abs(a))
			worst[0] = max(worst[0], d)
			if d > tol {
				t.Errorf("%s: step %d: summed %s Go %.9g, PyTorch %.9g", g.Name, k+1, what, a, b)
			}
		}
	}
	for i := range g.Grads0 {
		if len(g.Grads0[i]) != len(p.Grads0[i]) {
			t.Fatalf("%s: tensor %d has %d values in Go, %d in PyTorch", g.Name, i, len(g.Grads0[i]), len(p.Grads0[i]))
		}
		d := maxRelDiff(g.Grads0[i], p.Grads0[i])
		worst[1] = max(worst[1], d)
		if d > tol {
			t.Errorf("%s: first step's gradient of tensor %d differs by %.3g (relative to its largest value)", g.Name, i, d)
		}
		d = maxRelDiff(g.Final[i], p.Final[i])
		worst[2] = max(worst[2], d)
		if d > tol {
			t.Errorf("%s: tensor %d after %d steps differs by %.3g", g.Name, i, len(g.Sums), d)
		}
	}
	t.Logf("%s: largest differences: losses %.2g (relative), first gradients %.2g, final weights %.2g", g.Name, worst[0], worst[1], worst[2])
}

func goInitStats(l layer[float32]) initStats {
	st := initStats{In: l.in, Out: l.out, N: len(l.w), Min: math.Inf(1), Max: math.Inf(-1)}
	var sum float64
	for _, v := range l.w {
		st.Min, st.Max = min(st.Min, float64(v)), max(st.Max, float64(v))
		sum += float64(v)
	}
	st.Mean = sum / float64(st.N)
	for _, v := range l.w {
		st.Var += (float64(v) - st.Mean) * (float64(v) - st.Mean)
	}
	st.Var /= float64(st.N)
	for _, v := range l.b {
		st.BiasMaxAbs = max(st.BiasMaxAbs, math.Abs(float64(v)))
	}
	return st
}

// checkGlorot checks one layer's initial weights against U(±a),
// a = √(6/(in+out)): all within ±a, both extremes within 20a/n of ±a (missed
// with probability e^−10 each), mean and variance within 5 standard errors of
// 0 and a²/3 (the sample variance's variance is (a⁴/5 − a⁴/9)/n), zero biases.
func checkGlorot(t *testing.T, who string, st initStats) {
	t.Helper()
	a := math.Sqrt(6 / float64(st.In+st.Out))
	n := float64(st.N)
	hi := a * (1 + 1e-6) // float32 rounding of the bound
	switch {
	case st.N != st.In*st.Out:
		t.Errorf("%s: layer %d×%d has %d weights", who, st.In, st.Out, st.N)
	case st.Min < -hi || st.Max > hi:
		t.Errorf("%s: layer %d×%d: weights in [%.4g, %.4g], outside ±%.4g", who, st.In, st.Out, st.Min, st.Max, a)
	case st.Max < a*(1-20/n) || st.Min > -a*(1-20/n):
		t.Errorf("%s: layer %d×%d: weights in [%.4g, %.4g], do not reach ±%.4g", who, st.In, st.Out, st.Min, st.Max, a)
	case math.Abs(st.Mean) > 5*a/math.Sqrt(3*n):
		t.Errorf("%s: layer %d×%d: mean weight %.4g, want 0 ± %.2g", who, st.In, st.Out, st.Mean, 5*a/math.Sqrt(3*n))
	case math.Abs(st.Var-a*a/3) > 5*a*a*math.Sqrt(4.0/45/n):
		t.Errorf("%s: layer %d×%d: weight variance %.4g, want %.4g ± %.2g", who, st.In, st.Out, st.Var, a*a/3, 5*a*a*math.Sqrt(4.0/45/n))
	case st.BiasMaxAbs != 0:
		t.Errorf("%s: layer %d×%d: biases up to %g, want 0", who, st.In, st.Out, st.BiasMaxAbs)
	}
}
