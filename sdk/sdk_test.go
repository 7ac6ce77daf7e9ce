package sdk

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func testDesc() *Description {
	return &Description{Kind: KindDetector, Name: "d", Version: "1", Params: []ParamSpec{
		{Name: "n", Type: TypeInt, Default: 100, Doc: "count"},
		{Name: "rate", Type: TypeFloat, Default: 0.5},
		{Name: "mode", Type: TypeString, Default: "a", Choices: []string{"a", "b"}},
		{Name: "on", Type: TypeBool, Default: false},
		{Name: "hidden", Type: TypeIntList, Default: []int{512}},
		{Name: "means", Type: TypeFloatList, Default: []float64{}},
		{Name: "any", Type: TypeAny, Default: "learned"},
	}}
}

func TestResolve(t *testing.T) {
	d := testDesc()
	p, err := d.Resolve(map[string]any{"n": 3.0, "rate": int64(2), "hidden": []any{int64(256), 128.0}, "any": []any{[]any{1.0, 2.0}}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Int("n") != 3 || p.Float("rate") != 2 || p.String("mode") != "a" || p.Bool("on") ||
		!reflect.DeepEqual(p.Ints("hidden"), []int{256, 128}) || len(p.Floats("means")) != 0 {
		t.Errorf("resolved %v", p)
	}
	if got := p.CanonicalJSON(); got != `{"any":[[1,2]],"hidden":[256,128],"means":[],"mode":"a","n":3,"on":false,"rate":2}` {
		t.Errorf("canonical JSON %s", got)
	}
	for given, want := range map[string]map[string]any{
		`has no parameter "nn" (parameters: any, hidden, means, mode, n, on, rate)`: {"nn": 1},
		`parameter "n" must be an integer, got number 2.5`:                          {"n": 2.5},
		`parameter "mode" must be one of "a", "b", got "c"`:                         {"mode": "c"},
		`parameter "on" must be true or false, got string "yes"`:                    {"on": "yes"},
		`parameter "hidden" must be a list of integers`:                             {"hidden": []any{"x"}},
	} {
		if _, err := d.Resolve(want); err == nil || !strings.Contains(err.Error(), given) {
			t.Errorf("Resolve(%v) = %v, want error containing %q", want, err, given)
		}
	}
}

func TestMatrixCheck(t *testing.T) {
	nan := []float64{1, 2, 3, 0}
	nan[3] = nan[3] / nan[3]
	if err := NewMatrix64(2, 2, nan).Check(); err == nil || !strings.Contains(err.Error(), "row 1, column 1") {
		t.Errorf("NaN check: %v", err)
	}
	if err := NewMatrix32(2, 2, []float32{1, 2, 3}).Check(); err == nil {
		t.Error("short matrix accepted")
	}
	if err := NewMatrix32(2, 2, []float32{1, 2, 3, 4}).Check(); err != nil {
		t.Error(err)
	}
}

func TestInvalid(t *testing.T) {
	bad := errors.New("n = 0 points")
	if err := Invalid(bad); !errors.Is(err, ErrInvalidInput) || !errors.Is(err, bad) || err.Error() != "invalid input: n = 0 points" {
		t.Errorf("Invalid(bad) = %v", err)
	}
	for _, ctxErr := range []error{context.Canceled, context.DeadlineExceeded} {
		err := fmt.Errorf("fit interrupted: %w", ctxErr)
		if got := Invalid(err); got != err {
			t.Errorf("Invalid(%v) = %v, want it unchanged", err, got)
		}
	}
	if Invalid(nil) != nil {
		t.Error("Invalid(nil) is not nil")
	}
	if err := Invalidf("got %d features: %w", 3, bad); !errors.Is(err, ErrInvalidInput) || !errors.Is(err, bad) {
		t.Errorf("Invalidf = %v", err)
	}
}
