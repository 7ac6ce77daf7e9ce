package vae

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"math"
	"math/rand"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/latentbench/latentbench/sdk"
)

// digits loads testdata/digits.csv.gz: 1797 8x8 images scaled to [0, 1] and
// their labels 0-9.
func digits(t testing.TB) (x []float32, labels []int32, n, d int) {
	t.Helper()
	f, err := os.Open("testdata/digits.csv.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(z)
	for sc.Scan() {
		fs := strings.Split(sc.Text(), ",")
		if len(fs) != 65 {
			t.Fatalf("digits row %d has %d fields", n, len(fs))
		}
		for _, s := range fs[:64] {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatal(err)
			}
			x = append(x, float32(v/16))
		}
		y, err := strconv.Atoi(fs[64])
		if err != nil {
			t.Fatal(err)
		}
		labels = append(labels, int32(y))
		n++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return x, labels, n, 64
}

func smallConfig() Config {
	c := DefaultConfig()
	c.Hidden = []int{64}
	c.Epochs = 5
	c.BatchSize = 64
	c.Seed = 1
	return c
}

func TestLossDecreases(t *testing.T) {
	x, labels, n, d := digits(t)
	for _, c := range []struct {
		name string
		cfg  func(*Config)
	}{
		{"vae", func(*Config) {}},
		{"clvae-learned-sample", func(c *Config) { c.Conditional, c.KL = true, KLSample }},
		{"vae-mse-mean", func(c *Config) { c.Reconstruction, c.Reduction = ReconMSE, ReductionMean }},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := smallConfig()
			cfg.Epochs = 8
			c.cfg(&cfg)
			var seen []EpochStats
			_, st, err := Train(context.Background(), x, n, d, labels, 10, nil, cfg, func(s EpochStats) { seen = append(seen, s) })
			if err != nil {
				t.Fatal(err)
			}
			if len(st) != cfg.Epochs || len(seen) != len(st) {
				t.Fatalf("%d stats, %d progress calls, %d epochs", len(st), len(seen), cfg.Epochs)
			}
			first, last := st[0], st[len(st)-1]
			for i, s := range st {
				if s.Epoch != i+1 || s.Seconds <= 0 || s != seen[i] {
					t.Errorf("stats %d: %+v (progress saw %+v)", i, s, seen[i])
				}
				if math.Abs(s.Loss-(cfg.Gamma*s.Recon+cfg.Beta*s.KL)) > 1e-9*s.Loss {
					t.Errorf("epoch %d: loss %v ≠ γ·%v + β·%v", s.Epoch, s.Loss, s.Recon, s.KL)
				}
			}
			if !(last.Loss < 0.9*first.Loss) || !(last.Recon < first.Recon) {
				t.Errorf("loss did not decrease: first %+v, last %+v", first, last)
			}
			t.Logf("loss %.4g -> %.4g (recon %.4g, KL %.4g)", first.Loss, last.Loss, last.Recon, last.KL)
		})
	}
}

func TestMixedReconstruction(t *testing.T) {
	// Tabular data: 2 numeric columns, a 3-way one-hot and a [0,1] column,
	// generated from 3 latent groups.
	const n, d = 600, 6
	r := rand.New(rand.NewSource(5))
	x := make([]float32, n*d)
	for i := 0; i < n; i++ {
		g := i % 3
		row := x[i*d : (i+1)*d]
		row[0] = float32(float64(g) + 0.3*r.NormFloat64())
		row[1] = float32(-float64(g) + 0.3*r.NormFloat64())
		row[2+g] = 1
		row[5] = float32(float64(g)/2*0.8 + 0.1*r.Float64())
	}
	fb := []sdk.FeatureBlock{
		{Name: "cat", Kind: sdk.FeatureCategorical, Start: 2, Width: 3},
		{Name: "num", Kind: sdk.FeatureNumeric, Start: 0, Width: 2},
		{Name: "unit", Kind: sdk.FeatureUnit, Start: 5, Width: 1},
	}
	cfg := smallConfig()
	cfg.Reconstruction = ReconMixed
	cfg.Epochs = 20
	_, st, err := Train(context.Background(), x, n, d, nil, 0, fb, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !(st[len(st)-1].Recon < 0.6*st[0].Recon) {
		t.Errorf("mixed reconstruction did not improve: %.4g -> %.4g", st[0].Recon, st[len(st)-1].Recon)
	}
	bad := []struct {
		name string
		fb   []sdk.FeatureBlock
		want string
	}{
		{"none", nil, "needs feature blocks"},
		{"gap", fb[1:], "gap"},
		{"short", fb[:2], "cover 5 columns"},
		{"kind", []sdk.FeatureBlock{{Name: "x", Kind: "text", Start: 0, Width: 6}}, "unknown kind"},
	}
	for _, b := range bad {
		if _, _, err := Train(context.Background(), x, n, d, nil, 0, b.fb, cfg, nil); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s: error %v, want one containing %q", b.name, err, b.want)
		}
	}
}

