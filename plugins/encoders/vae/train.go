package vae

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"sort"
	"time"

	"github.com/latentbench/latentbench/sdk"
)

// EpochStats are the per-sample mean losses of one training epoch.
type EpochStats struct {
	// Epoch counts from 1.
	Epoch int `json:"epoch"`
	// Loss = Gamma·Recon + Beta·KL.
	Loss float64 `json:"loss"`
	// Recon is the mean reconstruction loss per training sample.
	Recon float64 `json:"recon"`
	// KL is the mean KL term per training sample (closed form, or the
	// one-sample estimate with kl = "sample").
	KL float64 `json:"kl"`
	// ValLoss is the mean loss per validation sample (0 without early stopping,
	// when no validation rows are held out).
	ValLoss float64 `json:"val_loss"`
	// Seconds is the wall time of the epoch, validation included.
	Seconds float64 `json:"seconds"`
}

// adamBeta1, adamBeta2 and adamEps are Adam's constants (Kingma & Ba 2015).
// eps = 1e-8 is PyTorch's default (the peer bench/peers/vae_torch.py uses
// PyTorch); Keras uses 1e-7 and adds it to √v̂ scaled differently, a difference
// that matters only where v is tiny.
const (
	adamBeta1 = 0.9
	adamBeta2 = 0.999
	adamEps   = 1e-8
)

// adam is PyTorch's Adam (torch.optim.Adam, _single_tensor_adam of
// PyTorch 1.13): m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
// p ← p − (lr/(1−β1^t))·m / (√v/√(1−β2^t) + eps), the same operations up to
// the order of float32 roundings.
type adam struct {
	lr   float64
	t    int
	m, v [][]float32
	avx2 bool // use adamAVX2 (bit-identical to adamKernel)
}

func newAdam(lr float64, params [][]float32) *adam {
	a := &adam{lr: lr, avx2: haveAVX2()}
	for _, p := range params {
		a.m = append(a.m, make([]float32, len(p)))
		a.v = append(a.v, make([]float32, len(p)))
	}
	return a
}

// step applies one update to params with grads (same order and lengths).
func (a *adam) step(params, grads [][]float32) {
	a.t++
	bc1 := 1 - math.Pow(adamBeta1, float64(a.t))
	bc2 := 1 - math.Pow(adamBeta2, float64(a.t))
	c := [8]float32{adamBeta1, 1 - adamBeta1, adamBeta2, 1 - adamBeta2, float32(a.lr / bc1), float32(1 / math.Sqrt(bc2)), adamEps}
	for i, p := range params {
		g, m, v := grads[i], a.m[i], a.v[i]
		parallelRange(len(p), 1<<15, func(lo, hi int) {
			if a.avx2 {
				// Whole vectors in assembly, the rest in Go.
				if n8 := (hi - lo) &^ 7; n8 > 0 {
					adamAVX2(&p[lo], &g[lo], &m[lo], &v[lo], n8, &c)
					lo += n8
				}
			}
			adamKernel(p[lo:hi], g[lo:hi], m[lo:hi], v[lo:hi], &c)
		})
	}
}

// adamKernel is one Adam update of p with gradient g and moments m, v;
// c = {β1, 1−β1, β2, 1−β2, step, 1/√(1−β2^t), eps} in float32, with 1−β1 and
// 1−β2 rounded from their exact values as PyTorch does (float32(0.1), not
// 1 − float32(0.9)).
func adamKernel(p, g, m, v []float32, c *[8]float32) {
	b1, c1, b2, c2, step, inv, eps := c[0], c[1], c[2], c[3], c[4], c[5], c[6]
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for i := range p {
		gi := g[i]
		mi := b1*m[i] + c1*gi
		vi := b2*v[i] + c2*gi*gi
		m[i], v[i] = mi, vi
		p[i] -= step * mi / (float32(math.Sqrt(float64(vi)))*inv + eps)
	}
}

