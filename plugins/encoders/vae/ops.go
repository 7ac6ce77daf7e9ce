package vae

// Custom gorgonia ops. The VAE graph is built from fused ops rather than from
// gorgonia's elementwise primitives: a dense layer with its bias and ReLU is one
// node, the reparameterisation is one node, and each loss term (reconstruction,
// KL) is one node whose backward pass is a single kernel. Each op owns its
// output buffer, allocated once for the batch size of its graph, because the
// tape machine forgets its registers on every Reset and would otherwise
// allocate every intermediate tensor anew for every batch. Elementwise kernels
// are split over goroutines; reductions are summed per fixed chunk in chunk
// order so that results do not depend on the number of goroutines.
//
// gorgonia still does the symbolic differentiation (gorgonia.Grad calls the ops'
// SymDiff, adds the backward nodes and sums gradients of nodes used twice),
// compiles forward and backward passes into one program and runs it on a
// TapeMachine.

import (
	"fmt"
	"hash"
	"hash/fnv"
	"math"
	"unsafe"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// chunkRows is the number of batch rows per chunk of the row-parallel kernels.
const chunkRows = 16

func dtypeOf[T float]() tensor.Dtype {
	if is32[T]() {
		return tensor.Float32
	}
	return tensor.Float64
}

func matType(dt tensor.Dtype) hm.Type { return gorgonia.TensorType{Dims: 2, Of: dt} }
func vecType(dt tensor.Dtype) hm.Type { return gorgonia.TensorType{Dims: 1, Of: dt} }

// outBuf is an op's own output tensor, reused across runs of the same graph.
type outBuf[T float] struct {
	data []T
	t    *tensor.Dense
}

func (b *outBuf[T]) get(shape ...int) (*tensor.Dense, []T) {
	size := 1
	for _, s := range shape {
		size *= s
	}
	if b.t != nil && b.t.Shape().Eq(tensor.Shape(shape)) {
		return b.t, b.data[:size]
	}
	if cap(b.data) < size {
		b.data = make([]T, size)
	}
	b.data = b.data[:size]
	b.t = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(b.data))
	return b.t, b.data
}

// scalarBuf is an op's own scalar output.
type scalarBuf[T float] struct{ v gorgonia.Value }

func (s *scalarBuf[T]) set(x T) gorgonia.Value {
	if s.v == nil {
		if is32[T]() {
			s.v = gorgonia.NewF32(float32(x))
		} else {
			s.v = gorgonia.NewF64(float64(x))
		}
		return s.v
	}
	switch p := s.v.(type) {
	case *gorgonia.F32:
		*p = gorgonia.F32(x)
	case *gorgonia.F64:
		*p = gorgonia.F64(x)
	}
	return s.v
}

// dense returns the data and shape of a tensor input.
func dense[T float](v gorgonia.Value, what string) ([]T, tensor.Shape, error) {
	t, ok := v.(*tensor.Dense)
	if !ok {
		return nil, nil, fmt.Errorf("%s: expected *tensor.Dense, got %T", what, v)
	}
	if t.Dtype() != dtypeOf[T]() || !t.IsNativelyAccessible() {
		return nil, nil, fmt.Errorf("%s: expected %v data, got %v", what, dtypeOf[T](), t.Dtype())
	}
	// Float32s/Float64s view the backing array without the allocation of
	// Data(); the dtype check above makes the conversion exact.
	var d []T
	if is32[T]() {
		f := t.Float32s()
		d = *(*[]T)(unsafe.Pointer(&f))
	} else {
		f := t.Float64s()
		d = *(*[]T)(unsafe.Pointer(&f))
	}
	return d, t.Shape(), nil
}

// matrix is dense for a 2-D input.
func matrix[T float](v gorgonia.Value, what string) ([]T, int, int, error) {
	d, s, err := dense[T](v, what)
	if err != nil {
		return nil, 0, 0, err
	}
	if len(s) != 2 {
		return nil, 0, 0, fmt.Errorf("%s: expected a matrix, got shape %v", what, s)
	}
	return d, s[0], s[1], nil
}

