package main

import (
	"context"
	"strings"
	"testing"

	"github.com/latentbench/latentbench/sdk"
)

// A parameter of 0 that the library would read as "the default" is refused:
// the cell would record 0 and run with another value.
func TestZeroParamRefused(t *testing.T) {
	for name, want := range map[string]zeroCase{"nu": {0.0, "nu = 0: must be in (0, 1]"}} {
		d := detector{}.Describe()
		p, err := d.Resolve(map[string]any{name: want.value})
		if err != nil {
			t.Fatal(err)
		}
		x := sdk.NewMatrix64(10, 1, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
		_, err = detector{}.Fit(context.Background(), &sdk.DetectorFit{X: x, Params: p})
		if err == nil || !strings.Contains(err.Error(), want.msg) {
			t.Errorf("%s = %v: error %v, want %q", name, want.value, err, want.msg)
		}
	}
}

type zeroCase struct {
	value any
	msg   string
}
