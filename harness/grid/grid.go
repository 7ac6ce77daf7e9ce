package grid

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/latentbench/latentbench/harness/dataset"
	"github.com/latentbench/latentbench/sdk"
)

// Experiment is the [experiment] table.
type Experiment struct {
	// Name names the experiment; results go to results/<Name>/. Required,
	// matching [a-z0-9_-]+.
	Name string `toml:"name"`
	// Seeds are the seeds every (dataset, encoder, detector) combination runs
	// with. Required, non-empty, distinct.
	Seeds []int64 `toml:"seeds"`
	// Timeout bounds the wall time of one cell (default DefaultTimeout).
	Timeout time.Duration `toml:"timeout"`
	// FitOn is FitOnTest (default) or FitOnTrain: which latent points the
	// detectors are fitted on (docs/method.md, "One cell").
	FitOn string `toml:"fit_on"`
	// Description is free text for reports.
	Description string `toml:"description"`
	// Notes is Markdown that report.md shows under "Notes": the author's
	// reading of the results (known differences from a paper, their causes).
	Notes string `toml:"notes"`
	// Memory caps the memory of each plugin process, e.g. "4GiB" (default:
	// no cap); a cell whose plugin exceeds it ends with status OOM.
	Memory string `toml:"memory"`
	// MemoryBytes is Memory in bytes (0: no cap).
	MemoryBytes int64 `toml:"-"`
}

// Values and defaults of the [experiment] table.
const (
	// FitOnTest fits detectors on the encoded test set they score: the
	// paper's unsupervised setting.
	FitOnTest = "test"
	// FitOnTrain fits detectors on the encoded training set and scores the
	// test set: Goix's protocol.
	FitOnTrain = "train"
	// DefaultTimeout is the per-cell timeout when none is given.
	DefaultTimeout = 30 * time.Minute
)

// Clustering is the [clustering] table: the k sweep of the clustering stage
// (docs/method.md, "Clustering and V-measure").
type Clustering struct {
	// Methods is a subset of MethodKMeans and MethodGMM (default both, in that
	// order); empty means no clustering.
	Methods []string `toml:"methods"`
	// KMin and KMax bound the number of clusters (defaults 2 and 20).
	KMin int `toml:"k_min"`
	KMax int `toml:"k_max"`
	// NInit is the number of k-means restarts (default 10).
	NInit int `toml:"n_init"`
}

// Clustering methods.
const (
	MethodKMeans = "kmeans"
	MethodGMM    = "gmm"
)

// Metrics is the [metrics] table.
type Metrics struct {
	// EMMV turns the EM/MV curves on (default true; false when the grid has no
	// detector).
	EMMV bool `toml:"emmv"`
	// UniformPoints is N, the number of uniform points of EM/MV (default 100000).
	UniformPoints int `toml:"uniform_points"`
	// EMMVPoints, when > 0, evaluates EM/MV on a seeded subsample of that many
	// of the evaluated points (default 0: all of them).
	EMMVPoints int `toml:"emmv_points"`
	// Contamination is the share of points flagged as anomalies (the lowest
	// scores) for the class-distribution RMSE; 0 < c < 0.5, default 0.1.
	Contamination float64 `toml:"contamination"`
}

// Block is one [[encoder]] or [[detector]] table as written, checked against
// its plugin's schema.
type Block struct {
	// Kind is sdk.KindEncoder or sdk.KindDetector.
	Kind sdk.Kind
	// Index is the block's 0-based position among the blocks of its kind
	// (the file says encoder[Index+1]).
	Index int
	// Line is the line of the block's header.
	Line int
	// Plugin is the plugin name; Label the label given, "" for the default.
	Plugin string
	Label  string
	// Desc is the plugin's description from the registry.
	Desc *sdk.Description
	// Params holds the single values given (not the axes), normalised to the
	// declared Go types; parameters not given are absent.
	Params map[string]any
	// Axes are the parameters given as lists of values, sorted by name.
	Axes []Axis
}

// Axis is one parameter given as a list of values: the grid runs each.
type Axis struct {
	Name string
	// Values in file order, normalised to the declared Go type.
	Values []any
}

