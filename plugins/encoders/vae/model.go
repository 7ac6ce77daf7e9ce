package vae

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"

	"github.com/latentbench/latentbench/sdk"
)

// Model is a trained VAE or CL-VAE: all its weights in float32 and the
// configuration that made it.
type Model struct {
	cfg      Config
	d        int
	nClasses int // 0 for the VAE
	features []sdk.FeatureBlock
	nEnc     int
	layers   []denseLayer
	means    []float64 // nClasses×LatentDim (CL-VAE)
}

// denseLayer is W (in×out, row-major) and b (out).
type denseLayer struct {
	In, Out int
	W, B    []float32
}

// newModel copies the trained weights of p. Fixed prior means (circle,
// explicit) are kept exactly as given, not as their float32 training copies.
func newModel(cfg Config, d, nClasses int, features []sdk.FeatureBlock, p *netParams[float32], fixedMeans []float64) *Model {
	m := &Model{cfg: cfg, d: d, features: append([]sdk.FeatureBlock(nil), features...), nEnc: p.nEnc}
	m.cfg.Hidden = append([]int(nil), cfg.Hidden...)
	for _, l := range p.layers {
		m.layers = append(m.layers, denseLayer{In: l.in, Out: l.out,
			W: append([]float32(nil), l.w...), B: append([]float32(nil), l.b...)})
	}
	if p.means != nil {
		m.nClasses = nClasses
		m.means = make([]float64, len(p.means))
		for i, v := range p.means {
			m.means[i] = float64(v)
		}
		if cfg.PriorMeans != PriorLearned {
			copy(m.means, fixedMeans)
		}
	}
	return m
}

// Config returns the configuration the model was trained with.
func (m *Model) Config() Config { return m.cfg }

// InputDim is the number of input columns d.
func (m *Model) InputDim() int { return m.d }

// LatentDim is the dimension of the latent space.
func (m *Model) LatentDim() int { return m.cfg.LatentDim }

// PriorMeans returns a copy of the CL-VAE's prior means μ_y, one row per class
// (learned, on the circle, or as given); nil for the plain VAE, whose prior is
// N(0, I).
func (m *Model) PriorMeans() [][]float64 {
	if m.nClasses == 0 {
		return nil
	}
	L := m.cfg.LatentDim
	r := make([][]float64, m.nClasses)
	for i := range r {
		r[i] = append([]float64(nil), m.means[i*L:(i+1)*L]...)
	}
	return r
}

// encodeChunk is the number of rows Encode pushes through the network at once.
const encodeChunk = 1024

// Encode returns μ(x), the latent point of each of the n rows of x (n×d,
// row-major), as an n×LatentDim row-major matrix. It is a plain float32
// forward pass through the encoder (the same BLAS as training).
func (m *Model) Encode(x []float32, n int) ([]float32, error) {
	if n < 0 || len(x) != n*m.d {
		return nil, fmt.Errorf("vae: Encode: x has %d values, want %d rows × %d columns", len(x), n, m.d)
	}
	L := m.cfg.LatentDim
	out := make([]float32, n*L)
	width := 0
	for _, l := range m.layers[:m.nEnc+1] {
		width = max(width, l.Out)
	}
	chunk := min(encodeChunk, max(n, 1))
	bufA := make([]float32, chunk*width)
	bufB := make([]float32, chunk*width)
	for off := 0; off < n; off += chunk {
		r := min(chunk, n-off)
		in, inW := x[off*m.d:(off+r)*m.d], m.d
		for i, l := range m.layers[:m.nEnc+1] {
			dst := bufA
			if i%2 == 1 {
				dst = bufB
			}
			dst = dst[:r*l.Out]
			forwardLayer(l, in, inW, r, dst, i < m.nEnc)
			in, inW = dst, l.Out
		}
		for i := 0; i < r; i++ {
			copy(out[(off+i)*L:(off+i+1)*L], in[i*inW:i*inW+L])
		}
	}
	return out, nil
}

// forwardLayer computes dst = act(in·W + b) for r rows.
func forwardLayer(l denseLayer, in []float32, inW, r int, dst []float32, relu bool) {
	gemm(false, false, r, l.Out, l.In, 1, in, inW, l.W, l.Out, 0, dst, l.Out)
	parallelRange(r, chunkRows, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := dst[i*l.Out : (i+1)*l.Out]
			for j, v := range row {
				v += l.B[j]
				if relu && v < 0 {
					v = 0
				}
				row[j] = v
			}
		}
	})
}

// Binary format of MarshalBinary (all integers and floats little-endian):
//
//	magic    8 bytes  "LBVAE\x00\x00\x01" (the last byte is the format version)
//	hlen     uint32   length of the header
//	header   hlen bytes of JSON: {"config": Config, "input_dim": d,
//	         "n_classes": C, "features": [...], "n_enc": E,
//	         "layers": [[in, out], ...]}
//	layers   for each layer in header order: in·out float32 W (row-major,
//	         in×out), then out float32 b. Layers are the E encoder hidden
//	         layers, the (μ, log σ²) head, the decoder hidden layers and the
//	         output layer.
//	means    C·LatentDim float64 prior means, row-major (C = 0 for the VAE)
const magic = "LBVAE\x00\x00\x01"

