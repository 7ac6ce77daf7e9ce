package vae

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/blas/gonum"
	"gorgonia.org/gorgonia"

	"github.com/latentbench/latentbench/sdk"
)

// The plugin variants: the same networks with different defaults, each a
// plugin of its own name so that grids select them by name.
const (
	// VariantVAE is the plain VAE (prior N(0, I)).
	VariantVAE = "vae"
	// VariantCLVAE is the CL-VAE: one Gaussian prior N(μ_y, I) per class.
	VariantCLVAE = "clvae"
	// VariantWeighted is the weighted CL-VAE of the paper's §4: γ = 0.3, β = 1.
	VariantWeighted = "wclvae"
)

// reconAuto picks the reconstruction loss from the data's feature blocks.
const reconAuto = "auto"

// Plugin returns the sdk.Encoder serving a variant.
func Plugin(variant string) sdk.Encoder { return plugin{variant: variant} }

type plugin struct{ variant string }

func (p plugin) Describe() sdk.Description {
	def := DefaultConfig()
	doc := "Dense VAE (Kingma & Welling 2014): x → hidden ReLU → (μ, log σ²), prior N(0, I); the latent point is μ(x)."
	switch p.variant {
	case VariantCLVAE:
		doc = "CL-VAE (Norlander & Sopasakis 2019): the VAE with one Gaussian prior N(μ_y, I) per class y."
	case VariantWeighted:
		def.Gamma = 0.3
		doc = "Weighted CL-VAE (Norlander & Sopasakis 2019 §4): the CL-VAE with γ = 0.3, β = 1."
	}
	hidden := make([]int64, len(def.Hidden))
	for i, h := range def.Hidden {
		hidden[i] = int64(h)
	}
	params := []sdk.ParamSpec{
		{Name: "latent_dim", Type: sdk.TypeInt, Default: int64(def.LatentDim), Doc: "dimension of the latent space"},
		{Name: "hidden", Type: sdk.TypeIntList, Default: hidden, Doc: "widths of the encoder's ReLU layers (the decoder mirrors them)"},
		{Name: "epochs", Type: sdk.TypeInt, Default: int64(def.Epochs), Doc: "passes over the training data"},
		{Name: "batch_size", Type: sdk.TypeInt, Default: int64(def.BatchSize), Doc: "mini-batch size"},
		{Name: "lr", Type: sdk.TypeFloat, Default: def.LR, Doc: "Adam learning rate"},
		{Name: "gamma", Type: sdk.TypeFloat, Default: def.Gamma, Doc: "weight γ of the reconstruction term"},
		{Name: "beta", Type: sdk.TypeFloat, Default: def.Beta, Doc: "weight β of the KL term"},
		{Name: "kl", Type: sdk.TypeString, Default: def.KL, Doc: "KL term: closed form or the paper's one-sample estimate",
			Choices: []string{KLClosed, KLSample}},
		{Name: "reconstruction", Type: sdk.TypeString, Default: reconAuto,
			Doc:     "bce for [0,1] data, mse, mixed (squared error + per-block cross-entropy), auto = bce for [0,1] data, mixed otherwise",
			Choices: []string{reconAuto, ReconBCE, ReconMSE, ReconMixed}},
		{Name: "reconstruction_reduction", Type: sdk.TypeString, Default: def.Reduction,
			Doc: "reconstruction summed over features (Keras VAE example) or averaged", Choices: []string{ReductionSum, ReductionMean}},
		{Name: "early_stopping", Type: sdk.TypeInt, Default: int64(0), Doc: "patience in epochs on a held-out split; 0 = off"},
		{Name: "validation_fraction", Type: sdk.TypeFloat, Default: def.ValidationFraction, Doc: "share held out for early stopping"},
	}
	if p.variant != VariantVAE {
		params = append(params,
			sdk.ParamSpec{Name: "prior_means", Type: sdk.TypeAny, Default: PriorLearned,
				Doc: `class prior means: "learned" (trainable, from 0), "circle" (radius r, angle 2πi/C) or a list of per-class lists`},
			sdk.ParamSpec{Name: "radius", Type: sdk.TypeFloat, Default: def.Radius, Doc: `radius of the "circle" prior means`},
		)
	}
	return sdk.Description{Name: p.variant, Version: "1.0.0", Doc: doc, Params: params, NeedsLabels: p.variant != VariantVAE}
}

