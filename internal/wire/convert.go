package wire

import (
	"fmt"

	"github.com/latentbench/latentbench/sdk"

	lbv1 "github.com/latentbench/latentbench/proto/latentbench/v1"
)

var paramTypes = map[sdk.ParamType]lbv1.ParamType{
	sdk.TypeInt:       lbv1.ParamType_PARAM_TYPE_INT,
	sdk.TypeFloat:     lbv1.ParamType_PARAM_TYPE_FLOAT,
	sdk.TypeString:    lbv1.ParamType_PARAM_TYPE_STRING,
	sdk.TypeBool:      lbv1.ParamType_PARAM_TYPE_BOOL,
	sdk.TypeIntList:   lbv1.ParamType_PARAM_TYPE_INT_LIST,
	sdk.TypeFloatList: lbv1.ParamType_PARAM_TYPE_FLOAT_LIST,
	sdk.TypeAny:       lbv1.ParamType_PARAM_TYPE_ANY,
}

var featureKinds = map[sdk.FeatureKind]lbv1.FeatureKind{
	sdk.FeatureNumeric:     lbv1.FeatureKind_FEATURE_KIND_NUMERIC,
	sdk.FeatureCategorical: lbv1.FeatureKind_FEATURE_KIND_CATEGORICAL,
	sdk.FeatureUnit:        lbv1.FeatureKind_FEATURE_KIND_UNIT,
}

// ToWireValue converts a parameter value to its wire form.
func ToWireValue(v any) (*lbv1.Value, error) {
	nv, err := sdk.Normalize(v)
	if err != nil {
		return nil, err
	}
	switch x := nv.(type) {
	case int64:
		return &lbv1.Value{Kind: &lbv1.Value_Int{Int: x}}, nil
	case float64:
		return &lbv1.Value{Kind: &lbv1.Value_Float{Float: x}}, nil
	case string:
		return &lbv1.Value{Kind: &lbv1.Value_Str{Str: x}}, nil
	case bool:
		return &lbv1.Value{Kind: &lbv1.Value_Bool{Bool: x}}, nil
	case []any:
		list := &lbv1.ValueList{Values: make([]*lbv1.Value, len(x))}
		for i, e := range x {
			if list.Values[i], err = ToWireValue(e); err != nil {
				return nil, err
			}
		}
		return &lbv1.Value{Kind: &lbv1.Value_List{List: list}}, nil
	}
	return nil, fmt.Errorf("unsupported value %v", v)
}