// Instance is one point of a block's axes: a plugin with a complete parameter
// set.
type Instance struct {
	Kind sdk.Kind
	// Index is the position in Grid.EncoderInstances or Grid.DetectorInstances.
	Index int
	// Block is the index of the block it comes from in Grid.Encoders or
	// Grid.Detectors.
	Block  int
	Plugin string
	// Label is the display name: the block's label (default the plugin name),
	// followed by "(k=v, ...)" of the varying parameters when the block has axes.
	// Unique among the instances of a kind.
	Label string
	Desc  *sdk.Description
	// Params is the resolved, complete parameter set: every declared
	// parameter, defaults filled in.
	Params sdk.Params
	// Varying holds this instance's value of each axis of its block (nil when
	// the block has none).
	Varying map[string]any
}

// Key identifies the instance by what it computes: the plugin name and the
// canonical JSON of its parameters.
func (in *Instance) Key() string { return in.Plugin + " " + in.Params.CanonicalJSON() }

// Cell is one unit of work: a dataset, an encoder instance, a detector
// instance (or none) and a seed.
type Cell struct {
	// Index is the 0-based position in Grid.Cells.
	Index int
	// ID is the first 12 hex digits of the SHA-256 of the cell's canonical
	// string (see CellID): the same for the same work whatever the order of the
	// file.
	ID           string
	DatasetIndex int
	Dataset      *dataset.Spec
	// EncoderIndex indexes Grid.EncoderInstances; Encoder is a copy of it.
	EncoderIndex int
	Encoder      Instance
	// DetectorIndex indexes Grid.DetectorInstances, -1 when the grid has no
	// detector; Detector points into Grid.DetectorInstances or is nil.
	DetectorIndex int
	Detector      *Instance
	Seed          int64
}

// EncodingID identifies the encoder fit a cell needs — (dataset, encoder
// instance, seed) — so that cells differing only in the detector share it.
// Same form as ID.
func (c *Cell) EncodingID() string {
	return shortHash(encodingString(c.Dataset.Name, &c.Encoder, c.Seed))
}

// Grid is a loaded, validated and expanded grid file.
type Grid struct {
	// Path is the file as given to Load; Dir its directory, against which
	// relative data paths are resolved.
	Path string
	Dir  string
	// Source is the file's bytes, for reports.
	Source     []byte
	Experiment Experiment
	Datasets   []dataset.Spec
	Encoders   []Block
	Detectors  []Block
	Clustering Clustering
	Metrics    Metrics
	Regression Regression
	// Declared holds the reference figures and claims the report compares
	// the results with ([[reference]], [[claim]], [report]).
	Declared Declared
	// EncoderInstances and DetectorInstances are the expanded blocks, in block
	// order and, within a block, in axis order (see the package doc).
	EncoderInstances  []Instance
	DetectorInstances []Instance
	// Cells are datasets × encoder instances × detector instances × seeds.
	Cells []Cell
}

// Load reads, validates and expands the grid file at path; plugin schemas come
// from reg. An invalid file gives Errors (each a *Error naming file, line and
// key); an unreadable one the os error.
func Load(path string, reg Registry) (*Grid, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("grid: %w", err)
	}
	return Parse(path, src, reg)
}

// Parse is Load for a file already read: path names it in errors, and its
// directory is the base of relative data paths.
func Parse(path string, src []byte, reg Registry) (*Grid, error) {
	l := &loader{file: path, loc: locate(src)}
	if at := l.loc.tooDeep; at != nil {
		return nil, Errors{{File: path, Line: at.line, Col: at.col,
			Msg: fmt.Sprintf("nested deeper than %d levels (arrays, inline tables or key segments)", maxNesting)}}
	}
	var raw map[string]any
	if _, err := toml.Decode(string(src), &raw); err != nil {
		return nil, l.syntaxError(err)
	}
	g := &Grid{Path: path, Dir: filepath.Dir(path), Source: src}
	l.structure(g, raw, reg)
	if len(l.errs) == 0 {
		l.expand(g)
	}
	if len(l.errs) > 0 {
		l.errs.sort()
		return nil, l.errs
	}
	return g, nil
}

// syntaxError turns a TOML decoding error into Errors at its line (line 1
// when the decoder gives none).
func (l *loader) syntaxError(err error) Errors {
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		return Errors{{File: l.file, Line: 1, Col: 1, Msg: err.Error()}}
	}
	line, col := max(pe.Position.Line, 1), max(pe.Position.Col, 1)
	return Errors{{File: l.file, Line: line, Col: col, Field: l.loc.fieldForParseError(pe.LastKey, line), Msg: pe.Message}}
}