// blocksFor turns the reconstruction choice and the feature blocks into loss
// blocks covering columns 0..d-1.
func blocksFor(recon string, d int, features []sdk.FeatureBlock) ([]block, error) {
	switch recon {
	case ReconBCE:
		return []block{{0, d, kindUnit}}, nil
	case ReconMSE:
		return []block{{0, d, kindNumeric}}, nil
	}
	if len(features) == 0 {
		return nil, fmt.Errorf("vae: reconstruction %q needs feature blocks", ReconMixed)
	}
	fs := append([]sdk.FeatureBlock(nil), features...)
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Start < fs[j].Start })
	var bs []block
	next := 0
	for _, f := range fs {
		if f.Start != next || f.Width < 1 {
			return nil, fmt.Errorf("vae: feature block %q (start %d, width %d) leaves a gap or overlaps at column %d", f.Name, f.Start, f.Width, next)
		}
		var k blockKind
		switch f.Kind {
		case sdk.FeatureUnit:
			k = kindUnit
		case sdk.FeatureNumeric:
			k = kindNumeric
		case sdk.FeatureCategorical:
			k = kindCategorical
		default:
			return nil, fmt.Errorf("vae: feature block %q has unknown kind %q", f.Name, f.Kind)
		}
		bs = append(bs, block{f.Start, f.Width, k})
		next += f.Width
	}
	if next != d {
		return nil, fmt.Errorf("vae: feature blocks cover %d columns, data has %d", next, d)
	}
	return bs, nil
}

// checkInputs validates the training data against the configuration.
func checkInputs(x []float32, n, d int, labels []int32, nClasses int, blocks []block, cfg Config) error {
	if n < 1 || d < 1 {
		return fmt.Errorf("vae: need n ≥ 1 and d ≥ 1, got n=%d d=%d", n, d)
	}
	if len(x) != n*d {
		return fmt.Errorf("vae: x has %d values, want n·d = %d·%d = %d", len(x), n, d, n*d)
	}
	// One pass: every value finite, unit columns in [0, 1].
	unit := make([]bool, d)
	for _, b := range blocks {
		for j := b.start; j < b.start+b.width; j++ {
			unit[j] = b.kind == kindUnit
		}
	}
	for i := 0; i < n; i++ {
		for j, v := range x[i*d : (i+1)*d] {
			if v >= 0 && v <= 1 {
				continue // the common case: finite, and fine for any kind
			}
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("vae: x[%d, %d] is %v", i, j, v)
			}
			if unit[j] {
				return fmt.Errorf("vae: binary cross-entropy needs values in [0, 1]; x[%d, %d] is %v (use reconstruction %q or %q)", i, j, v, ReconMSE, ReconMixed)
			}
		}
	}
	if !cfg.Conditional {
		return nil
	}
	if labels == nil {
		return fmt.Errorf("vae: conditional (CL-VAE) training needs class labels, got none")
	}
	if len(labels) != n {
		return fmt.Errorf("vae: %d labels for %d rows", len(labels), n)
	}
	if nClasses < 1 {
		return fmt.Errorf("vae: conditional training needs nClasses ≥ 1, got %d", nClasses)
	}
	for i, y := range labels {
		if y < 0 || int(y) >= nClasses {
			return fmt.Errorf("vae: label %d of row %d is outside [0, %d)", y, i, nClasses)
		}
	}
	return nil
}

