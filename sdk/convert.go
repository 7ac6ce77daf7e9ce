package sdk

import (
	"fmt"

	lbv1 "github.com/latentbench/latentbench/proto/latentbench/v1"
)

var paramTypes = map[ParamType]lbv1.ParamType{
	TypeInt:       lbv1.ParamType_PARAM_TYPE_INT,
	TypeFloat:     lbv1.ParamType_PARAM_TYPE_FLOAT,
	TypeString:    lbv1.ParamType_PARAM_TYPE_STRING,
	TypeBool:      lbv1.ParamType_PARAM_TYPE_BOOL,
	TypeIntList:   lbv1.ParamType_PARAM_TYPE_INT_LIST,
	TypeFloatList: lbv1.ParamType_PARAM_TYPE_FLOAT_LIST,
	TypeAny:       lbv1.ParamType_PARAM_TYPE_ANY,
}

var featureKinds = map[FeatureKind]lbv1.FeatureKind{
	FeatureNumeric:     lbv1.FeatureKind_FEATURE_KIND_NUMERIC,
	FeatureCategorical: lbv1.FeatureKind_FEATURE_KIND_CATEGORICAL,
	FeatureUnit:        lbv1.FeatureKind_FEATURE_KIND_UNIT,
}

// ToWireValue converts a parameter value to its wire form.
func ToWireValue(v any) (*lbv1.Value, error) {
	nv, err := Normalize(v)
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
func ToWireParams(p Params) (map[string]*lbv1.Value, error) {
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

// ToWireDescription converts a Description to its wire form.
func ToWireDescription(d *Description) (*lbv1.Description, error) {
	out := &lbv1.Description{
		Name: d.Name, Version: d.Version, Doc: d.Doc,
		NeedsLabels: d.NeedsLabels, UsesGroups: d.UsesGroups,
		ContractVersion: int32(d.ContractVersion),
	}
	switch d.Kind {
	case KindEncoder:
		out.Kind = lbv1.Kind_KIND_ENCODER
	case KindDetector:
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
func FromWireDescription(w *lbv1.Description) (*Description, error) {
	d := &Description{
		Name: w.GetName(), Version: w.GetVersion(), Doc: w.GetDoc(),
		NeedsLabels: w.GetNeedsLabels(), UsesGroups: w.GetUsesGroups(),
		ContractVersion: int(w.GetContractVersion()),
	}
	switch w.GetKind() {
	case lbv1.Kind_KIND_ENCODER:
		d.Kind = KindEncoder
	case lbv1.Kind_KIND_DETECTOR:
		d.Kind = KindDetector
	default:
		return nil, fmt.Errorf("plugin %q declares no kind", d.Name)
	}
	for _, p := range w.GetParams() {
		spec := ParamSpec{Name: p.GetName(), Doc: p.GetDoc(), Choices: p.GetChoices()}
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
func ToWireFeatures(fs []FeatureBlock) []*lbv1.FeatureBlock {
	out := make([]*lbv1.FeatureBlock, len(fs))
	for i, f := range fs {
		out[i] = &lbv1.FeatureBlock{Name: f.Name, Kind: featureKinds[f.Kind], Start: int64(f.Start), Width: int64(f.Width)}
	}
	return out
}

// FromWireFeatures converts wire feature blocks.
func FromWireFeatures(ws []*lbv1.FeatureBlock) []FeatureBlock {
	out := make([]FeatureBlock, len(ws))
	for i, w := range ws {
		out[i] = FeatureBlock{Name: w.GetName(), Start: int(w.GetStart()), Width: int(w.GetWidth())}
		for k, wk := range featureKinds {
			if wk == w.GetKind() {
				out[i].Kind = k
			}
		}
	}
	return out
}
