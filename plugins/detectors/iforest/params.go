package iforest

import "github.com/latentbench/latentbench/sdk"

// ParamSpecs is the plugin parameter schema of the isolation forest, shared by
// the iforest and cluster-iforest plugins.
func ParamSpecs() []sdk.ParamSpec {
	return []sdk.ParamSpec{
		{Name: "n_estimators", Type: sdk.TypeInt, Default: int64(DefaultNEstimators), Doc: "number of trees"},
		{Name: "max_samples", Type: sdk.TypeInt, Default: int64(0), Doc: "sub-sample size per tree; 0 = auto = min(256, n)"},
		{Name: "max_features", Type: sdk.TypeFloat, Default: 1.0, Doc: "fraction of features each tree may split on"},
		{Name: "bootstrap", Type: sdk.TypeBool, Default: false, Doc: "draw each tree's sub-sample with replacement"},
	}
}

// CheckParams refuses plugin parameters whose zero would silently mean the
// library's default: the cell would record 0 and run with another value.
func CheckParams(p sdk.Params) error {
	if n := p.Int("n_estimators"); n < 1 {
		return sdk.Invalidf("n_estimators = %d: must be at least 1 (the default is %d)", n, DefaultNEstimators)
	}
	return nil
}

// OptionsFrom builds Options from resolved plugin parameters and a seed.
func OptionsFrom(p sdk.Params, seed int64) Options {
	return Options{
		NEstimators: p.Int("n_estimators"),
		MaxSamples:  p.Int("max_samples"),
		MaxFeatures: p.Float("max_features"),
		Bootstrap:   p.Bool("bootstrap"),
		Seed:        uint64(seed),
	}
}