var (
	topKeys      = []string{"claim", "clustering", "dataset", "detector", "encoder", "experiment", "metrics", "reference", "regression", "report"}
	nameRE       = regexp.MustCompile(`^[a-z0-9_-]+$`)
	methods      = []string{MethodKMeans, MethodGMM}
	fitOnChoices = []string{FitOnTest, FitOnTrain}
)

// Bounds of the sizes a grid sets, checked before anything is allocated: a
// size in a config must never be able to exhaust memory or overflow.
const (
	// MaxUniformPoints bounds metrics.uniform_points (a float64 matrix of
	// that many rows is allocated per cell).
	MaxUniformPoints = 10_000_000
	// MaxNInit bounds clustering.n_init (one result is kept per restart).
	MaxNInit = 1000
	// MaxK bounds clustering.k_max.
	MaxK = 10_000
)

// structure checks the decoded document and fills g (all but the expansion).
func (l *loader) structure(g *Grid, raw map[string]any, reg Registry) {
	for _, k := range sortedKeys(raw) {
		if !contains(topKeys, k) {
			l.errf(keyPath{}.key(k), "unknown key %q (allowed: %s)", k, strings.Join(topKeys, ", "))
		}
	}

	l.experiment(g, raw["experiment"])

	dsAt := keyPath{}.key("dataset")
	tables, ok := l.arrayOfTables(raw["dataset"], dsAt)
	if ok && len(tables) == 0 {
		l.errf(dsAt, "at least one [[dataset]] table is required")
	}
	first := map[string]int{}
	for i, m := range tables {
		at := dsAt.index(i + 1)
		var spec dataset.Spec
		before := len(l.errs)
		l.expandEnv(m, at)
		l.decodeStruct(m, &spec, at)
		if len(l.errs) == before {
			for _, fe := range spec.Validate(g.Dir) {
				p := at
				for _, seg := range strings.Split(fe.Field, ".") {
					p = p.key(seg)
				}
				l.errf(p, "%s", fe.Msg)
			}
		}
		if spec.Name != "" {
			if j, dup := first[spec.Name]; dup {
				prev := dsAt.index(j + 1)
				l.errf(at.key("name"), "%q is also the name of %s (line %d): dataset names must be unique", spec.Name, prev, l.line(prev))
			} else {
				first[spec.Name] = i
			}
		}
		g.Datasets = append(g.Datasets, spec)
	}

	g.Encoders = l.blocks(sdk.KindEncoder, raw["encoder"], true, reg)
	g.Detectors = l.blocks(sdk.KindDetector, raw["detector"], false, reg)

	l.clustering(g, raw["clustering"])
	l.metrics(g, raw["metrics"])
	l.regression(g, raw["regression"])
	l.declared(&g.Declared, raw)
}

// Regression is the [regression] table: how far each metric may move from
// committed results before `latentbench compare` calls it a regression.
//
//	[regression]
//	default = 1e-9          # absolute tolerance of metrics not listed below
//	[regression.tolerance]
//	v_kmeans = 0.02         # per metric (the names of cells.jsonl's metrics map)
//	em = 1e-4
type Regression struct {
	// Default is the absolute tolerance of metrics without their own (default 1e-9).
	Default float64
	// Tolerance maps metric names to absolute tolerances.
	Tolerance map[string]float64
}

// MetricNames lists the metrics a cell can report (the keys of cells.jsonl's
// metrics map), which [regression.tolerance] may name.
func MetricNames() []string {
	var names []string
	for _, m := range []string{MethodKMeans, MethodGMM} {
		names = append(names, "v_"+m, "k_"+m, "misclassified_"+m)
	}
	return append(names, "em", "mv", "emmv_subsets", "rmse", "auc", "ap")
}

// MetricBetter tells which way a metric improves: +1 when higher is better
// (V-measure, EM, ROC-AUC, average precision), −1 when lower is better (MV,
// the class-distribution RMSE, misclassified points), 0 for the counts that
// describe rather than score a cell (k, emmv_subsets) and unknown names.
// Rankings of methods take their direction from here.
func MetricBetter(name string) int {
	switch name {
	case "v_" + MethodKMeans, "v_" + MethodGMM, "em", "auc", "ap":
		return +1
	case "mv", "rmse", "misclassified_" + MethodKMeans, "misclassified_" + MethodGMM:
		return -1
	}
	return 0
}