// scalarOf reads a scalar Value (the gradient flowing into a loss node).
func scalarOf(v gorgonia.Value) (float64, error) {
	switch x := v.(type) {
	case *gorgonia.F32:
		return float64(*x), nil
	case *gorgonia.F64:
		return float64(*x), nil
	case *tensor.Dense:
		if x.Shape().TotalSize() == 1 {
			switch d := x.Data().(type) {
			case float32:
				return float64(d), nil
			case float64:
				return d, nil
			case []float32:
				return float64(d[0]), nil
			case []float64:
				return d[0], nil
			}
		}
	}
	return 0, fmt.Errorf("expected a scalar gradient, got %T", v)
}

func shapes(in []gorgonia.DimSizer) ([]tensor.Shape, error) {
	return gorgonia.DimSizersToShapes(in)
}

// opCommon holds the methods every op here shares. Ops here are pure functions
// of their inputs; none returns a pointer into an input or overwrites one.
type opCommon struct{ name string }

func (o opCommon) ReturnsPtr() bool      { return false }
func (o opCommon) CallsExtern() bool     { return false }
func (o opCommon) OverwritesInput() int  { return -1 }
func (o opCommon) String() string        { return o.name }
func (o opCommon) WriteHash(h hash.Hash) { fmt.Fprint(h, o.name) }
func (o opCommon) Hashcode() uint32 {
	h := fnv.New32a()
	fmt.Fprint(h, o.name)
	return h.Sum32()
}

// ---------------------------------------------------------------- dense layer

// linearOp is y = act(x·W + b) for x (r×in), W (in×out), b (out); act is the
// identity or ReLU. Its gradient is built from reluBackOp, gemmOp and colSumOp.
type linearOp[T float] struct {
	opCommon
	relu, needDX bool
	out          outBuf[T]
}

func newLinearOp[T float](name string, relu, needDX bool) *linearOp[T] {
	return &linearOp[T]{opCommon: opCommon{fmt.Sprintf("Linear[%s,relu=%t,dx=%t]", name, relu, needDX)}, relu: relu, needDX: needDX}
}

func (o *linearOp[T]) Arity() int { return 3 }
func (o *linearOp[T]) Type() hm.Type {
	dt := dtypeOf[T]()
	return hm.NewFnType(matType(dt), matType(dt), vecType(dt), matType(dt))
}
func (o *linearOp[T]) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(in)
	if err != nil {
		return nil, err
	}
	if len(s) != 3 || len(s[0]) != 2 || len(s[1]) != 2 || s[0][1] != s[1][0] {
		return nil, fmt.Errorf("%s: bad input shapes %v", o.name, s)
	}
	return tensor.Shape{s[0][0], s[1][1]}, nil
}
func (o *linearOp[T]) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	x, r, k, err := matrix[T](in[0], o.name+" x")
	if err != nil {
		return nil, err
	}
	w, k2, n, err := matrix[T](in[1], o.name+" W")
	if err != nil {
		return nil, err
	}
	b, _, err := dense[T](in[2], o.name+" b")
	if err != nil {
		return nil, err
	}
	if k != k2 || len(b) != n {
		return nil, fmt.Errorf("%s: shapes x %dx%d, W %dx%d, b %d", o.name, r, k, k2, n, len(b))
	}
	t, y := o.out.get(r, n)
	gemm(false, false, r, n, k, 1, x, k, w, n, 0, y, n)
	relu := o.relu
	parallelRange(r, chunkRows, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := y[i*n : i*n+n]
			if relu {
				for j, v := range row {
					v += b[j]
					if v < 0 {
						v = 0
					}
					row[j] = v
				}
			} else {
				for j, v := range row {
					row[j] = v + b[j]
				}
			}
		}
	})
	return t, nil
}
func (o *linearOp[T]) DiffWRT(int) []bool { return []bool{o.needDX, true, true} }
func (o *linearOp[T]) SymDiff(in gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	g := grad
	var err error
	if o.relu {
		if g, err = gorgonia.ApplyOp(newReluBackOp[T](o.name), output, grad); err != nil {
			return nil, err
		}
	}
	res := make(gorgonia.Nodes, 3)
	if o.needDX {
		if res[0], err = gorgonia.ApplyOp(newGemmOp[T](o.name+".dx", false, true), g, in[1]); err != nil {
			return nil, err
		}
	}
	if res[1], err = gorgonia.ApplyOp(newGemmOp[T](o.name+".dW", true, false), in[0], g); err != nil {
		return nil, err
	}
	if res[2], err = gorgonia.ApplyOp(newColSumOp[T](o.name+".db"), g); err != nil {
		return nil, err
	}
	return res, nil
}