// Train fits a VAE (cfg.Conditional false; labels may be nil) or a CL-VAE
// (cfg.Conditional true; labels in [0, nClasses) required) to the n×d
// row-major matrix x and returns the model and the statistics of each epoch.
// features say which columns are numeric, categorical or unit; they are
// needed only for cfg.Reconstruction = "mixed".
//
// Loss per batch (docs/method.md, "Encoders"): (γ·Σ_i Recon_i + β·Σ_i KL_i)/r over its r rows;
// network x → Hidden ReLU layers → (μ, log σ²); z = μ + σ⊙ε; z → reversed
// Hidden ReLU layers → x̂. Adam as PyTorch (eps 1e-8), Glorot-uniform weights
// and zero biases, batches reshuffled every epoch; everything random comes
// from one math/rand source seeded with cfg.Seed, so training is
// deterministic for a seed on a given machine and BLAS (with this package's
// own GEMM, the pure-Go build's, also for any GOMAXPROCS).
//
// progress, if not nil, is called after every epoch. Training stops with an
// error naming the epoch if the loss becomes NaN or ±Inf, and with ctx's
// error (checked before every batch) if ctx is cancelled; the epochs finished
// so far are returned with the error.
func Train(ctx context.Context, x []float32, n, d int, labels []int32, nClasses int, features []sdk.FeatureBlock, cfg Config, progress func(EpochStats)) (*Model, []EpochStats, error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	blocks, err := blocksFor(cfg.Reconstruction, d, features)
	if err != nil {
		return nil, nil, err
	}
	if err := checkInputs(x, n, d, labels, nClasses, blocks, cfg); err != nil {
		return nil, nil, err
	}
	spec, means, err := specFor(cfg, d, nClasses, blocks)
	if err != nil {
		return nil, nil, err
	}
	if !cfg.Conditional {
		labels = nil
	}

	rng := rand.New(rand.NewSource(cfg.Seed))
	p := newParams[float32](spec, rng, means)
	trainRows, valRows, err := splitRows(n, cfg, rng)
	if err != nil {
		return nil, nil, err
	}

	t := &trainer{spec: spec, p: p, x: x, labels: labels, batch: cfg.BatchSize,
		graphs: map[int]*graph[float32]{}, fwd: map[int]*graph[float32]{}}
	t.params = p.trainable(spec)
	t.opt = newAdam(cfg.LR, t.params)
	t.grads = make([][]float32, len(t.params))

	var stats []EpochStats
	best := math.Inf(1)
	var bestW [][]float32
	wait := 0
	perm := make([]int, len(trainRows))
	for ep := 1; ep <= cfg.Epochs; ep++ {
		start := time.Now()
		copy(perm, trainRows)
		rng.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		st, err := t.epoch(ctx, ep, perm, cfg, rng)
		if err != nil {
			return nil, stats, err
		}
		stop := false
		if len(valRows) > 0 {
			vl, err := t.validate(valRows, cfg)
			if err != nil {
				return nil, stats, fmt.Errorf("vae: validation in epoch %d: %w", ep, err)
			}
			st.ValLoss = vl
			if vl < best {
				best, wait = vl, 0
				bestW = p.snapshot(spec, bestW)
			} else if wait++; wait >= cfg.EarlyStoppingPatience {
				stop = true
			}
		}
		st.Seconds = time.Since(start).Seconds()
		stats = append(stats, st)
		if progress != nil {
			progress(st)
		}
		if stop {
			break
		}
	}
	if bestW != nil {
		p.restore(spec, bestW)
	}
	return newModel(cfg, d, nClasses, features, p, means), stats, nil
}

// specFor describes the network cfg asks for on d input columns, and returns
// the initial prior means of a conditional encoder (nil otherwise).
func specFor(cfg Config, d, nClasses int, blocks []block) (*netSpec, []float64, error) {
	spec := &netSpec{
		d: d, latent: cfg.LatentDim, hidden: cfg.Hidden,
		sample: cfg.KL == KLSample, gamma: cfg.Gamma, beta: cfg.Beta,
		blocks: blocks, scale: 1,
	}
	if cfg.Reduction == ReductionMean {
		spec.scale = 1 / float64(d)
	}
	if !cfg.Conditional {
		return spec, nil, nil
	}
	spec.nClasses = nClasses
	spec.learnedMeans = cfg.PriorMeans == PriorLearned
	means, err := cfg.initialMeans(nClasses)
	if err != nil {
		return nil, nil, err
	}
	return spec, means, nil
}

// splitRows returns the rows trained on and, with early stopping, the rows
// held out for validation (a seeded share cfg.ValidationFraction, sorted).
func splitRows(n int, cfg Config, rng *rand.Rand) (train, val []int, err error) {
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	if cfg.EarlyStoppingPatience <= 0 {
		return order, nil, nil
	}
	if n < 2 {
		return nil, nil, fmt.Errorf("vae: early stopping needs at least 2 rows, got %d", n)
	}
	rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
	nv := int(math.Round(cfg.ValidationFraction * float64(n)))
	nv = max(1, min(nv, n-1))
	train, val = order[:n-nv], order[n-nv:]
	sort.Ints(val)
	return train, val, nil
}