// FromWireValue converts a wire value to its canonical Go form.
func FromWireValue(v *lbv1.Value) (any, error) {
	switch k := v.GetKind().(type) {
	case *lbv1.Value_Int:
		return k.Int, nil
	case *lbv1.Value_Float:
		return k.Float, nil
	case *lbv1.Value_Str:
		return k.Str, nil
	case *lbv1.Value_Bool:
		return k.Bool, nil
	case *lbv1.Value_List:
		out := make([]any, len(k.List.GetValues()))
		for i, e := range k.List.GetValues() {
			var err error
			if out[i], err = FromWireValue(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("empty value")
}

// ToWireParams converts a parameter set to its wire form.
func ToWireParams(p sdk.Params) (map[string]*lbv1.Value, error) {
	out := make(map[string]*lbv1.Value, len(p))
	for k, v := range p {
		w, err := ToWireValue(v)
		if err != nil {
			return nil, fmt.Errorf("parameter %q: %w", k, err)
		}
		out[k] = w
	}
	return out, nil
}

// FromWireParams converts wire parameters to Go values (unresolved).
func FromWireParams(m map[string]*lbv1.Value) (map[string]any, error) {
	out := make(map[string]any, len(m))
	for k, v := range m {
		x, err := FromWireValue(v)
		if err != nil {
			return nil, fmt.Errorf("parameter %q: %w", k, err)
		}
		out[k] = x
	}
	return out, nil
}

// ToWireDescription converts an sdk.Description to its wire form.
func ToWireDescription(d *sdk.Description) (*lbv1.Description, error) {
	out := &lbv1.Description{
		Name: d.Name, Version: d.Version, Doc: d.Doc,
		NeedsLabels: d.NeedsLabels, UsesGroups: d.UsesGroups,
		ContractVersion: int32(d.ContractVersion),
		SeedIndependent: d.SeedIndependent,
	}
	switch d.Kind {
	case sdk.KindEncoder:
		out.Kind = lbv1.Kind_KIND_ENCODER
	case sdk.KindDetector:
		out.Kind = lbv1.Kind_KIND_DETECTOR
	}
	for _, p := range d.Params {
		t, ok := paramTypes[p.Type]
		if !ok {
			return nil, fmt.Errorf("parameter %q: unknown type %q", p.Name, p.Type)
		}
		def, err := ToWireValue(p.Default)
		if err != nil {
			return nil, fmt.Errorf("parameter %q default: %w", p.Name, err)
		}
		out.Params = append(out.Params, &lbv1.ParamSpec{Name: p.Name, Type: t, Default: def, Doc: p.Doc, Choices: p.Choices})
	}
	return out, nil
}

// FromWireDescription converts a wire Description, normalising each default
// to its declared type.
func FromWireDescription(w *lbv1.Description) (*sdk.Description, error) {
	d := &sdk.Description{
		Name: w.GetName(), Version: w.GetVersion(), Doc: w.GetDoc(),
		NeedsLabels: w.GetNeedsLabels(), UsesGroups: w.GetUsesGroups(),
		ContractVersion: int(w.GetContractVersion()),
	}
	for _, st := range w.GetSeedIndependent() {
		if st != sdk.StageFit {
			return nil, fmt.Errorf("plugin %q declares an unknown seed-independent stage %q (known: %q)", d.Name, st, sdk.StageFit)
		}
		d.SeedIndependent = append(d.SeedIndependent, st)
	}
	switch w.GetKind() {
	case lbv1.Kind_KIND_ENCODER:
		d.Kind = sdk.KindEncoder
	case lbv1.Kind_KIND_DETECTOR:
		d.Kind = sdk.KindDetector
	default:
		return nil, fmt.Errorf("plugin %q declares no kind", d.Name)
	}
	for _, p := range w.GetParams() {
		spec := sdk.ParamSpec{Name: p.GetName(), Doc: p.GetDoc(), Choices: p.GetChoices()}
		for t, wt := range paramTypes {
			if wt == p.GetType() {
				spec.Type = t
			}
		}
		if spec.Type == "" {
			return nil, fmt.Errorf("parameter %q: unknown type %v", spec.Name, p.GetType())
		}
		def, err := FromWireValue(p.GetDefault())
		if err != nil {
			return nil, fmt.Errorf("parameter %q default: %w", spec.Name, err)
		}
		if spec.Default, err = spec.Check(def); err != nil {
			return nil, fmt.Errorf("default of %w", err)
		}
		d.Params = append(d.Params, spec)
	}
	return d, nil
}

// ToWireFeatures converts feature blocks to their wire form.
func ToWireFeatures(fs []sdk.FeatureBlock) []*lbv1.FeatureBlock {
	out := make([]*lbv1.FeatureBlock, len(fs))
	for i, f := range fs {
		out[i] = &lbv1.FeatureBlock{Name: f.Name, Kind: featureKinds[f.Kind], Start: int64(f.Start), Width: int64(f.Width)}
	}
	return out
}

// FromWireFeatures converts wire feature blocks.
func FromWireFeatures(ws []*lbv1.FeatureBlock) []sdk.FeatureBlock {
	out := make([]sdk.FeatureBlock, len(ws))
	for i, w := range ws {
		out[i] = sdk.FeatureBlock{Name: w.GetName(), Start: int(w.GetStart()), Width: int(w.GetWidth())}
		for k, wk := range featureKinds {
			if wk == w.GetKind() {
				out[i].Kind = k
			}
		}
	}
	return out
}

// ToWireProgress converts a progress report to its wire form.
func ToWireProgress(p sdk.Progress) *lbv1.Progress {
	return &lbv1.Progress{Epoch: int64(p.Epoch), Epochs: int64(p.Epochs), Values: p.Values, Message: p.Message}
}

// FromWireProgress converts a wire progress report.
func FromWireProgress(p *lbv1.Progress) sdk.Progress {
	return sdk.Progress{Epoch: int(p.GetEpoch()), Epochs: int(p.GetEpochs()), Values: p.GetValues(), Message: p.GetMessage()}
}