// reluBackOp is dy ⊙ [y > 0] for y = ReLU(·).
type reluBackOp[T float] struct {
	opCommon
	out outBuf[T]
}

func newReluBackOp[T float](name string) *reluBackOp[T] {
	return &reluBackOp[T]{opCommon: opCommon{"ReluBack[" + name + "]"}}
}
func (o *reluBackOp[T]) Arity() int { return 2 }
func (o *reluBackOp[T]) Type() hm.Type {
	dt := dtypeOf[T]()
	return hm.NewFnType(matType(dt), matType(dt), matType(dt))
}
func (o *reluBackOp[T]) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(in)
	if err != nil {
		return nil, err
	}
	return s[0].Clone(), nil
}
func (o *reluBackOp[T]) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	y, r, c, err := matrix[T](in[0], o.name+" y")
	if err != nil {
		return nil, err
	}
	dy, _, _, err := matrix[T](in[1], o.name+" dy")
	if err != nil {
		return nil, err
	}
	if len(dy) != len(y) {
		return nil, fmt.Errorf("%s: y has %d values, dy %d", o.name, len(y), len(dy))
	}
	t, out := o.out.get(r, c)
	parallelRange(len(y), chunkRows*c, func(lo, hi int) {
		yy, dd, oo := y[lo:hi], dy[lo:hi], out[lo:hi]
		for i, v := range yy {
			if v > 0 {
				oo[i] = dd[i]
			} else {
				oo[i] = 0
			}
		}
	})
	return t, nil
}

// gemmOp is C = op(A)·op(B) (the backward products of a dense layer).
type gemmOp[T float] struct {
	opCommon
	tA, tB bool
	out    outBuf[T]
}

func newGemmOp[T float](name string, tA, tB bool) *gemmOp[T] {
	return &gemmOp[T]{opCommon: opCommon{fmt.Sprintf("Gemm[%s,%t,%t]", name, tA, tB)}, tA: tA, tB: tB}
}
func (o *gemmOp[T]) Arity() int { return 2 }
func (o *gemmOp[T]) Type() hm.Type {
	dt := dtypeOf[T]()
	return hm.NewFnType(matType(dt), matType(dt), matType(dt))
}
func (o *gemmOp[T]) dims(ar, ac, br, bc int) (m, n, k, k2 int) {
	m, k = ar, ac
	if o.tA {
		m, k = ac, ar
	}
	k2, n = br, bc
	if o.tB {
		k2, n = bc, br
	}
	return
}
func (o *gemmOp[T]) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(in)
	if err != nil {
		return nil, err
	}
	if len(s) != 2 || len(s[0]) != 2 || len(s[1]) != 2 {
		return nil, fmt.Errorf("%s: bad input shapes %v", o.name, s)
	}
	m, n, k, k2 := o.dims(s[0][0], s[0][1], s[1][0], s[1][1])
	if k != k2 {
		return nil, fmt.Errorf("%s: inner dimensions %d and %d differ", o.name, k, k2)
	}
	return tensor.Shape{m, n}, nil
}
func (o *gemmOp[T]) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	a, ar, ac, err := matrix[T](in[0], o.name+" A")
	if err != nil {
		return nil, err
	}
	b, br, bc, err := matrix[T](in[1], o.name+" B")
	if err != nil {
		return nil, err
	}
	m, n, k, k2 := o.dims(ar, ac, br, bc)
	if k != k2 {
		return nil, fmt.Errorf("%s: inner dimensions %d and %d differ", o.name, k, k2)
	}
	t, c := o.out.get(m, n)
	gemm(o.tA, o.tB, m, n, k, 1, a, ac, b, bc, 0, c, n)
	return t, nil
}

