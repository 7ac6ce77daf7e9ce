package vae

import (
	"fmt"
	"math"
	"math/rand"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// netSpec is the shape and loss of a network, fixed before training.
type netSpec struct {
	d, latent    int
	hidden       []int
	nClasses     int  // > 0 for the CL-VAE
	learnedMeans bool // CL-VAE with trainable prior means
	sample       bool // one-sample KL
	gamma, beta  float64
	blocks       []block
	scale        float64 // reconstruction scale: 1 ("sum") or 1/d ("mean")
}

// layer is one dense layer: W (in×out, row-major) and b (out).
type layer[T float] struct {
	in, out int
	w, b    []T
	wT, bT  *tensor.Dense
}

func newLayer[T float](in, out int) layer[T] {
	l := layer[T]{in: in, out: out, w: make([]T, in*out), b: make([]T, out)}
	l.wT = tensor.New(tensor.WithShape(in, out), tensor.WithBacking(l.w))
	l.bT = tensor.New(tensor.WithShape(out), tensor.WithBacking(l.b))
	return l
}

// netParams are the trainable (and the fixed prior-mean) tensors of a network.
// layers holds, in order, the encoder's hidden layers, the (μ, log σ²) head
// (last hidden → 2L), the decoder's hidden layers and the output layer.
type netParams[T float] struct {
	layers []layer[T]
	nEnc   int // encoder hidden layers; layers[nEnc] is the head
	means  []T // C×L prior means (CL-VAE), nil for the VAE
	meansT *tensor.Dense
}

// newParams allocates the network of spec with Glorot-uniform weights
// (U(±√(6/(fan_in+fan_out))), Glorot & Bengio 2010, Keras' default kernel
// initialiser) drawn from rng in layer order, row-major, and zero biases.
func newParams[T float](s *netSpec, rng *rand.Rand, means []float64) *netParams[T] {
	p := &netParams[T]{nEnc: len(s.hidden)}
	widths := append([]int{s.d}, s.hidden...)
	for i := 0; i < len(s.hidden); i++ {
		p.layers = append(p.layers, newLayer[T](widths[i], widths[i+1]))
	}
	p.layers = append(p.layers, newLayer[T](widths[len(widths)-1], 2*s.latent))
	prev := s.latent
	for i := len(s.hidden) - 1; i >= 0; i-- {
		p.layers = append(p.layers, newLayer[T](prev, s.hidden[i]))
		prev = s.hidden[i]
	}
	p.layers = append(p.layers, newLayer[T](prev, s.d))
	for _, l := range p.layers {
		lim := math.Sqrt(6 / float64(l.in+l.out))
		for i := range l.w {
			l.w[i] = T((2*rng.Float64() - 1) * lim)
		}
	}
	if s.nClasses > 0 {
		p.means = make([]T, s.nClasses*s.latent)
		for i, v := range means {
			p.means[i] = T(v)
		}
		p.meansT = tensor.New(tensor.WithShape(s.nClasses, s.latent), tensor.WithBacking(p.means))
	}
	return p
}

// trainable returns the slices Adam updates, in a fixed order (the order of the
// gradient nodes of every graph built on p).
func (p *netParams[T]) trainable(s *netSpec) [][]T {
	var r [][]T
	for _, l := range p.layers {
		r = append(r, l.w, l.b)
	}
	if s.learnedMeans {
		r = append(r, p.means)
	}
	return r
}

// snapshot copies the trainable values (for early stopping); restore writes
// them back.
func (p *netParams[T]) snapshot(s *netSpec, into [][]T) [][]T {
	src := p.trainable(s)
	if into == nil {
		into = make([][]T, len(src))
		for i, v := range src {
			into[i] = make([]T, len(v))
		}
	}
	for i, v := range src {
		copy(into[i], v)
	}
	return into
}

func (p *netParams[T]) restore(s *netSpec, from [][]T) {
	for i, v := range p.trainable(s) {
		copy(v, from[i])
	}
}

// graph is a VAE or CL-VAE expression graph for batches of exactly `rows` rows
// on the tensors of a netParams, with its compiled TapeMachine. Inputs are
// bound once to tensors whose backing slices (x, eps, y) the caller fills
// before each run.
type graph[T float] struct {
	rows   int
	g      *gorgonia.ExprGraph
	vm     gorgonia.VM
	x, eps []T
	y      []T // class index per row (CL-VAE)
	recon  *reconOp[T]
	kl     *klOp[T]
	// gradient node per trainable slice, in netParams.trainable order (nil
	// without gradients).
	grads []*gorgonia.Node
}

// buildGraph builds the graph of spec on p for batches of `rows` rows; with
// withGrad it adds the backward pass (gorgonia.Grad) for the trainable tensors.
func buildGraph[T float](s *netSpec, p *netParams[T], rows int, withGrad bool) (*graph[T], error) {
	dt := dtypeOf[T]()
	G := &graph[T]{rows: rows, g: gorgonia.NewGraph(), x: make([]T, rows*s.d), eps: make([]T, rows*s.latent)}
	g := G.g
	xT := tensor.New(tensor.WithShape(rows, s.d), tensor.WithBacking(G.x))
	epsT := tensor.New(tensor.WithShape(rows, s.latent), tensor.WithBacking(G.eps))
	x := gorgonia.NewMatrix(g, dt, gorgonia.WithShape(rows, s.d), gorgonia.WithName("x"), gorgonia.WithValue(xT))
	eps := gorgonia.NewMatrix(g, dt, gorgonia.WithShape(rows, s.latent), gorgonia.WithName("eps"), gorgonia.WithValue(epsT))

	var wrt gorgonia.Nodes
	lin := func(h *gorgonia.Node, i int, relu, needDX bool) (*gorgonia.Node, error) {
		l := p.layers[i]
		w := gorgonia.NewMatrix(g, dt, gorgonia.WithShape(l.in, l.out), gorgonia.WithName(fmt.Sprintf("W%d", i)), gorgonia.WithValue(l.wT))
		b := gorgonia.NewVector(g, dt, gorgonia.WithShape(l.out), gorgonia.WithName(fmt.Sprintf("b%d", i)), gorgonia.WithValue(l.bT))
		wrt = append(wrt, w, b)
		return gorgonia.ApplyOp(newLinearOp[T](fmt.Sprintf("L%d", i), relu, needDX), h, w, b)
	}
	h := x
	var err error
	for i := 0; i < p.nEnc; i++ {
		if h, err = lin(h, i, true, i > 0); err != nil {
			return nil, fmt.Errorf("encoder layer %d: %w", i, err)
		}
	}
	muLv, err := lin(h, p.nEnc, false, p.nEnc > 0)
	if err != nil {
		return nil, fmt.Errorf("latent head: %w", err)
	}
	z, err := gorgonia.ApplyOp(newReparamOp[T](), muLv, eps)
	if err != nil {
		return nil, fmt.Errorf("reparameterisation: %w", err)
	}
	h = z
	last := len(p.layers) - 1
	for i := p.nEnc + 1; i <= last; i++ {
		if h, err = lin(h, i, i < last, true); err != nil {
			return nil, fmt.Errorf("decoder layer %d: %w", i, err)
		}
	}
	G.recon = newReconOp[T](s.blocks, s.gamma, s.scale)
	rec, err := gorgonia.ApplyOp(G.recon, h, x)
	if err != nil {
		return nil, fmt.Errorf("reconstruction loss: %w", err)
	}
	G.kl = newKLOp[T](s.sample, s.beta, s.nClasses > 0, s.learnedMeans)
	klArgs := gorgonia.Nodes{muLv, eps}
	if s.nClasses > 0 {
		G.y = make([]T, rows)
		yT := tensor.New(tensor.WithShape(rows), tensor.WithBacking(G.y))
		y := gorgonia.NewVector(g, dt, gorgonia.WithShape(rows), gorgonia.WithName("y"), gorgonia.WithValue(yT))
		m := gorgonia.NewMatrix(g, dt, gorgonia.WithShape(s.nClasses, s.latent), gorgonia.WithName("means"), gorgonia.WithValue(p.meansT))
		klArgs = append(klArgs, y, m)
		if s.learnedMeans {
			wrt = append(wrt, m)
		}
	}
	kl, err := gorgonia.ApplyOp(G.kl, klArgs...)
	if err != nil {
		return nil, fmt.Errorf("KL term: %w", err)
	}
	cost, err := gorgonia.Add(rec, kl)
	if err != nil {
		return nil, fmt.Errorf("loss: %w", err)
	}
	if withGrad {
		if G.grads, err = gorgonia.Grad(cost, wrt...); err != nil {
			return nil, fmt.Errorf("symbolic differentiation: %w", err)
		}
	}
	G.vm = gorgonia.NewTapeMachine(g)
	return G, nil
}

// run executes the compiled program once on the current inputs.
func (G *graph[T]) run() error {
	G.vm.Reset()
	return G.vm.RunAll()
}

// lastSums returns Σ_i Recon_i and Σ_i KL_i of the last run (before γ, β).
func (G *graph[T]) lastSums() (recon, kl float64) { return G.recon.lastSum, G.kl.lastSum }

// grad returns the values of the i-th gradient after a run.
func (G *graph[T]) grad(i int) ([]T, error) {
	v := G.grads[i].Value()
	if v == nil {
		return nil, fmt.Errorf("gradient %d has no value", i)
	}
	d, _, err := dense[T](v, "gradient")
	return d, err
}
