package grid

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"
)

// expand fills the instances and cells of a structurally valid grid.
func (l *loader) expand(g *Grid) {
	g.EncoderInstances = l.instances(g.Encoders)
	g.DetectorInstances = l.instances(g.Detectors)
	if len(l.errs) > 0 {
		return
	}

	dets := len(g.DetectorInstances)
	if dets == 0 {
		dets = 1
	}
	g.Cells = make([]Cell, 0, len(g.Datasets)*len(g.EncoderInstances)*dets*len(g.Experiment.Seeds))
	byID := make(map[string]int, cap(g.Cells))
	for di := range g.Datasets {
		ds := &g.Datasets[di]
		for ei := range g.EncoderInstances {
			enc := &g.EncoderInstances[ei]
			for k := 0; k < dets; k++ {
				var det *Instance
				detIndex := -1
				if len(g.DetectorInstances) > 0 {
					det, detIndex = &g.DetectorInstances[k], k
				}
				for _, seed := range g.Experiment.Seeds {
					c := Cell{
						Index:         len(g.Cells),
						ID:            CellID(ds.Name, enc, det, seed),
						DatasetIndex:  di,
						Dataset:       ds,
						EncoderIndex:  ei,
						Encoder:       *enc,
						DetectorIndex: detIndex,
						Detector:      det,
						Seed:          seed,
					}
					if j, dup := byID[c.ID]; dup {
						// Unreachable unless SHA-256 collides: instances, dataset
						// names and seeds are each checked for duplicates first.
						prev := g.Cells[j]
						l.errf(l.blockPath(enc), "cell %d (%s) has the same ID %s as cell %d (%s)",
							c.Index, cellPlace(&c), c.ID, prev.Index, cellPlace(&prev))
						return
					}
					byID[c.ID] = c.Index
					g.Cells = append(g.Cells, c)
				}
			}
		}
	}
}

// instances expands blocks into instances and checks that no two compute the
// same thing and that their labels are distinct.
func (l *loader) instances(blocks []Block) []Instance {
	var out []Instance
	for bi := range blocks {
		b := &blocks[bi]
		for _, combo := range product(b.Axes) {
			given := make(map[string]any, len(b.Params)+len(b.Axes))
			for k, v := range b.Params {
				given[k] = v
			}
			var varying map[string]any
			if len(b.Axes) > 0 {
				varying = make(map[string]any, len(b.Axes))
			}
			for i, ax := range b.Axes {
				given[ax.Name] = ax.Values[combo[i]]
				varying[ax.Name] = ax.Values[combo[i]]
			}
			params, err := b.Desc.Resolve(given)
			if err != nil { // values were checked one by one; this is a schema bug
				l.errf(keyPath{}.key(string(b.Kind)).index(b.Index+1).key("params"), "%v", err)
				continue
			}
			// Resolve copies defaults as the plugin declared them (an int may
			// be a Go int); normalise them like given values where possible so
			// the typed getters of sdk.Params work.
			for _, spec := range b.Desc.Params {
				if _, ok := given[spec.Name]; !ok && spec.Default != nil {
					if nv, err := spec.Check(plain(spec.Default)); err == nil {
						params[spec.Name] = nv
					}
				}
			}
			label := b.Label
			if label == "" {
				label = b.Plugin
			}
			if len(b.Axes) > 0 {
				parts := make([]string, len(b.Axes))
				for i, ax := range b.Axes {
					parts[i] = ax.Name + "=" + labelValue(ax.Values[combo[i]])
				}
				label += "(" + strings.Join(parts, ", ") + ")"
			}
			out = append(out, Instance{
				Kind: b.Kind, Index: len(out), Block: b.Index, Plugin: b.Plugin, Label: label,
				Desc: b.Desc, Params: params, Varying: varying,
			})
		}
	}

	byKey := map[string]int{}
	byLabel := map[string]int{}
	for i := range out {
		in := &out[i]
		if j, dup := byKey[in.Key()]; dup {
			prev := &out[j]
			l.errf(l.blockPath(in), "%s has the same plugin and resolved parameters as %s (line %d), so every cell would run twice: %s",
				l.place(in), l.place(prev), l.line(l.blockPath(prev)), in.Key())
			continue
		}
		byKey[in.Key()] = i
		if j, dup := byLabel[in.Label]; dup {
			prev := &out[j]
			p := l.blockPath(in)
			if blocks[in.Block].Label != "" {
				p = p.key("label")
			}
			l.errf(p, "label %q is also that of %s (line %d): labels must be unique; set label = \"...\" in one of the blocks",
				in.Label, l.place(prev), l.line(l.blockPath(prev)))
			continue
		}
		byLabel[in.Label] = i
	}
	return out
}