// colSumOp sums a matrix over its rows (the bias gradient).
type colSumOp[T float] struct {
	opCommon
	out outBuf[T]
}

func newColSumOp[T float](name string) *colSumOp[T] {
	return &colSumOp[T]{opCommon: opCommon{"ColSum[" + name + "]"}}
}
func (o *colSumOp[T]) Arity() int { return 1 }
func (o *colSumOp[T]) Type() hm.Type {
	dt := dtypeOf[T]()
	return hm.NewFnType(matType(dt), vecType(dt))
}
func (o *colSumOp[T]) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(in)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[0][1]}, nil
}
func (o *colSumOp[T]) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	g, r, c, err := matrix[T](in[0], o.name)
	if err != nil {
		return nil, err
	}
	t, out := o.out.get(c)
	// Bands of columns in parallel; each column is summed in row order.
	parallelRange(c, 64, func(lo, hi int) {
		o := out[lo:hi]
		clear(o)
		for i := 0; i < r; i++ {
			for j, v := range g[i*c+lo : i*c+hi] {
				o[j] += v
			}
		}
	})
	return t, nil
}

// ------------------------------------------------------------------ latent

// reparamOp is z = μ + exp(½·log σ²)⊙ε (Kingma & Welling 2014, eq. 10) for
// h = [μ | log σ²] (r×2L) and ε (r×L).
type reparamOp[T float] struct {
	opCommon
	out outBuf[T]
}

func newReparamOp[T float]() *reparamOp[T] { return &reparamOp[T]{opCommon: opCommon{"Reparam"}} }
func (o *reparamOp[T]) Arity() int         { return 2 }
func (o *reparamOp[T]) Type() hm.Type {
	dt := dtypeOf[T]()
	return hm.NewFnType(matType(dt), matType(dt), matType(dt))
}
func (o *reparamOp[T]) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(in)
	if err != nil {
		return nil, err
	}
	return s[1].Clone(), nil
}
func (o *reparamOp[T]) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	h, r, c, err := matrix[T](in[0], "Reparam h")
	if err != nil {
		return nil, err
	}
	eps, r2, l, err := matrix[T](in[1], "Reparam eps")
	if err != nil {
		return nil, err
	}
	if r2 != r || c != 2*l {
		return nil, fmt.Errorf("Reparam: h is %dx%d, eps %dx%d", r, c, r2, l)
	}
	t, z := o.out.get(r, l)
	for i := 0; i < r; i++ {
		for j := 0; j < l; j++ {
			z[i*l+j] = h[i*c+j] + expT(h[i*c+l+j]/2)*eps[i*l+j]
		}
	}
	return t, nil
}
func (o *reparamOp[T]) DiffWRT(int) []bool { return []bool{true, false} }
func (o *reparamOp[T]) SymDiff(in gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	d, err := gorgonia.ApplyOp(&reparamBackOp[T]{opCommon: opCommon{"ReparamBack"}}, in[0], in[1], grad)
	return gorgonia.Nodes{d, nil}, err
}

// reparamBackOp is ∂z/∂h applied to dz: dμ = dz, d log σ² = dz⊙ε⊙½σ.
type reparamBackOp[T float] struct {
	opCommon
	out outBuf[T]
}

func (o *reparamBackOp[T]) Arity() int { return 3 }
func (o *reparamBackOp[T]) Type() hm.Type {
	dt := dtypeOf[T]()
	return hm.NewFnType(matType(dt), matType(dt), matType(dt), matType(dt))
}
func (o *reparamBackOp[T]) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(in)
	if err != nil {
		return nil, err
	}
	return s[0].Clone(), nil
}
func (o *reparamBackOp[T]) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	h, r, c, err := matrix[T](in[0], "ReparamBack h")
	if err != nil {
		return nil, err
	}
	eps, _, l, err := matrix[T](in[1], "ReparamBack eps")
	if err != nil {
		return nil, err
	}
	dz, _, _, err := matrix[T](in[2], "ReparamBack dz")
	if err != nil {
		return nil, err
	}
	t, dh := o.out.get(r, c)
	for i := 0; i < r; i++ {
		for j := 0; j < l; j++ {
			g := dz[i*l+j]
			dh[i*c+j] = g
			dh[i*c+l+j] = g * eps[i*l+j] * expT(h[i*c+l+j]/2) / 2
		}
	}
	return t, nil
}