// epoch trains one epoch over the rows of perm, in batches, and returns the
// mean reconstruction and KL terms per row (Seconds and ValLoss unset).
func (t *trainer) epoch(ctx context.Context, ep int, perm []int, cfg Config, rng *rand.Rand) (EpochStats, error) {
	var sumR, sumK float64
	for off := 0; off < len(perm); off += cfg.BatchSize {
		if err := ctx.Err(); err != nil {
			return EpochStats{}, fmt.Errorf("vae: training stopped in epoch %d: %w", ep, err)
		}
		rows := perm[off:min(off+cfg.BatchSize, len(perm))]
		G, err := t.graph(len(rows), true)
		if err != nil {
			return EpochStats{}, err
		}
		t.fill(G, rows, rng)
		if err := G.run(); err != nil {
			return EpochStats{}, fmt.Errorf("vae: epoch %d: %w", ep, err)
		}
		r, k := G.lastSums()
		if l := cfg.Gamma*r + cfg.Beta*k; math.IsNaN(l) || math.IsInf(l, 0) {
			return EpochStats{}, fmt.Errorf("vae: loss is %v in epoch %d (batch at row %d of the epoch; reconstruction %v, KL %v): lower lr or check the data", l, ep, off, r, k)
		}
		sumR += r
		sumK += k
		for i := range t.grads {
			if t.grads[i], err = G.grad(i); err != nil {
				return EpochStats{}, fmt.Errorf("vae: epoch %d: %w", ep, err)
			}
		}
		t.opt.step(t.params, t.grads)
	}
	nt := float64(len(perm))
	st := EpochStats{Epoch: ep, Recon: sumR / nt, KL: sumK / nt}
	st.Loss = cfg.Gamma*st.Recon + cfg.Beta*st.KL
	return st, nil
}

// trainer holds the graphs of one training run, one per batch size (the
// full batch and the last, smaller one), built on first use.
type trainer struct {
	spec   *netSpec
	p      *netParams[float32]
	x      []float32
	labels []int32
	batch  int
	graphs map[int]*graph[float32] // with gradients
	fwd    map[int]*graph[float32] // forward only (validation)
	// params are the trainable arrays, opt their Adam state and grads the
	// last batch's gradients.
	params [][]float32
	opt    *adam
	grads  [][]float32
}

func (t *trainer) graph(rows int, withGrad bool) (*graph[float32], error) {
	m := t.fwd
	if withGrad {
		m = t.graphs
	}
	if G, ok := m[rows]; ok {
		return G, nil
	}
	G, err := buildGraph(t.spec, t.p, rows, withGrad)
	if err != nil {
		return nil, fmt.Errorf("vae: building the graph for %d rows: %w", rows, err)
	}
	m[rows] = G
	return G, nil
}

// fill copies the given rows (and their labels) into G's inputs and draws ε.
func (t *trainer) fill(G *graph[float32], rows []int, rng *rand.Rand) {
	d := t.spec.d
	for i, r := range rows {
		copy(G.x[i*d:(i+1)*d], t.x[r*d:(r+1)*d])
	}
	if G.y != nil {
		for i, r := range rows {
			G.y[i] = float32(t.labels[r])
		}
	}
	for i := range G.eps {
		G.eps[i] = float32(rng.NormFloat64())
	}
}

// validate returns the mean loss per validation row, with the same ε in every
// epoch (drawn from a source seeded with the configuration's seed).
func (t *trainer) validate(rows []int, cfg Config) (float64, error) {
	rng := rand.New(rand.NewSource(cfg.Seed ^ 0x5eed))
	var sum float64
	for off := 0; off < len(rows); off += t.batch {
		br := rows[off:min(off+t.batch, len(rows))]
		G, err := t.graph(len(br), false)
		if err != nil {
			return 0, err
		}
		t.fill(G, br, rng)
		if err := G.run(); err != nil {
			return 0, err
		}
		r, k := G.lastSums()
		sum += cfg.Gamma*r + cfg.Beta*k
	}
	return sum / float64(len(rows)), nil
}
