package sdk

// FeatureKind says how a block of input columns was made from the source data,
// so that an encoder can choose a reconstruction loss per block.
type FeatureKind string

// Feature kinds.
const (
	// FeatureNumeric columns are real values (standardised for tabular data).
	FeatureNumeric FeatureKind = "numeric"
	// FeatureCategorical is a one-hot block: at most one column of the block is
	// 1 (all zero for a category the training split never showed).
	FeatureCategorical FeatureKind = "categorical"
	// FeatureUnit columns are intensities in [0, 1], such as MNIST pixels.
	FeatureUnit FeatureKind = "unit"
)

// FeatureBlock is a run of consecutive input columns of one kind.
type FeatureBlock struct {
	Name  string      `json:"name"`
	Kind  FeatureKind `json:"kind"`
	Start int         `json:"start"`
	Width int         `json:"width"`
}