// klOp is β/r · Σ_i KL_i for a batch of r rows, h = [μ | log σ²] (r×2L), the
// noise ε (r×L) and, for the CL-VAE, the class y_i of each row (a vector of r
// class indices) and the prior means M (C×L); the VAE's prior is N(0, I).
//
// closed form: KL_i = ½ Σ_j (σ_ij² + (μ_ij − M_{y_i j})² − 1 − log σ_ij²).
// sample: the one-sample estimate of the paper (Norlander & Sopasakis 2019,
// log q(z|x) − log p(z|y) with z = μ + σ⊙ε), written
// KL_i = ½ Σ_j ((z_ij − M_{y_i j})² − log σ_ij² − 1): the paper's
// −½Σ log σ² + ½‖z − μ_y‖² less the constant d/2, so that its expectation over
// ε is exactly the closed form and both report comparable numbers; the
// gradient is the paper's.
type klOp[T float] struct {
	opCommon
	sample  bool
	beta    float64
	cond    bool // inputs (h, eps, y, M) rather than (h, eps)
	learned bool // the prior means are trainable
	lastSum float64
	out     scalarBuf[T]
}

func newKLOp[T float](sample bool, beta float64, cond, learned bool) *klOp[T] {
	return &klOp[T]{opCommon: opCommon{fmt.Sprintf("KL[sample=%t,beta=%g,cond=%t,learned=%t]", sample, beta, cond, learned)}, sample: sample, beta: beta, cond: cond, learned: learned && cond}
}
func (o *klOp[T]) Arity() int {
	if o.cond {
		return 4
	}
	return 2
}
func (o *klOp[T]) Type() hm.Type {
	dt := dtypeOf[T]()
	if o.cond {
		return hm.NewFnType(matType(dt), matType(dt), vecType(dt), matType(dt), dt)
	}
	return hm.NewFnType(matType(dt), matType(dt), dt)
}
func (o *klOp[T]) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) {
	return tensor.ScalarShape(), nil
}

// klInputs unpacks (h, eps[, y, M]).
type klInputs[T float] struct {
	h, eps, y, m []T
	r, l         int
}

func readKL[T float](in []gorgonia.Value) (k klInputs[T], err error) {
	var c, r2, l2 int
	if k.h, k.r, c, err = matrix[T](in[0], "KL h"); err != nil {
		return
	}
	if k.eps, r2, k.l, err = matrix[T](in[1], "KL eps"); err != nil {
		return
	}
	if r2 != k.r || c != 2*k.l {
		err = fmt.Errorf("KL: h is %dx%d, eps %dx%d", k.r, c, r2, k.l)
		return
	}
	if len(in) >= 4 {
		if k.y, _, err = dense[T](in[2], "KL y"); err != nil {
			return
		}
		var nc int
		if k.m, nc, l2, err = matrix[T](in[3], "KL means"); err != nil {
			return
		}
		if len(k.y) != k.r || l2 != k.l {
			err = fmt.Errorf("KL: %d labels for %d rows, means %dx%d for latent %d", len(k.y), k.r, nc, l2, k.l)
			return
		}
		for _, v := range k.y {
			if v < 0 || int(v) >= nc {
				err = fmt.Errorf("KL: class %v out of range [0, %d)", v, nc)
				return
			}
		}
	}
	return k, nil
}

// prior returns the prior mean of row i, coordinate j.
func (k *klInputs[T]) prior(i, j int) T {
	if k.m == nil {
		return 0
	}
	return k.m[int(k.y[i])*k.l+j]
}

