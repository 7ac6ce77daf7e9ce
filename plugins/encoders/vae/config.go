// Package vae trains the dense variational autoencoders of Norlander &
// Sopasakis 2019 ("Latent space conditioning for improved classification and
// anomaly detection"): the VAE of Kingma & Welling 2014 and the CL-VAE, whose
// prior for class y is N(μ_y, I), and encodes data to the latent mean μ(x).
// docs/method.md ("Encoders") states the losses and defaults; Config documents
// each choice.
//
// Training runs on a gorgonia (v0.9.18) expression graph built from fused ops
// of this package (ops.go): gorgonia differentiates it symbolically and runs
// forward and backward passes on one TapeMachine per batch size, reused for
// every batch; Adam updates the weights in place. Matrix products go to
// OpenBLAS when built with `-tags netlib` (see blas_netlib.go; run with
// OPENBLAS_NUM_THREADS=1), and otherwise, in float32 on CPUs with AVX2 and FMA,
// to this package's own GEMM kernel (sgemm.go), else to gonum's pure-Go BLAS
// (gorgonia's default). Adam's update and the sigmoid cross-entropy have AVX2
// kernels too (simd_amd64.s; `-tags purego` keeps everything in Go and gonum).
// Encoding is a plain float32 forward pass.
package vae

import (
	"fmt"
	"math"
)

// Prior-mean choices of the CL-VAE (Config.PriorMeans).
const (
	// PriorLearned: trainable means, zero-initialised (Su Jianlin's CL-VAE code).
	PriorLearned = "learned"
	// PriorCircle: fixed means, class i at radius Config.Radius and angle 2πi/C
	// in the first two latent coordinates (the authors' group's 2024 code).
	PriorCircle = "circle"
	// PriorExplicit: fixed means given in Config.Means.
	PriorExplicit = "explicit"
)

// KL-term choices (Config.KL).
const (
	// KLClosed is the closed-form KL divergence between Gaussians.
	KLClosed = "closed"
	// KLSample is the paper's one-sample estimate (see klOp).
	KLSample = "sample"
)

// Reconstruction-loss choices (Config.Reconstruction).
const (
	// ReconBCE: every column is a [0,1] intensity with a sigmoid output and
	// binary cross-entropy (for [0,1] data such as MNIST).
	ReconBCE = "bce"
	// ReconMSE: every column has a linear output and squared error.
	ReconMSE = "mse"
	// ReconMixed: per sdk.FeatureBlock: squared error for numeric columns,
	// softmax cross-entropy per categorical block, BCE for unit columns (for
	// tabular data).
	ReconMixed = "mixed"
)

// Reduction choices (Config.Reduction).
const (
	// ReductionSum sums the reconstruction loss over the features (the Keras VAE
	// example's "× original_dim"; the default).
	ReductionSum = "sum"
	// ReductionMean averages it over the features (Keras' bare binary_crossentropy).
	ReductionMean = "mean"
)

// Config holds the hyper-parameters of one encoder. The JSON names are the TOML
// field names of the grids (configs/README.md).
type Config struct {
	// LatentDim is the dimension d of the latent space (2).
	LatentDim int `json:"latent_dim"`
	// Hidden are the widths of the encoder's ReLU layers ([512]); the decoder
	// uses them in reverse order.
	Hidden []int `json:"hidden"`
	// Epochs is the number of passes over the training data (50).
	Epochs int `json:"epochs"`
	// BatchSize is the mini-batch size (128); the last batch of an epoch may be
	// smaller.
	BatchSize int `json:"batch_size"`
	// LR is Adam's learning rate (1e-3).
	LR float64 `json:"lr"`
	// Gamma weighs the reconstruction term (1; 0.3 for the weighted CL-VAE).
	Gamma float64 `json:"gamma"`
	// Beta weighs the KL term (1).
	Beta float64 `json:"beta"`
	// Conditional selects the CL-VAE (per-class prior N(μ_y, I), needs labels).
	Conditional bool `json:"conditional"`
	// PriorMeans is "learned", "circle" or "explicit" (CL-VAE only).
	PriorMeans string `json:"prior_means"`
	// Means are the prior means for "explicit": one row of LatentDim values per class.
	Means [][]float64 `json:"means,omitempty"`
	// Radius is the circle's radius for "circle" (3).
	Radius float64 `json:"radius"`
	// KL is "closed" (default) or "sample".
	KL string `json:"kl"`
	// Reconstruction is "bce" (default), "mse" or "mixed".
	Reconstruction string `json:"reconstruction"`
	// Reduction is "sum" (default) or "mean" (the grid's reconstruction_reduction).
	Reduction string `json:"reconstruction_reduction"`
	// EarlyStoppingPatience stops training after this many epochs without a
	// lower validation loss and keeps the weights of the best epoch; 0 = off.
	EarlyStoppingPatience int `json:"early_stopping_patience"`
	// ValidationFraction of the rows is held out for early stopping (0.1); it
	// is used only when EarlyStoppingPatience > 0.
	ValidationFraction float64 `json:"validation_fraction"`
	// Seed seeds the weights, the shuffling, the validation split and ε.
	Seed int64 `json:"seed"`
}