// plain converts slices of any element type ([]int, [][]float64, ...) to
// []any and Go ints to int64, recursively, so that sdk.Normalize accepts
// defaults written as Go literals. Other values are returned as they are.
func plain(v any) any {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = plain(rv.Index(i).Interface())
		}
		return out
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return rv.Convert(reflect.TypeOf(int64(0))).Interface()
	}
	return v
}

// blockPath is the key path of an instance's block, e.g. encoder[2].
func (l *loader) blockPath(in *Instance) keyPath {
	return keyPath{}.key(string(in.Kind)).index(in.Block + 1)
}

// place names an instance in messages: "encoder[2]" or
// "encoder[2] (latent_dim=3)".
func (l *loader) place(in *Instance) string {
	s := l.blockPath(in).String()
	if len(in.Varying) > 0 {
		parts := make([]string, 0, len(in.Varying))
		for _, k := range sortedKeys(in.Varying) {
			parts = append(parts, k+"="+labelValue(in.Varying[k]))
		}
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	return s
}

func cellPlace(c *Cell) string {
	det := "no detector"
	if c.Detector != nil {
		det = c.Detector.Label
	}
	return fmt.Sprintf("%s × %s × %s × seed %d", c.Dataset.Name, c.Encoder.Label, det, c.Seed)
}

// product returns the index combinations of the axes' values: the cartesian
// product with the first axis varying slowest. No axes give one empty combo.
func product(axes []Axis) [][]int {
	combos := [][]int{{}}
	for _, ax := range axes {
		next := make([][]int, 0, len(combos)*len(ax.Values))
		for _, c := range combos {
			for j := range ax.Values {
				nc := make([]int, len(c)+1)
				copy(nc, c)
				nc[len(c)] = j
				next = append(next, nc)
			}
		}
		combos = next
	}
	return combos
}

// labelValue renders an axis value in a label: strings bare, lists without
// spaces ([512,256]).
func labelValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []int64, []float64, []any:
		return strings.ReplaceAll(formatValue(x), ", ", ",")
	}
	return formatValue(v)
}

// CellID returns the ID of the cell (dataset, encoder, detector, seed): the
// first 12 hex digits of the SHA-256 of
//
//	"dataset=<name>\nencoder=<plugin> <canonical params>\ndetector=<plugin> <canonical params>\nseed=<seed>"
//
// with "detector=none" when det is nil, and canonical params as
// sdk.Params.CanonicalJSON renders the resolved parameters. Labels, file order
// and the other tables do not enter it.
func CellID(datasetName string, enc, det *Instance, seed int64) string {
	d := "none"
	if det != nil {
		d = det.Key()
	}
	return shortHash(fmt.Sprintf("dataset=%s\nencoder=%s\ndetector=%s\nseed=%d", datasetName, enc.Key(), d, seed))
}

func encodingString(datasetName string, enc *Instance, seed int64) string {
	return fmt.Sprintf("dataset=%s\nencoder=%s\nseed=%d", datasetName, enc.Key(), seed)
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:6])
}