func (o *klOp[T]) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	if len(in) != o.Arity() {
		return nil, fmt.Errorf("%s: expected %d inputs, got %d", o.name, o.Arity(), len(in))
	}
	k, err := readKL[T](in)
	if err != nil {
		return nil, err
	}
	c := 2 * k.l
	var sum float64
	for i := 0; i < k.r; i++ {
		var s T
		for j := 0; j < k.l; j++ {
			mu, lv := k.h[i*c+j], k.h[i*c+k.l+j]
			if o.sample {
				d := mu + expT(lv/2)*k.eps[i*k.l+j] - k.prior(i, j)
				s += d*d - lv - 1
			} else {
				d := mu - k.prior(i, j)
				s += expT(lv) + d*d - 1 - lv
			}
		}
		sum += float64(s) / 2
	}
	o.lastSum = sum
	return o.out.set(T(o.beta * sum / float64(k.r))), nil
}
func (o *klOp[T]) DiffWRT(n int) []bool {
	if n == 4 {
		return []bool{true, false, false, o.learned}
	}
	return []bool{true, false}
}
func (o *klOp[T]) SymDiff(in gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	args := append(append(gorgonia.Nodes{}, in...), grad)
	res := make(gorgonia.Nodes, len(in))
	var err error
	if res[0], err = gorgonia.ApplyOp(&klBackOp[T]{opCommon: opCommon{o.name + ".dh"}, fwd: o}, args...); err != nil {
		return nil, err
	}
	if len(in) == 4 && o.learned {
		if res[3], err = gorgonia.ApplyOp(&klBackOp[T]{opCommon: opCommon{o.name + ".dM"}, fwd: o, wrtMeans: true}, args...); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// klBackOp is the gradient of klOp with respect to h (r×2L) or, when wrtMeans,
// to the prior means M (C×L). With s = g·β/r, r_ij = z_ij − m_ij (sample) or
// μ_ij − m_ij (closed): ∂/∂μ = s·r_ij; ∂/∂log σ² = s·½(σ² − 1) (closed) or
// s·(r_ij·ε_ij·½σ_ij − ½) (sample); ∂/∂M_{y_i j} −= s·r_ij.
type klBackOp[T float] struct {
	opCommon
	fwd      *klOp[T]
	wrtMeans bool
	out      outBuf[T]
}

func (o *klBackOp[T]) Arity() int { return o.fwd.Arity() + 1 }
func (o *klBackOp[T]) Type() hm.Type {
	dt := dtypeOf[T]()
	if o.fwd.cond {
		return hm.NewFnType(matType(dt), matType(dt), vecType(dt), matType(dt), dt, matType(dt))
	}
	return hm.NewFnType(matType(dt), matType(dt), dt, matType(dt))
}
func (o *klBackOp[T]) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(in)
	if err != nil {
		return nil, err
	}
	if o.wrtMeans {
		return s[3].Clone(), nil
	}
	return s[0].Clone(), nil
}
func (o *klBackOp[T]) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	if len(in) != o.Arity() {
		return nil, fmt.Errorf("%s: expected %d inputs, got %d", o.name, o.Arity(), len(in))
	}
	k, err := readKL[T](in[:len(in)-1])
	if err != nil {
		return nil, err
	}
	g, err := scalarOf(in[len(in)-1])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.name, err)
	}
	s := T(g * o.fwd.beta / float64(k.r))
	c := 2 * k.l
	var t *tensor.Dense
	var out []T
	if o.wrtMeans {
		t, out = o.out.get(len(k.m)/k.l, k.l)
		clear(out)
	} else {
		t, out = o.out.get(k.r, c)
	}
	for i := 0; i < k.r; i++ {
		for j := 0; j < k.l; j++ {
			mu, lv := k.h[i*c+j], k.h[i*c+k.l+j]
			var d, dlv T
			if o.fwd.sample {
				sd := expT(lv / 2)
				e := k.eps[i*k.l+j]
				d = mu + sd*e - k.prior(i, j)
				dlv = s * (d*e*sd/2 - T(0.5))
			} else {
				d = mu - k.prior(i, j)
				dlv = s * (expT(lv) - 1) / 2
			}
			if o.wrtMeans {
				out[int(k.y[i])*k.l+j] -= s * d
			} else {
				out[i*c+j] = s * d
				out[i*c+k.l+j] = dlv
			}
		}
	}
	return t, nil
}