// DefaultConfig returns the defaults of docs/method.md: the plain VAE, 784-512-2 shaped for
// whatever input width it is given, 50 epochs, batch 128, Adam lr 1e-3,
// γ = β = 1, summed binary cross-entropy, closed-form KL.
func DefaultConfig() Config {
	return Config{
		LatentDim:          2,
		Hidden:             []int{512},
		Epochs:             50,
		BatchSize:          128,
		LR:                 1e-3,
		Gamma:              1,
		Beta:               1,
		PriorMeans:         PriorLearned,
		Radius:             3,
		KL:                 KLClosed,
		Reconstruction:     ReconBCE,
		Reduction:          ReductionSum,
		ValidationFraction: 0.1,
	}
}

func finitePos(x float64) bool { return x > 0 && !math.IsInf(x, 1) }

// Validate reports the first invalid field. The number of classes and the input
// columns are checked by Train, which knows them.
func (c Config) Validate() error {
	switch {
	case c.LatentDim < 1:
		return fmt.Errorf("vae: latent_dim must be ≥ 1, got %d", c.LatentDim)
	case len(c.Hidden) == 0:
		return fmt.Errorf("vae: hidden needs at least one layer")
	case c.Epochs < 1:
		return fmt.Errorf("vae: epochs must be ≥ 1, got %d", c.Epochs)
	case c.BatchSize < 1:
		return fmt.Errorf("vae: batch_size must be ≥ 1, got %d", c.BatchSize)
	case !finitePos(c.LR):
		return fmt.Errorf("vae: lr must be positive and finite, got %g", c.LR)
	case !(c.Gamma >= 0) || math.IsInf(c.Gamma, 1):
		return fmt.Errorf("vae: gamma must be ≥ 0 and finite, got %g", c.Gamma)
	case !(c.Beta >= 0) || math.IsInf(c.Beta, 1):
		return fmt.Errorf("vae: beta must be ≥ 0 and finite, got %g", c.Beta)
	case c.EarlyStoppingPatience < 0:
		return fmt.Errorf("vae: early_stopping_patience must be ≥ 0, got %d", c.EarlyStoppingPatience)
	case c.EarlyStoppingPatience > 0 && !(c.ValidationFraction > 0 && c.ValidationFraction < 1):
		return fmt.Errorf("vae: validation_fraction must be in (0, 1) with early stopping, got %g", c.ValidationFraction)
	}
	for i, h := range c.Hidden {
		if h < 1 {
			return fmt.Errorf("vae: hidden[%d] must be ≥ 1, got %d", i, h)
		}
	}
	switch c.KL {
	case KLClosed, KLSample:
	default:
		return fmt.Errorf("vae: kl must be %q or %q, got %q", KLClosed, KLSample, c.KL)
	}
	switch c.Reconstruction {
	case ReconBCE, ReconMSE, ReconMixed:
	default:
		return fmt.Errorf("vae: reconstruction must be %q, %q or %q, got %q", ReconBCE, ReconMSE, ReconMixed, c.Reconstruction)
	}
	switch c.Reduction {
	case ReductionSum, ReductionMean:
	default:
		return fmt.Errorf("vae: reconstruction_reduction must be %q or %q, got %q", ReductionSum, ReductionMean, c.Reduction)
	}
	if !c.Conditional {
		return nil
	}
	switch c.PriorMeans {
	case PriorLearned:
	case PriorCircle:
		if !finitePos(c.Radius) {
			return fmt.Errorf("vae: radius must be positive and finite, got %g", c.Radius)
		}
		if c.LatentDim < 2 {
			return fmt.Errorf("vae: prior_means %q needs latent_dim ≥ 2, got %d", PriorCircle, c.LatentDim)
		}
	case PriorExplicit:
		if len(c.Means) == 0 {
			return fmt.Errorf("vae: prior_means %q needs means", PriorExplicit)
		}
		for i, m := range c.Means {
			if len(m) != c.LatentDim {
				return fmt.Errorf("vae: means[%d] has %d values, latent_dim is %d", i, len(m), c.LatentDim)
			}
			for _, v := range m {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("vae: means[%d] is not finite", i)
				}
			}
		}
	default:
		return fmt.Errorf("vae: prior_means must be %q, %q or %q, got %q", PriorLearned, PriorCircle, PriorExplicit, c.PriorMeans)
	}
	return nil
}

// initialMeans returns the C×L prior means a CL-VAE starts from (zeros for
// "learned"), row-major.
func (c Config) initialMeans(nClasses int) ([]float64, error) {
	L := c.LatentDim
	m := make([]float64, nClasses*L)
	switch c.PriorMeans {
	case PriorCircle:
		for i := 0; i < nClasses; i++ {
			a := 2 * math.Pi * float64(i) / float64(nClasses)
			m[i*L] = c.Radius * math.Cos(a)
			m[i*L+1] = c.Radius * math.Sin(a)
		}
	case PriorExplicit:
		if len(c.Means) != nClasses {
			return nil, fmt.Errorf("vae: %d explicit prior means for %d classes", len(c.Means), nClasses)
		}
		for i, row := range c.Means {
			copy(m[i*L:], row)
		}
	}
	return m, nil
}