// MetricOfEncoder reports whether a metric measures the latent space alone
// (the clustering metrics: V-measure, k, misclassified points), so that a
// cell repeats its encoder's value whatever its detector.
func MetricOfEncoder(name string) bool {
	for _, m := range []string{MethodKMeans, MethodGMM} {
		if name == "v_"+m || name == "k_"+m || name == "misclassified_"+m {
			return true
		}
	}
	return false
}

// For returns the tolerance of a metric.
func (r Regression) For(metric string) float64 {
	if t, ok := r.Tolerance[metric]; ok {
		return t
	}
	return r.Default
}

func (l *loader) regression(g *Grid, v any) {
	at := keyPath{}.key("regression")
	g.Regression = Regression{Default: 1e-9, Tolerance: map[string]float64{}}
	if v == nil {
		return
	}
	m, ok := l.table(v, at)
	if !ok {
		return
	}
	for _, k := range sortedKeys(m) {
		switch k {
		case "default":
			f, ok := nonNegative(m[k])
			if !ok {
				l.errf(at.key(k), "must be a non-negative number (an absolute tolerance), got %s", describe(m[k]))
			}
			g.Regression.Default = f
		case "tolerance":
			tm, ok := l.table(m[k], at.key(k))
			if !ok {
				continue
			}
			known := MetricNames()
			for _, name := range sortedKeys(tm) {
				if !contains(known, name) {
					l.errf(at.key(k).key(name), "unknown metric %q (allowed: %s)", name, strings.Join(known, ", "))
					continue
				}
				f, ok := nonNegative(tm[name])
				if !ok {
					l.errf(at.key(k).key(name), "must be a non-negative number (an absolute tolerance), got %s", describe(tm[name]))
				}
				g.Regression.Tolerance[name] = f
			}
		default:
			l.errf(at.key(k), "unknown key %q (allowed: default, tolerance)", k)
		}
	}
}

func nonNegative(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), x >= 0
	case float64:
		return x, x >= 0
	}
	return 0, false
}

func (l *loader) experiment(g *Grid, v any) {
	at := keyPath{}.key("experiment")
	g.Experiment = Experiment{Timeout: DefaultTimeout, FitOn: FitOnTest}
	if v == nil {
		l.errf(at, "the [experiment] table is required (with at least name and seeds)")
		return
	}
	m, ok := l.table(v, at)
	if !ok {
		return
	}
	e := &g.Experiment
	given := l.decodeStruct(m, e, at)
	_, hasName := m["name"]
	switch {
	case !hasName:
		l.errf(at.key("name"), "required: the experiment's name, [a-z0-9_-]+ (results go to results/<name>/)")
	case given["name"] && !nameRE.MatchString(e.Name):
		l.errf(at.key("name"), "%q is not a valid name: use lower-case letters, digits, \"_\" and \"-\" only (results go to results/<name>/)", e.Name)
	}
	_, hasSeeds := m["seeds"]
	switch {
	case !hasSeeds:
		l.errf(at.key("seeds"), "required: a list of seeds, e.g. seeds = [0, 1]")
	case given["seeds"] && len(e.Seeds) == 0:
		l.errf(at.key("seeds"), "must not be empty: give at least one seed, e.g. seeds = [0]")
	case given["seeds"]:
		seen := map[int64]int{}
		for i, s := range e.Seeds {
			if j, dup := seen[s]; dup {
				l.errf(at.key("seeds").index(i+1), "seed %d is given twice (also seeds[%d]): seeds must be distinct", s, j+1)
				continue
			}
			seen[s] = i
		}
	}
	if given["memory"] {
		n, err := ParseBytes(e.Memory)
		switch {
		case err != nil:
			l.errf(at.key("memory"), "%v", err)
		case n < 64<<20:
			l.errf(at.key("memory"), "%q is below 64 MiB, too little for a plugin process to start", e.Memory)
		default:
			e.MemoryBytes = n
		}
	}
	if given["timeout"] && e.Timeout <= 0 {
		l.errf(at.key("timeout"), "%s is not a positive duration", e.Timeout)
	}
	if given["fit_on"] && !contains(fitOnChoices, e.FitOn) {
		l.errf(at.key("fit_on"), "%q is not one of %s (%q: detectors fit on the test points they score, the paper's setting; %q: fit on the training set, Goix's protocol)",
			e.FitOn, quoteList(fitOnChoices), FitOnTest, FitOnTrain)
	}
}