// ---------------------------------------------------------- reconstruction

// blockKind is the reconstruction loss of a run of columns.
type blockKind uint8

const (
	// kindUnit: sigmoid output, binary cross-entropy (Bernoulli log-likelihood).
	kindUnit blockKind = iota
	// kindNumeric: linear output, squared error.
	kindNumeric
	// kindCategorical: softmax output over the block, cross-entropy.
	kindCategorical
)

type block struct {
	start, width int
	kind         blockKind
}

// reconOp is γ/r · Σ_i Recon_i for the decoder's pre-activation outputs ("logits")
// l and the data x (both r×d). Per row, summed over blocks:
//
//   - unit: Σ_j softplus(l_j) − x_j·l_j, the binary cross-entropy
//     −[x log σ(l) + (1−x) log(1−σ(l))] written on logits (exact, never log 0;
//     Keras clips σ(l) to [1e-7, 1−1e-7] instead, which differs only there);
//   - numeric: Σ_j (l_j − x_j)² (Keras' mse × original_dim);
//   - categorical: (Σ_k x_k)·logsumexp(l) − Σ_k x_k·l_k, the cross-entropy of the
//     softmax of the block.
//
// With reduction "mean" each row's sum is divided by d, the number of columns
// (Keras' bare binary_crossentropy is the mean over the last axis).
//
// The exponentials the loss needs also give its derivative, so the forward
// pass keeps ∂Recon_i/∂l (unscaled) for the backward op, which then only
// scales it; the backward op recomputes it if it is run on other inputs.
type reconOp[T float] struct {
	opCommon
	blocks  []block
	gamma   float64
	scale   float64 // 1 for "sum", 1/d for "mean"
	lastSum float64 // Σ_i Recon_i of the last run (before γ)
	parts   []float64
	out     scalarBuf[T]
	// resid holds ∂Recon_i/∂l of the last run on inputs (residL, residX).
	resid          outBuf[T]
	residL, residX *T
	tab            *bceTab // AVX2 kernel constants; nil: Go loops only
}

func newReconOp[T float](blocks []block, gamma, scale float64) *reconOp[T] {
	o := &reconOp[T]{opCommon: opCommon{fmt.Sprintf("Recon[%v,gamma=%g,scale=%g]", blocks, gamma, scale)}, blocks: blocks, gamma: gamma, scale: scale}
	if is32[T]() && haveAVX2() {
		o.tab = newBCETab()
	}
	return o
}
func (o *reconOp[T]) Arity() int { return 2 }
func (o *reconOp[T]) Type() hm.Type {
	dt := dtypeOf[T]()
	return hm.NewFnType(matType(dt), matType(dt), dt)
}
func (o *reconOp[T]) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) {
	return tensor.ScalarShape(), nil
}

// reconInputs reads and checks (logits, x).
func reconInputs[T float](in []gorgonia.Value) (l, x []T, r, d int, err error) {
	if l, r, d, err = matrix[T](in[0], "Recon logits"); err != nil {
		return
	}
	var r2, d2 int
	if x, r2, d2, err = matrix[T](in[1], "Recon x"); err != nil {
		return
	}
	if r2 != r || d2 != d || r == 0 {
		err = fmt.Errorf("Recon: logits %dx%d, x %dx%d", r, d, r2, d2)
	}
	return
}

func (o *reconOp[T]) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	l, x, r, d, err := reconInputs[T](in)
	if err != nil {
		return nil, err
	}
	_, resid := o.resid.get(r, d)
	nc := (r + chunkRows - 1) / chunkRows
	if cap(o.parts) < nc {
		o.parts = make([]float64, nc)
	}
	parts := o.parts[:nc]
	tab := o.tab
	parallelChunks(nc, func(c int) {
		var s float64
		for i := c * chunkRows; i < min((c+1)*chunkRows, r); i++ {
			s += float64(reconRow(o.blocks, l[i*d:i*d+d], x[i*d:i*d+d], resid[i*d:i*d+d], tab))
		}
		parts[c] = s
	})
	o.residL, o.residX = &l[0], &x[0]
	var sum float64
	for _, p := range parts {
		sum += p
	}
	sum *= o.scale
	o.lastSum = sum
	return o.out.set(T(o.gamma * sum / float64(r))), nil
}