// TestCircleCLVAE reproduces on the digits set what a PyTorch rendering of the losses reached on MNIST
// (docs/method.md, "Reference figures"):
// the CL-VAE with circle prior means and γ = 0.03 puts each class at its prior
// mean, and its latent space clusters far better (k-means V-measure) than the
// plain VAE's.
func TestCircleCLVAE(t *testing.T) {
	x, labels, n, d := digits(t)
	cfg := DefaultConfig()
	cfg.Hidden = []int{128}
	cfg.Epochs = 50
	cfg.BatchSize = 64
	cfg.Seed = seedFromEnv(2)
	vae, _, err := Train(context.Background(), x, n, d, nil, 0, nil, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Conditional, cfg.PriorMeans, cfg.Gamma = true, PriorCircle, 0.03
	cl, _, err := Train(context.Background(), x, n, d, labels, 10, nil, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	pm := cl.PriorMeans()
	for i, m := range pm {
		a := 2 * math.Pi * float64(i) / 10
		if math.Abs(m[0]-3*math.Cos(a)) > 1e-12 || math.Abs(m[1]-3*math.Sin(a)) > 1e-12 {
			t.Fatalf("prior mean %d = %v", i, m)
		}
	}
	z, err := cl.Encode(x, n)
	if err != nil {
		t.Fatal(err)
	}
	// Each class's mean latent point must lie nearer its own prior mean than
	// half the spacing of neighbouring means (2·3·sin(π/10)/2 = 0.927), i.e.
	// nearer its own target than any other.
	half := 3 * math.Sin(math.Pi/10)
	sum := make([][2]float64, 10)
	cnt := make([]int, 10)
	for i := 0; i < n; i++ {
		sum[labels[i]][0] += float64(z[2*i])
		sum[labels[i]][1] += float64(z[2*i+1])
		cnt[labels[i]]++
	}
	worst := 0.0
	for c := range sum {
		dist := math.Hypot(sum[c][0]/float64(cnt[c])-pm[c][0], sum[c][1]/float64(cnt[c])-pm[c][1])
		worst = math.Max(worst, dist)
		if dist >= half {
			t.Errorf("class %d: mean latent point %.3f from its prior mean (limit %.3f)", c, dist, half)
		}
	}
	zv, err := vae.Encode(x, n)
	if err != nil {
		t.Fatal(err)
	}
	truth := make([]int, n)
	for i, y := range labels {
		truth[i] = int(y)
	}
	bestV := func(z []float32) (float64, int) {
		zz := make([]float64, len(z))
		for i, v := range z {
			zz[i] = float64(v)
		}
		best, bk := -1.0, 0
		for k := 2; k <= 15; k++ {
			if v := vMeasure(truth, kmeans(zz, n, 2, k, 5, 11)); v > best {
				best, bk = v, k
			}
		}
		return best, bk
	}
	vv, kv := bestV(zv)
	vc, kc := bestV(z)
	t.Logf("class means at most %.3f from their targets; best k-means V: VAE %.4f (k=%d), CL-VAE circle γ=0.03 %.4f (k=%d)", worst, vv, kv, vc, kc)
	if !(vc > vv+0.1) {
		t.Errorf("CL-VAE V-measure %.4f should beat the VAE's %.4f by at least 0.1", vc, vv)
	}
}

func TestDeterministicAndMarshal(t *testing.T) {
	x, labels, n, d := digits(t)
	x, labels, n = x[:500*d], labels[:500], 500
	cfg := smallConfig()
	cfg.Hidden = []int{32, 16}
	cfg.Conditional = true
	cfg.EarlyStoppingPatience = 2
	train := func(seed int64) ([]byte, *Model, []EpochStats) {
		c := cfg
		c.Seed = seed
		m, st, err := Train(context.Background(), x, n, d, labels, 10, nil, c, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		return b, m, st
	}
	b1, m1, st1 := train(3)
	b2, _, st2 := train(3)
	b3, _, _ := train(4)
	if !bytes.Equal(b1, b2) {
		t.Error("two runs with the same seed gave different models")
	}
	for i := range st1 {
		s1, s2 := st1[i], st2[i]
		s1.Seconds, s2.Seconds = 0, 0
		if s1 != s2 {
			t.Errorf("epoch %d: %+v vs %+v", i+1, s1, s2)
		}
		if !(s1.ValLoss > 0) {
			t.Errorf("epoch %d: no validation loss with early stopping", i+1)
		}
	}
	if bytes.Equal(b1, b3) {
		t.Error("different seeds gave the same model")
	}

	var m Model
	if err := m.UnmarshalBinary(b1); err != nil {
		t.Fatal(err)
	}
	z1, err := m1.Encode(x, n)
	if err != nil {
		t.Fatal(err)
	}
	z2, err := m.Encode(x, n)
	if err != nil {
		t.Fatal(err)
	}
	for i := range z1 {
		if z1[i] != z2[i] {
			t.Fatalf("encoding %d differs after a round trip: %v vs %v", i, z1[i], z2[i])
		}
	}
	if got, want := m.PriorMeans(), m1.PriorMeans(); len(got) != 10 || got[3][1] != want[3][1] {
		t.Errorf("prior means after round trip %v, want %v", got, want)
	}
	if m.Config().Hidden[1] != 16 || m.InputDim() != d || m.LatentDim() != 2 {
		t.Errorf("config after round trip: %+v", m.Config())
	}
	if b, _ := m.MarshalBinary(); !bytes.Equal(b, b1) {
		t.Error("re-marshalled model differs")
	}
	for _, bad := range [][]byte{nil, b1[:7], b1[:len(b1)-1], append(append([]byte{}, b1...), 0), append([]byte("LBVAE\x00\x00\x02"), b1[8:]...)} {
		if err := new(Model).UnmarshalBinary(bad); err == nil {
			t.Errorf("UnmarshalBinary accepted %d corrupt bytes", len(bad))
		}
	}
	if _, err := m.Encode(x[:10], 3); err == nil {
		t.Error("Encode accepted a wrong-sized matrix")
	}
}

// TestEarlyStopping: a large network on 150 rows over-fits, the validation
// loss turns up, and training stops `patience` epochs after its minimum with
// the weights of that epoch.
func TestEarlyStopping(t *testing.T) {
	x, _, _, d := digits(t)
	n := 150
	cfg := smallConfig()
	cfg.Hidden = []int{256}
	cfg.Epochs = 300
	cfg.BatchSize = 16
	cfg.LR = 3e-3
	cfg.EarlyStoppingPatience = 3
	cfg.ValidationFraction = 0.2
	m, st, err := Train(context.Background(), x[:n*d], n, d, nil, 0, nil, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) == cfg.Epochs {
		t.Fatalf("no early stop in %d epochs", cfg.Epochs)
	}
	best := 0
	for i, s := range st {
		if s.ValLoss < st[best].ValLoss {
			best = i
		}
	}
	if len(st)-1-best != cfg.EarlyStoppingPatience {
		t.Errorf("stopped after epoch %d, best epoch %d, patience %d", len(st), best+1, cfg.EarlyStoppingPatience)
	}
	t.Logf("stopped after %d epochs; best validation loss %.4g at epoch %d", len(st), st[best].ValLoss, best+1)
	if m == nil {
		t.Fatal("no model")
	}
}

func TestTrainErrors(t *testing.T) {
	x, labels, n, d := digits(t)
	x, labels, n = x[:200*d], labels[:200], 200
	cfg := smallConfig()
	cond := cfg
	cond.Conditional = true
	huge := make([]float32, len(x))
	for i := range huge {
		huge[i] = 1e30
	}
	mse := cfg
	mse.Reconstruction = ReconMSE
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	neg := append([]float32(nil), x...)
	neg[5] = -0.5
	nan := append([]float32(nil), x...)
	nan[7] = float32(math.NaN())
	badLabels := append([]int32(nil), labels...)
	badLabels[9] = 10
	cases := []struct {
		name   string
		ctx    context.Context
		x      []float32
		labels []int32
		cfg    Config
		want   string
	}{
		{"conditional without labels", context.Background(), x, nil, cond, "needs class labels"},
		{"label out of range", context.Background(), x, badLabels, cond, "outside [0, 10)"},
		{"short labels", context.Background(), x, labels[:5], cond, "5 labels for 200 rows"},
		{"inf loss names the epoch", context.Background(), huge, nil, mse, "in epoch 1"},
		{"bce outside [0,1]", context.Background(), neg, nil, cfg, "values in [0, 1]"},
		{"NaN input", context.Background(), nan, nil, cfg, "is NaN"},
		{"cancelled", cancelled, x, nil, cfg, "context canceled"},
		{"invalid config", context.Background(), x, nil, Config{}, "latent_dim"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := Train(c.ctx, c.x, n, d, c.labels, 10, nil, c.cfg, nil)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
	if _, _, err := Train(cancelled, x, n, d, nil, 0, nil, cfg, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled training returned %v, want context.Canceled", err)
	}
	// NaN partway through: a learning rate that blows the weights up stops
	// training with the epoch named and the finished epochs returned.
	blow := mse
	blow.LR = 1e30
	blow.Epochs = 50
	_, st, err := Train(context.Background(), x, n, d, nil, 0, nil, blow, nil)
	if err == nil || !strings.Contains(err.Error(), "epoch "+strconv.Itoa(len(st)+1)) {
		t.Errorf("exploding training: error %v after %d epochs", err, len(st))
	}
}

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("default config: %v", err)
	}
	cases := []struct {
		name string
		mod  func(*Config)
		want string // "" = valid
	}{
		{"latent", func(c *Config) { c.LatentDim = 0 }, "latent_dim"},
		{"hidden empty", func(c *Config) { c.Hidden = nil }, "hidden"},
		{"hidden zero", func(c *Config) { c.Hidden = []int{8, 0} }, "hidden[1]"},
		{"epochs", func(c *Config) { c.Epochs = 0 }, "epochs"},
		{"batch", func(c *Config) { c.BatchSize = 0 }, "batch_size"},
		{"lr", func(c *Config) { c.LR = math.NaN() }, "lr"},
		{"gamma", func(c *Config) { c.Gamma = -1 }, "gamma"},
		{"beta", func(c *Config) { c.Beta = math.Inf(1) }, "beta"},
		{"kl", func(c *Config) { c.KL = "exact" }, "kl"},
		{"recon", func(c *Config) { c.Reconstruction = "l1" }, "reconstruction"},
		{"reduction", func(c *Config) { c.Reduction = "max" }, "reconstruction_reduction"},
		{"patience", func(c *Config) { c.EarlyStoppingPatience = -1 }, "patience"},
		{"val fraction", func(c *Config) { c.EarlyStoppingPatience, c.ValidationFraction = 2, 1 }, "validation_fraction"},
		{"val fraction unused", func(c *Config) { c.ValidationFraction = 0 }, ""},
		{"prior unused by VAE", func(c *Config) { c.PriorMeans = "bogus" }, ""},
		{"prior", func(c *Config) { c.Conditional, c.PriorMeans = true, "bogus" }, "prior_means"},
		{"circle radius", func(c *Config) { c.Conditional, c.PriorMeans, c.Radius = true, PriorCircle, 0 }, "radius"},
		{"circle 1-D", func(c *Config) { c.Conditional, c.PriorMeans, c.LatentDim = true, PriorCircle, 1 }, "latent_dim ≥ 2"},
		{"explicit none", func(c *Config) { c.Conditional, c.PriorMeans = true, PriorExplicit }, "needs means"},
		{"explicit width", func(c *Config) {
			c.Conditional, c.PriorMeans, c.Means = true, PriorExplicit, [][]float64{{1, 2}, {3}}
		}, "means[1]"},
		{"explicit ok", func(c *Config) {
			c.Conditional, c.PriorMeans, c.Means = true, PriorExplicit, [][]float64{{1, 2}, {3, 4}}
		}, ""},
	}
	for _, c := range cases {
		cfg := DefaultConfig()
		c.mod(&cfg)
		err := cfg.Validate()
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

func TestExplicitPriorMeans(t *testing.T) {
	x, labels, _, d := digits(t)
	n := 300
	cfg := smallConfig()
	cfg.Conditional, cfg.PriorMeans = true, PriorExplicit
	cfg.Means = [][]float64{{0, 0}, {1, 0}, {2, 0}, {3, 0}, {4, 0}, {5, 0}, {6, 0}, {7, 0}, {8, 0}, {9, 0}}
	m, _, err := Train(context.Background(), x[:n*d], n, d, labels[:n], 10, nil, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range m.PriorMeans() {
		if row[0] != float64(i) || row[1] != 0 {
			t.Errorf("explicit mean %d became %v", i, row)
		}
	}
	if _, _, err := Train(context.Background(), x[:n*d], n, d, labels[:n], 11, nil, cfg, nil); err == nil {
		t.Error("10 explicit means accepted for 11 classes")
	}
	cfg.PriorMeans = PriorLearned
	m, _, err = Train(context.Background(), x[:n*d], n, d, labels[:n], 10, nil, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	moved := false
	for _, row := range m.PriorMeans() {
		moved = moved || row[0] != 0 || row[1] != 0
	}
	if !moved {
		t.Error("learned prior means stayed at zero")
	}
	cfg.Conditional = false
	m, _, err = Train(context.Background(), x[:n*d], n, d, nil, 0, nil, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.PriorMeans() != nil {
		t.Error("plain VAE reports prior means")
	}
}

// kmeans is a small Lloyd's k-means with k-means++ seeding and nInit restarts
// (the lowest inertia wins), enough to compare two latent spaces in tests.
func kmeans(x []float64, n, d, k, nInit int, seed int64) []int {
	r := rand.New(rand.NewSource(seed))
	best, bestInertia := make([]int, n), math.Inf(1)
	lab := make([]int, n)
	cent := make([]float64, k*d)
	dist2 := func(i, c int) float64 {
		s := 0.0
		for j := 0; j < d; j++ {
			e := x[i*d+j] - cent[c*d+j]
			s += e * e
		}
		return s
	}
	for run := 0; run < nInit; run++ {
		// k-means++
		first := r.Intn(n)
		copy(cent[:d], x[first*d:(first+1)*d])
		dmin := make([]float64, n)
		for i := range dmin {
			dmin[i] = dist2(i, 0)
		}
		for c := 1; c < k; c++ {
			tot := 0.0
			for _, v := range dmin {
				tot += v
			}
			u, pick := r.Float64()*tot, n-1
			for i, v := range dmin {
				if u -= v; u <= 0 {
					pick = i
					break
				}
			}
			copy(cent[c*d:(c+1)*d], x[pick*d:(pick+1)*d])
			for i := range dmin {
				dmin[i] = math.Min(dmin[i], dist2(i, c))
			}
		}
		var inertia float64
		for it := 0; it < 100; it++ {
			changed := false
			inertia = 0
			for i := 0; i < n; i++ {
				bc, bd := 0, math.Inf(1)
				for c := 0; c < k; c++ {
					if dd := dist2(i, c); dd < bd {
						bc, bd = c, dd
					}
				}
				if lab[i] != bc || it == 0 {
					changed = true
				}
				lab[i] = bc
				inertia += bd
			}
			if !changed {
				break
			}
			cnt := make([]int, k)
			clear(cent)
			for i := 0; i < n; i++ {
				cnt[lab[i]]++
				for j := 0; j < d; j++ {
					cent[lab[i]*d+j] += x[i*d+j]
				}
			}
			for c := 0; c < k; c++ {
				if cnt[c] == 0 {
					copy(cent[c*d:(c+1)*d], x[r.Intn(n)*d:])
					continue
				}
				for j := 0; j < d; j++ {
					cent[c*d+j] /= float64(cnt[c])
				}
			}
		}
		if inertia < bestInertia {
			bestInertia = inertia
			copy(best, lab)
		}
	}
	return best
}

// vMeasure is Rosenberg & Hirschberg's V-measure (β = 1) with natural-log
// entropies of the contingency table, as scikit-learn's
// homogeneity_completeness_v_measure.
func vMeasure(truth, pred []int) float64 {
	n := float64(len(truth))
	cont := map[[2]int]float64{}
	ct, ck := map[int]float64{}, map[int]float64{}
	for i := range truth {
		cont[[2]int{truth[i], pred[i]}]++
		ct[truth[i]]++
		ck[pred[i]]++
	}
	ent := func(m map[int]float64) float64 {
		h := 0.0
		for _, c := range m {
			h -= c / n * math.Log(c/n)
		}
		return h
	}
	hc, hk := ent(ct), ent(ck)
	var hcGivenK, hkGivenC float64
	for key, c := range cont {
		hcGivenK -= c / n * math.Log(c/ck[key[1]])
		hkGivenC -= c / n * math.Log(c/ct[key[0]])
	}
	h, c := 1.0, 1.0
	if hc > 0 {
		h = 1 - hcGivenK/hc
	}
	if hk > 0 {
		c = 1 - hkGivenC/hk
	}
	if h+c == 0 {
		return 0
	}
	return 2 * h * c / (h + c)
}

func TestVMeasureHelper(t *testing.T) {
	// Values from scikit-learn 1.2.1's v_measure_score.
	cases := []struct {
		truth, pred []int
		want        float64
	}{
		{[]int{0, 0, 1, 1}, []int{1, 1, 0, 0}, 1},
		{[]int{0, 0, 1, 1}, []int{0, 0, 0, 0}, 0},
		{[]int{0, 0, 1, 2}, []int{0, 0, 1, 1}, 0.8},
		{[]int{0, 0, 0, 1, 1, 1}, []int{0, 1, 0, 1, 2, 2}, 0.5158037429793888},
	}
	for _, c := range cases {
		if got := vMeasure(c.truth, c.pred); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("vMeasure(%v, %v) = %v, want %v", c.truth, c.pred, got, c.want)
		}
	}
}

// seedFromEnv lets a developer rerun a seeded test with other seeds
// (VAE_TEST_SEED=n) to see how much margin its thresholds have.
func seedFromEnv(def int64) int64 {
	if s, err := strconv.ParseInt(os.Getenv("VAE_TEST_SEED"), 10, 64); err == nil {
		return s
	}
	return def
}

// TestSameResultOnOneOrTwoCores: with this package's GEMM (pure-Go builds on
// AVX2/FMA CPUs) every reduction has a fixed order, so the model does not
// depend on GOMAXPROCS either.
func TestSameResultOnOneOrTwoCores(t *testing.T) {
	if !ownSGEMM() {
		t.Skip("matrix products run on a BLAS whose summation order may follow the thread count")
	}
	x, labels, _, d := digits(t)
	n := 400
	cfg := smallConfig()
	cfg.Conditional = true
	run := func(procs int) []byte {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		m, _, err := Train(context.Background(), x[:n*d], n, d, labels[:n], 10, nil, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if !bytes.Equal(run(1), run(2)) {
		t.Error("GOMAXPROCS 1 and 2 trained different models")
	}
}