type header struct {
	Config   Config             `json:"config"`
	InputDim int                `json:"input_dim"`
	NClasses int                `json:"n_classes"`
	Features []sdk.FeatureBlock `json:"features,omitempty"`
	NEnc     int                `json:"n_enc"`
	Layers   [][2]int           `json:"layers"`
}

// MarshalBinary encodes the model (weights and configuration) in the format
// documented above, so that a trained model can encode without retraining.
func (m *Model) MarshalBinary() ([]byte, error) {
	h := header{Config: m.cfg, InputDim: m.d, NClasses: m.nClasses, Features: m.features, NEnc: m.nEnc}
	for _, l := range m.layers {
		h.Layers = append(h.Layers, [2]int{l.In, l.Out})
	}
	hj, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("vae: marshal header: %w", err)
	}
	var b bytes.Buffer
	b.WriteString(magic)
	_ = binary.Write(&b, binary.LittleEndian, uint32(len(hj)))
	b.Write(hj)
	for _, l := range m.layers {
		_ = binary.Write(&b, binary.LittleEndian, l.W)
		_ = binary.Write(&b, binary.LittleEndian, l.B)
	}
	_ = binary.Write(&b, binary.LittleEndian, m.means)
	return b.Bytes(), nil
}

// UnmarshalBinary decodes a model written by MarshalBinary.
func (m *Model) UnmarshalBinary(data []byte) error {
	r := bytes.NewReader(data)
	mg := make([]byte, len(magic))
	if _, err := io.ReadFull(r, mg); err != nil || string(mg) != magic {
		return fmt.Errorf("vae: not a serialized VAE model (bad magic)")
	}
	var hl uint32
	if err := binary.Read(r, binary.LittleEndian, &hl); err != nil {
		return fmt.Errorf("vae: unmarshal: %w", err)
	}
	if int64(hl) > int64(r.Len()) {
		return fmt.Errorf("vae: unmarshal: header length %d exceeds data", hl)
	}
	hj := make([]byte, hl)
	if _, err := io.ReadFull(r, hj); err != nil {
		return fmt.Errorf("vae: unmarshal header: %w", err)
	}
	var h header
	if err := json.Unmarshal(hj, &h); err != nil {
		return fmt.Errorf("vae: unmarshal header: %w", err)
	}
	if err := h.Config.Validate(); err != nil {
		return fmt.Errorf("vae: unmarshal: %w", err)
	}
	if h.NEnc < 0 || h.NEnc >= len(h.Layers) || h.InputDim < 1 || h.NClasses < 0 {
		return fmt.Errorf("vae: unmarshal: inconsistent header")
	}
	nm := Model{cfg: h.Config, d: h.InputDim, nClasses: h.NClasses, features: h.Features, nEnc: h.NEnc}
	need := int64(h.NClasses) * int64(h.Config.LatentDim) * 8
	for _, io := range h.Layers {
		if io[0] < 1 || io[1] < 1 {
			return fmt.Errorf("vae: unmarshal: bad layer shape %v", io)
		}
		need += (int64(io[0])*int64(io[1]) + int64(io[1])) * 4
	}
	if need != int64(r.Len()) {
		return fmt.Errorf("vae: unmarshal: %d bytes of weights, header describes %d", r.Len(), need)
	}
	last := len(h.Layers) - 1
	if h.NEnc+1 > last || h.Layers[0][0] != h.InputDim || h.Layers[h.NEnc][1] != 2*h.Config.LatentDim ||
		h.Layers[h.NEnc+1][0] != h.Config.LatentDim || h.Layers[last][1] != h.InputDim {
		return fmt.Errorf("vae: unmarshal: layer shapes do not match input_dim / latent_dim")
	}
	for i, io := range h.Layers {
		if i > 0 && i != h.NEnc+1 && io[0] != h.Layers[i-1][1] {
			return fmt.Errorf("vae: unmarshal: layer %d takes %d inputs, layer %d gives %d", i, io[0], i-1, h.Layers[i-1][1])
		}
		l := denseLayer{In: io[0], Out: io[1], W: make([]float32, io[0]*io[1]), B: make([]float32, io[1])}
		if err := binary.Read(r, binary.LittleEndian, l.W); err != nil {
			return fmt.Errorf("vae: unmarshal layer %d: %w", i, err)
		}
		if err := binary.Read(r, binary.LittleEndian, l.B); err != nil {
			return fmt.Errorf("vae: unmarshal layer %d: %w", i, err)
		}
		nm.layers = append(nm.layers, l)
	}
	if h.NClasses > 0 {
		nm.means = make([]float64, h.NClasses*h.Config.LatentDim)
		if err := binary.Read(r, binary.LittleEndian, nm.means); err != nil {
			return fmt.Errorf("vae: unmarshal means: %w", err)
		}
		for _, v := range nm.means {
			if math.IsNaN(v) {
				return fmt.Errorf("vae: unmarshal: NaN prior mean")
			}
		}
	}
	*m = nm
	return nil
}