// reconRow returns the unscaled reconstruction loss of one row and writes its
// derivative with respect to l into g: unit σ(l) − x; numeric 2(l − x);
// categorical (Σx)·softmax(l) − x. With tab (float32 only) unit blocks run
// through the AVX2 kernel bceAVX2, 8 columns at a time.
func reconRow[T float](blocks []block, l, x, g []T, tab *bceTab) T {
	var s T
	for _, b := range blocks {
		lb, xb, gb := l[b.start:b.start+b.width], x[b.start:b.start+b.width], g[b.start:b.start+b.width]
		xb, gb = xb[:len(lb)], gb[:len(lb)]
		switch b.kind {
		case kindUnit:
			j0 := 0
			if tab != nil && is32[T]() && len(lb) >= 8 {
				j0 = len(lb) &^ 7
				s += T(bceAVX2((*float32)(unsafe.Pointer(&lb[0])), (*float32)(unsafe.Pointer(&xb[0])), (*float32)(unsafe.Pointer(&gb[0])), j0, tab))
			}
			for j := j0; j < len(lb); j++ {
				v := lb[j]
				sp, sig := softplusSigmoid(v)
				s += sp - xb[j]*v
				gb[j] = sig - xb[j]
			}
		case kindNumeric:
			for j, v := range lb {
				e := v - xb[j]
				s += e * e
				gb[j] = 2 * e
			}
		case kindCategorical:
			mx := lb[0]
			for _, v := range lb {
				mx = max(mx, v)
			}
			var se, sx, sxl T
			for j, v := range lb {
				e := expT(v - mx)
				gb[j] = e
				se += e
				sx += xb[j]
				sxl += xb[j] * v
			}
			lse := mx + T(math.Log(float64(se)))
			s += sx*lse - sxl
			f := sx / se
			for j := range gb {
				gb[j] = gb[j]*f - xb[j]
			}
		}
	}
	return s
}

func (o *reconOp[T]) DiffWRT(int) []bool { return []bool{true, false} }
func (o *reconOp[T]) SymDiff(in gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	d, err := gorgonia.ApplyOp(&reconBackOp[T]{opCommon: opCommon{o.name + ".dl"}, fwd: o}, in[0], in[1], grad)
	return gorgonia.Nodes{d, nil}, err
}

// reconBackOp is ∂/∂l of reconOp times the incoming gradient g:
// g·γ·scale/r · ∂Recon_i/∂l (see reconRow).
type reconBackOp[T float] struct {
	opCommon
	fwd *reconOp[T]
	out outBuf[T]
}

func (o *reconBackOp[T]) Arity() int { return 3 }
func (o *reconBackOp[T]) Type() hm.Type {
	dt := dtypeOf[T]()
	return hm.NewFnType(matType(dt), matType(dt), dt, matType(dt))
}
func (o *reconBackOp[T]) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(in)
	if err != nil {
		return nil, err
	}
	return s[0].Clone(), nil
}
func (o *reconBackOp[T]) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	l, x, r, d, err := reconInputs[T](in[:2])
	if err != nil {
		return nil, err
	}
	g, err := scalarOf(in[2])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.name, err)
	}
	s := T(g * o.fwd.gamma * o.fwd.scale / float64(r))
	t, out := o.out.get(r, d)
	f := o.fwd
	if f.residL == &l[0] && f.residX == &x[0] && len(f.resid.data) == len(out) {
		resid := f.resid.data
		parallelRange(len(out), chunkRows*d, func(lo, hi int) {
			rr, oo := resid[lo:hi], out[lo:hi]
			for i, v := range rr {
				oo[i] = s * v
			}
		})
		return t, nil
	}
	parallelRange(r, chunkRows, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			oo := out[i*d : i*d+d]
			reconRow(f.blocks, l[i*d:i*d+d], x[i*d:i*d+d], oo, f.tab)
			for j, v := range oo {
				oo[j] = s * v
			}
		}
	})
	return t, nil
}