func (l *loader) clustering(g *Grid, v any) {
	at := keyPath{}.key("clustering")
	c := &g.Clustering
	*c = Clustering{Methods: []string{MethodKMeans, MethodGMM}, KMin: 2, KMax: 20, NInit: 10}
	if v == nil {
		return
	}
	m, ok := l.table(v, at)
	if !ok {
		return
	}
	given := l.decodeStruct(m, c, at)
	seen := map[string]int{}
	for i, name := range c.Methods {
		p := at.key("methods").index(i + 1)
		if !contains(methods, name) {
			l.errf(p, "%q is not one of %s", name, quoteList(methods))
		} else if j, dup := seen[name]; dup {
			l.errf(p, "%q is given twice (also methods[%d])", name, j+1)
		}
		seen[name] = i
	}
	if given["k_min"] && c.KMin < 2 {
		l.errf(at.key("k_min"), "%d is less than 2: the sweep starts at 2 clusters or more", c.KMin)
	}
	if (given["k_min"] || given["k_max"]) && c.KMax < c.KMin {
		p := at.key("k_max")
		if !given["k_max"] {
			p = at.key("k_min")
		}
		l.errf(p, "k_max = %d is less than k_min = %d", c.KMax, c.KMin)
	}
	if given["n_init"] && c.NInit < 1 {
		l.errf(at.key("n_init"), "%d is less than 1: the number of k-means restarts", c.NInit)
	}
	if c.NInit > MaxNInit {
		l.errf(at.key("n_init"), "%d is more than %d: the number of k-means restarts", c.NInit, MaxNInit)
	}
	if c.KMax > MaxK {
		l.errf(at.key("k_max"), "%d is more than %d clusters", c.KMax, MaxK)
	}
}

func (l *loader) metrics(g *Grid, v any) {
	at := keyPath{}.key("metrics")
	mt := &g.Metrics
	*mt = Metrics{EMMV: true, UniformPoints: 100000, Contamination: 0.1}
	var given map[string]bool
	if v != nil {
		if m, ok := l.table(v, at); ok {
			given = l.decodeStruct(m, mt, at)
		}
	}
	if len(g.Detectors) == 0 {
		if given["emmv"] && mt.EMMV {
			l.errf(at.key("emmv"), "EM/MV scores a detector's output, and the grid has no [[detector]]: add one or set emmv = false")
		}
		mt.EMMV = false
	}
	if given["uniform_points"] && mt.UniformPoints < 1 {
		l.errf(at.key("uniform_points"), "%d is not positive: the number of uniform points of EM/MV", mt.UniformPoints)
	}
	if mt.UniformPoints > MaxUniformPoints {
		l.errf(at.key("uniform_points"), "%d is more than %d: the uniform points of EM/MV are held in memory (Goix et al. use 100000)",
			mt.UniformPoints, MaxUniformPoints)
	}
	if given["emmv_points"] && mt.EMMVPoints < 0 {
		l.errf(at.key("emmv_points"), "%d is negative: 0 evaluates EM/MV on every point, n > 0 on a subsample of n", mt.EMMVPoints)
	}
	if given["contamination"] && !(mt.Contamination > 0 && mt.Contamination < 0.5) {
		l.errf(at.key("contamination"), "%s is not in (0, 0.5): the share of points flagged as anomalies", formatValue(mt.Contamination))
	}
}

// blocks checks the [[encoder]] or [[detector]] tables.
func (l *loader) blocks(kind sdk.Kind, v any, required bool, reg Registry) []Block {
	at := keyPath{}.key(string(kind))
	tables, ok := l.arrayOfTables(v, at)
	if !ok {
		return nil
	}
	if required && len(tables) == 0 {
		l.errf(at, "at least one [[%s]] table is required", kind)
		return nil
	}
	out := make([]Block, 0, len(tables))
	for i, m := range tables {
		if b, ok := l.block(kind, i, m, at.index(i+1), reg); ok {
			out = append(out, b)
		}
	}
	return out
}

var blockKeys = []string{"label", "params", "plugin"}