// config turns resolved plugin parameters into a Config.
func (p plugin) config(params sdk.Params, seed int64, features []sdk.FeatureBlock) (Config, error) {
	c := DefaultConfig()
	c.LatentDim = params.Int("latent_dim")
	c.Hidden = params.Ints("hidden")
	c.Epochs = params.Int("epochs")
	c.BatchSize = params.Int("batch_size")
	c.LR = params.Float("lr")
	c.Gamma = params.Float("gamma")
	c.Beta = params.Float("beta")
	c.KL = params.String("kl")
	c.Reduction = params.String("reconstruction_reduction")
	c.EarlyStoppingPatience = params.Int("early_stopping")
	c.ValidationFraction = params.Float("validation_fraction")
	c.Seed = seed
	c.Reconstruction = params.String("reconstruction")
	if c.Reconstruction == reconAuto {
		c.Reconstruction = ReconBCE
		for _, f := range features {
			if f.Kind != sdk.FeatureUnit {
				c.Reconstruction = ReconMixed
			}
		}
	}
	if p.variant != VariantVAE {
		c.Conditional = true
		c.Radius = params.Float("radius")
		switch pm := params.Value("prior_means").(type) {
		case string:
			if pm != PriorLearned && pm != PriorCircle {
				return c, fmt.Errorf(`prior_means %q: want "learned", "circle" or a list of per-class lists of numbers`, pm)
			}
			c.PriorMeans = pm
		case []any:
			c.PriorMeans = PriorExplicit
			for i, row := range pm {
				list, ok := row.([]any)
				if !ok {
					return c, fmt.Errorf("prior_means[%d] is not a list of numbers", i)
				}
				vals := make([]float64, len(list))
				for j, v := range list {
					switch x := v.(type) {
					case int64:
						vals[j] = float64(x)
					case float64:
						vals[j] = x
					default:
						return c, fmt.Errorf("prior_means[%d][%d] is not a number", i, j)
					}
				}
				c.Means = append(c.Means, vals)
			}
		default:
			return c, fmt.Errorf("prior_means must be a string or a list of lists, got %v", pm)
		}
	}
	return c, c.Validate()
}

func (p plugin) Fit(ctx context.Context, req *sdk.EncoderFit, progress func(sdk.Progress)) ([]byte, error) {
	cfg, err := p.config(req.Params, req.Seed, req.Features)
	if err != nil {
		return nil, sdk.Invalid(err)
	}
	if cfg.Conditional && req.Labels == nil {
		return nil, fmt.Errorf("%w: %s conditions on class labels and the data set has none", sdk.ErrInvalidInput, p.variant)
	}
	log := sdk.Logger(ctx)
	m, _, err := Train(ctx, req.X.Float32(), req.X.Rows, req.X.Cols, req.Labels, req.NumClasses, req.Features, cfg,
		func(s EpochStats) {
			vals := map[string]float64{"loss": s.Loss, "recon": s.Recon, "kl": s.KL, "seconds": s.Seconds}
			if s.ValLoss != 0 {
				vals["val_loss"] = s.ValLoss
			}
			progress(sdk.Progress{Epoch: s.Epoch, Epochs: cfg.Epochs, Values: vals})
			log.Info("epoch", "epoch", s.Epoch, "loss", s.Loss, "recon", s.Recon, "kl", s.KL)
		})
	if err != nil {
		return nil, err
	}
	return m.MarshalBinary()
}

func (p plugin) Encode(ctx context.Context, req *sdk.EncodeRequest) (sdk.Matrix, error) {
	var m Model
	if err := m.UnmarshalBinary(req.Model); err != nil {
		return sdk.Matrix{}, err
	}
	if req.X.Cols != m.InputDim() {
		return sdk.Matrix{}, fmt.Errorf("%w: model trained on %d columns, got %d", sdk.ErrInvalidInput, m.InputDim(), req.X.Cols)
	}
	z, err := m.Encode(req.X.Float32(), req.X.Rows)
	if err != nil {
		return sdk.Matrix{}, err
	}
	return sdk.NewMatrix32(req.X.Rows, m.LatentDim(), z), nil
}

// BLASName names the BLAS matrix products run on, for benchmark notes.
func BLASName() string {
	if _, native := gorgonia.WhichBLAS().(gonum.Implementation); native {
		return "gonum pure-Go BLAS"
	}
	return "OpenBLAS (gonum netlib)"
}
