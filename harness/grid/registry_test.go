package grid

import (
	"strings"
	"testing"

	"github.com/latentbench/latentbench/sdk"
)

// testRegistry holds plugins shaped like the project's: defaults are given
// both as int64 and as plain Go ints, as plugin authors write them.
func testRegistry() *StaticRegistry {
	return NewStaticRegistry(
		&sdk.Description{Kind: sdk.KindEncoder, Name: "proj", Params: []sdk.ParamSpec{
			{Name: "latent_dim", Type: sdk.TypeInt, Default: int64(2)},
			{Name: "whiten", Type: sdk.TypeBool, Default: false},
		}},
		&sdk.Description{Kind: sdk.KindEncoder, Name: "venc", Params: []sdk.ParamSpec{
			{Name: "latent_dim", Type: sdk.TypeInt, Default: 2},
			{Name: "gamma", Type: sdk.TypeFloat, Default: 1.0},
			{Name: "hidden", Type: sdk.TypeIntList, Default: []int{512}},
			{Name: "prior_means", Type: sdk.TypeAny, Default: "learned"},
			{Name: "reconstruction_reduction", Type: sdk.TypeString, Default: "sum", Choices: []string{"sum", "mean"}},
		}},
		&sdk.Description{Kind: sdk.KindDetector, Name: "itrees", Params: []sdk.ParamSpec{
			{Name: "n_estimators", Type: sdk.TypeInt, Default: 100},
			{Name: "max_samples", Type: sdk.TypeAny, Default: "auto"},
		}},
		&sdk.Description{Kind: sdk.KindDetector, Name: "knn", Params: []sdk.ParamSpec{
			{Name: "n_neighbors", Type: sdk.TypeInt, Default: int64(20)},
		}},
	)
}

func TestStaticRegistry(t *testing.T) {
	reg := testRegistry()
	d, err := reg.Lookup(sdk.KindEncoder, "venc")
	if err != nil || d.Name != "venc" {
		t.Fatalf("Lookup(encoder, venc) = %v, %v", d, err)
	}
	if _, err := reg.Lookup(sdk.KindDetector, "venc"); err == nil ||
		err.Error() != `unknown detector plugin "venc" (available: itrees, knn)` {
		t.Errorf("Lookup(detector, venc) error = %v", err)
	}
	var empty StaticRegistry
	if _, err := empty.Lookup(sdk.KindEncoder, "proj"); err == nil || !strings.Contains(err.Error(), "none registered") {
		t.Errorf("empty registry error = %v", err)
	}
	empty.Add(d)
	if got, err := empty.Lookup(sdk.KindEncoder, "venc"); err != nil || got != d {
		t.Errorf("after Add: %v, %v", got, err)
	}
}
