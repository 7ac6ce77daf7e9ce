package vae

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/latentbench/latentbench/harness/dataset"
)

// TestCircleCLVAEOnMNIST is the acceptance check on an MNIST
// subsample small enough for CI: with prior_means "circle" and γ = 0.03 the
// per-class latent means of held-out images lie near their targets, and the
// best k-means V-measure is clearly above the plain VAE's. `make test`
// fetches data/mnist first; without it the test is skipped.
func TestCircleCLVAEOnMNIST(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "data", "mnist")
	if _, err := os.Stat(filepath.Join(dir, "train-images-idx3-ubyte.gz")); err != nil {
		t.Skip("data/mnist is absent (make mnist fetches it)")
	}
	l, err := dataset.Load(context.Background(), dataset.Spec{Name: "mnist", Format: dataset.FormatIDX, Path: dir, Train: 3000, Test: 2000}, ".")
	if err != nil {
		t.Fatal(err)
	}
	tr, te := l.Train, l.Test
	cfg := DefaultConfig()
	cfg.Hidden = []int{128}
	cfg.Epochs = 30
	cfg.Seed = 1
	vae, _, err := Train(context.Background(), tr.X, tr.N, tr.D, nil, 0, tr.Features, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Conditional, cfg.PriorMeans, cfg.Gamma = true, PriorCircle, 0.03
	cl, _, err := Train(context.Background(), tr.X, tr.N, tr.D, tr.Labels, 10, tr.Features, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	z, err := cl.Encode(te.X, te.N)
	if err != nil {
		t.Fatal(err)
	}
	pm := cl.PriorMeans()
	sum := make([][2]float64, 10)
	cnt := make([]int, 10)
	for i := 0; i < te.N; i++ {
		sum[te.Labels[i]][0] += float64(z[2*i])
		sum[te.Labels[i]][1] += float64(z[2*i+1])
		cnt[te.Labels[i]]++
	}
	// Nearer its own target than half the spacing of neighbouring targets.
	half := 3 * math.Sin(math.Pi/10)
	worst := 0.0
	for c := range sum {
		dist := math.Hypot(sum[c][0]/float64(cnt[c])-pm[c][0], sum[c][1]/float64(cnt[c])-pm[c][1])
		worst = math.Max(worst, dist)
		if dist >= half {
			t.Errorf("class %d: mean held-out latent point %.3f from its prior mean (limit %.3f)", c, dist, half)
		}
	}
	truth := make([]int, te.N)
	for i, y := range te.Labels {
		truth[i] = int(y)
	}
	bestV := func(z []float32) (float64, int) {
		zz := make([]float64, len(z))
		for i, v := range z {
			zz[i] = float64(v)
		}
		best, bk := -1.0, 0
		for k := 2; k <= 15; k++ {
			if v := vMeasure(truth, kmeans(zz, te.N, 2, k, 5, 11)); v > best {
				best, bk = v, k
			}
		}
		return best, bk
	}
	zv, err := vae.Encode(te.X, te.N)
	if err != nil {
		t.Fatal(err)
	}
	vv, kv := bestV(zv)
	vc, kc := bestV(z)
	t.Logf("MNIST 3000/2000: class means at most %.3f from their targets; best k-means V: VAE %.4f (k=%d), CL-VAE circle γ=0.03 %.4f (k=%d)", worst, vv, kv, vc, kc)
	if !(vc > vv+0.1) {
		t.Errorf("CL-VAE V-measure %.4f should beat the VAE's %.4f by at least 0.1", vc, vv)
	}
}