// block checks one [[encoder]] or [[detector]] table; ok is false when it is
// too broken to expand.
func (l *loader) block(kind sdk.Kind, i int, m map[string]any, at keyPath, reg Registry) (Block, bool) {
	b := Block{Kind: kind, Index: i, Line: l.line(at), Params: map[string]any{}}
	ok := true
	for _, k := range sortedKeys(m) {
		if !contains(blockKeys, k) {
			l.errf(at.key(k), "unknown key %q (allowed: %s)", k, strings.Join(blockKeys, ", "))
		}
	}
	switch p := m["plugin"].(type) {
	case nil:
		l.errf(at.key("plugin"), "required: the name of a registered %s plugin", kind)
		return b, false
	case string:
		b.Plugin = p
	default:
		l.errf(at.key("plugin"), "must be a string, got %s", describe(p))
		return b, false
	}
	switch lb := m["label"].(type) {
	case nil:
	case string:
		if strings.TrimSpace(lb) == "" {
			l.errf(at.key("label"), "must not be empty: leave it out for the default (the plugin name)")
			ok = false
		}
		b.Label = lb
	default:
		l.errf(at.key("label"), "must be a string, got %s", describe(lb))
		ok = false
	}
	desc, err := reg.Lookup(kind, b.Plugin)
	if err != nil {
		l.errf(at.key("plugin"), "%v", err)
		return b, false
	}
	if desc.Kind != "" && desc.Kind != kind {
		l.errf(at.key("plugin"), "%q is a %s plugin, not a %s", b.Plugin, desc.Kind, kind)
		return b, false
	}
	b.Desc = desc

	pv, has := m["params"]
	if !has {
		return b, ok
	}
	params, isTable := l.table(pv, at.key("params"))
	if !isTable {
		return b, false
	}
	return b, l.blockParams(&b, kind, params, at) && ok
}

// blockParams checks a block's parameters against its plugin's schema and
// fills b.Params (single values) and b.Axes (lists to run each); false when
// one is wrong.
func (l *loader) blockParams(b *Block, kind sdk.Kind, params map[string]any, at keyPath) bool {
	desc, ok := b.Desc, true
	for _, name := range sortedKeys(params) {
		p := at.key("params").key(name)
		spec, known := desc.Param(name)
		if !known {
			list := strings.Join(desc.ParamNames(), ", ")
			if list == "" {
				list = "it takes none"
			}
			l.errf(p, "%s %q has no parameter %q (parameters: %s)", kind, b.Plugin, name, list)
			ok = false
			continue
		}
		values, axis, base, msg := splitAxis(spec, name, params[name], p)
		if msg != "" {
			l.errf(base, "%s", msg)
			ok = false
			continue
		}
		if axis && len(values) == 0 {
			l.errf(base, "empty axis: give one value or a list of values to run each (default: %s)", formatValue(spec.Default))
			ok = false
			continue
		}
		checked := make([]any, 0, len(values))
		seen := map[string]int{}
		for j, v := range values {
			vp := base
			if axis {
				vp = base.index(j + 1)
			}
			nv, msg := checkParam(spec, v)
			if msg != "" {
				l.errf(vp, "%s", msg)
				ok = false
				continue
			}
			if axis {
				key := sdk.Params{"v": nv}.CanonicalJSON()
				if k, dup := seen[key]; dup {
					l.errf(vp, "value %s is given twice in this axis (also %s[%d])", formatValue(nv), quoteKey(name), k+1)
					ok = false
					continue
				}
				seen[key] = j
			}
			checked = append(checked, nv)
		}
		if axis {
			b.Axes = append(b.Axes, Axis{Name: name, Values: checked})
		} else if len(checked) == 1 {
			b.Params[name] = checked[0]
		}
	}
	return ok
}

// splitAxis tells whether a parameter's value is an axis (a list of values to
// run each) and returns its values, and the key path of the values (p, or
// p.axis / p.value in the explicit forms). The rule:
//
//   - { axis = [v1, v2, ...] } is an axis and { value = v } one value, for a
//     parameter of any type;
//   - otherwise a list given for a scalar parameter is an axis; for a
//     list-typed parameter a list of lists is an axis and a flat list one
//     value; for a parameter of type any a list is refused (it could be
//     either: the message names both explicit forms); any other value is one
//     value.
//
// msg is non-empty when the value breaks the rule.
func splitAxis(spec sdk.ParamSpec, name string, v any, p keyPath) (values []any, axis bool, at keyPath, msg string) {
	if t, isTable := v.(map[string]any); isTable {
		return explicitAxis(t, p)
	}
	list, isList := v.([]any)
	switch {
	case !isList:
		return []any{v}, false, p, ""
	case spec.Type == sdk.TypeAny:
		return nil, false, p, fmt.Sprintf("a list for a parameter of type any could be a list of values to run or one value: "+
			"write %s = { axis = %s } to run each value, or %s = { value = %s } to pass the list as one value",
			quoteKey(name), formatValue(v), quoteKey(name), formatValue(v))
	case !spec.Type.IsList():
		return list, true, p, ""
	}
	lists := 0
	for _, e := range list {
		if _, ok := e.([]any); ok {
			lists++
		}
	}
	switch lists {
	case 0:
		return []any{v}, false, p, ""
	case len(list):
		return list, true, p, ""
	}
	return nil, false, p, fmt.Sprintf("mixes lists and single values: write one list for one value (e.g. [512, 256]) or a list of lists for an axis (e.g. [[256], [512, 256]]), got %s", formatValue(v))
}

// explicitAxis reads the explicit forms of a parameter's value,
// { axis = [...] } and { value = ... } (see splitAxis).
func explicitAxis(t map[string]any, p keyPath) (values []any, axis bool, at keyPath, msg string) {
	const forms = "must be a value, a list, { axis = [...] } (values to run each) or { value = ... } (one value)"
	if len(t) != 1 {
		keys := sortedKeys(t)
		return nil, false, p, fmt.Sprintf("%s, got a table with keys %s", forms, quoteList(keys))
	}
	if v, ok := t["value"]; ok {
		return []any{v}, false, p.key("value"), ""
	}
	if v, ok := t["axis"]; ok {
		list, isList := v.([]any)
		if !isList {
			return nil, false, p.key("axis"), fmt.Sprintf("must be a list of the values to run, got %s", describe(v))
		}
		return list, true, p.key("axis"), ""
	}
	return nil, false, p, fmt.Sprintf("%s, got a table with key %q", forms, sortedKeys(t)[0])
}

// checkParam checks one value against a parameter's spec (sdk.ParamSpec.Check)
// and returns it normalised, or a message without the parameter's name (the
// error's field names it) that shows the value as written in TOML.
func checkParam(spec sdk.ParamSpec, v any) (any, string) {
	if _, err := sdk.Normalize(v); err != nil {
		return nil, fmt.Sprintf("must be a number, string, boolean or list, got %s", describe(v))
	}
	if s, ok := v.(string); ok && spec.Type == sdk.TypeString && len(spec.Choices) > 0 && !contains(spec.Choices, s) {
		return nil, fmt.Sprintf("must be one of %s, got %q", quoteList(spec.Choices), s)
	}
	nv, err := spec.Check(v)
	if err != nil {
		return nil, fmt.Sprintf("must be %s, got %s", paramTypeNoun(spec.Type), describe(v))
	}
	return nv, ""
}

// paramTypeNoun names the values of a parameter type in messages.
func paramTypeNoun(t sdk.ParamType) string {
	switch t {
	case sdk.TypeInt:
		return "an integer"
	case sdk.TypeFloat:
		return "a number"
	case sdk.TypeString:
		return "a string"
	case sdk.TypeBool:
		return "true or false"
	case sdk.TypeIntList:
		return "a list of integers"
	case sdk.TypeFloatList:
		return "a list of numbers"
	}
	return fmt.Sprintf("of the plugin's declared type %q", string(t))
}

// table asserts that v is a table.
func (l *loader) table(v any, at keyPath) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		l.errf(at, "must be a table, got %s", describe(v))
	}
	return m, ok
}

// arrayOfTables asserts that v is an array of tables ([[name]]); absent is an
// empty array.
func (l *loader) arrayOfTables(v any, at keyPath) ([]map[string]any, bool) {
	switch x := v.(type) {
	case nil:
		return nil, true
	case []map[string]any:
		return x, true
	case []any:
		out := make([]map[string]any, len(x))
		for i, e := range x {
			m, ok := e.(map[string]any)
			if !ok {
				l.errf(at.index(i+1), "must be a table, got %s", describe(e))
				return nil, false
			}
			out[i] = m
		}
		return out, true
	case map[string]any:
		l.errf(at, "must be an array of tables: write [[%s]], not [%s]", at, at)
		return nil, false
	}
	l.errf(at, "must be an array of tables ([[%s]]), got %s", at, describe(v))
	return nil, false
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
