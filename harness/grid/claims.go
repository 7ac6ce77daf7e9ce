package grid

import (
	"fmt"
	"math"
	"os"
	"reflect"
	"strings"

	"github.com/BurntSushi/toml"
)

// Declared is what a grid file says its results should be compared with:
// figures published elsewhere ([[reference]]) and trends claimed for them
// ([[claim]]), with the report's wording of them ([report]). The harness knows
// no paper: report.md renders whatever a grid declares, and nothing when it
// declares nothing.
type Declared struct {
	Report     ReportText
	References []Reference
	Claims     []Claim
}

// ReportText is the [report] table: headings and the introduction of the
// report's sections on claims and reference figures.
type ReportText struct {
	// ClaimsHeading titles the section of checked claims (default "Claims").
	ClaimsHeading string `toml:"claims_heading"`
	// ClaimsIntro opens it (default: a sentence naming the grid's claims).
	ClaimsIntro string `toml:"claims_intro"`
	// ClosestHeading titles the section naming, per reference row, the
	// configuration closest to it (default "Closest to the reference figures").
	ClosestHeading string `toml:"closest_heading"`
}

// Rows selects result rows (cells): each condition given must hold. Encoder
// and Detector name plugins (every block of the plugin); EncoderLabel and
// DetectorLabel name instances by label: an instance's own label, or a
// block's label, which selects every instance of the block (whose labels are
// the block's followed by "(k=v, ...)").
type Rows struct {
	Encoder       string `toml:"encoder"`
	EncoderLabel  string `toml:"encoder_label"`
	Detector      string `toml:"detector"`
	DetectorLabel string `toml:"detector_label"`
	Dataset       string `toml:"dataset"`
	// Name is how reports call these rows (default: the first condition
	// given, in the order above).
	Name string `toml:"name"`
}

// Match tells whether a cell of the given data set, encoder and detector
// (plugin names and labels) is among the rows.
func (r *Rows) Match(dataset, encoder, encoderLabel, detector, detectorLabel string) bool {
	return (r.Encoder == "" || r.Encoder == encoder) &&
		labelMatch(r.EncoderLabel, encoderLabel) &&
		(r.Detector == "" || r.Detector == detector) &&
		labelMatch(r.DetectorLabel, detectorLabel) &&
		(r.Dataset == "" || r.Dataset == dataset)
}

func labelMatch(want, label string) bool {
	return want == "" || label == want || strings.HasPrefix(label, want+"(")
}

// Display returns Name, or the first condition given.
func (r *Rows) Display() string {
	for _, s := range []string{r.Name, r.Encoder, r.EncoderLabel, r.Detector, r.DetectorLabel, r.Dataset} {
		if s != "" {
			return s
		}
	}
	return "all"
}

func (r *Rows) empty() bool {
	return r.Encoder == "" && r.EncoderLabel == "" && r.Detector == "" && r.DetectorLabel == "" && r.Dataset == ""
}

// Reference is one [[reference]] table: figures published for some rows of
// the grid, shown beside the results in one report table.
//
//	[[reference]]
//	source = "Author (2019), Table 1"     # required: where the figures are published
//	name = "paper"                        # column header of the figures (default "reference")
//	title = "..."                         # the report table's title (default "Beside <source>")
//	caption = "..."                       # its caption
//	metrics = ["v_gmm", "k_gmm"]          # required: the metrics given, in column order
//	delta = true                          # a column ours − reference (default true)
//	closest = ["v_gmm"]                   # name the configuration closest to each row over these
//	rows = [
//	  { encoder = "my-encoder", v_gmm = 0.71, k_gmm = 12 },   # selectors (see Rows) and metric values
//	]
type Reference struct {
	// Line is the line of the table's header.
	Line    int
	Source  string
	Name    string
	Title   string
	Caption string
	Metrics []string
	Delta   bool
	Closest []string
	Rows    []ReferenceRow
}

// ReferenceRow is one row of a [[reference]]: the results it is about and the
// published value of each metric.
type ReferenceRow struct {
	Rows
	Values map[string]float64
}

// Directions of a claim.
const (
	Higher = "higher"
	Lower  = "lower"
)

// How a claim reduces the rows of a side to a number (Claim.Over).
const (
	// OverMean is the mean over every row of the side.
	OverMean = "mean"
	// OverBest is the configuration (encoder label) whose mean over seeds is
	// best (see MetricBetter), with its mean over seeds.
	OverBest = "best"
	// OverEach checks each configuration of the claim's own side separately:
	// the claim holds when it holds for every one.
	OverEach = "each"
)

// Scopes a claim can be checked per (Claim.Per).
const (
	PerDataset  = "dataset"
	PerDetector = "detector"
)

// Claim is one [[claim]] table: a trend the results should show, checked in
// report.md. A claim is one of three kinds:
//
//   - a comparison (metric, direction, this, than): this side's value of each
//     metric is higher (or lower) than each side of than;
//   - a target (metric, near, within, this): this side's value is within
//     `within` of `near`;
//   - class shares (over_represented, under_represented, this): among the
//     anomalies flagged in this side's rows, averaged over them, the listed
//     classes are over (under) their share of the data.
//
// Per checks it once per data set or detector (in the order of datasets or
// detectors when given, else of the results); its text then names the scope
// with "{dataset}" or "{detector}".
type Claim struct {
	// Line is the line of the table's header.
	Line int
	// Text is the claim as the report states it.
	Text string
	// Source is where it is claimed.
	Source string
	// Metrics and Directions (one per metric) of a comparison or a target.
	Metrics    []string
	Directions []string
	// Over is OverMean (default), OverBest or OverEach.
	Over string
	// BestBy is the metric that picks the best configuration under
	// OverBest (default: the claim's own metric).
	BestBy string
	This   Rows
	Than   []Rows
	// Near and Within make a target claim (Near set, Within ≥ 0).
	Near   *float64
	Within float64
	// OverRepresented and UnderRepresented make a class-share claim.
	OverRepresented, UnderRepresented []string
	// Per lists the scopes checked separately: PerDataset, PerDetector.
	Per []string
	// Datasets and Detectors restrict the rows to these data sets and
	// detector plugins (and order the scopes).
	Datasets, Detectors []string
	// Group lists claims together in the report, scope by scope: for each
	// scope value, every claim of the group in file order.
	Group string
	// Reported are the source's own values for this and each side of than,
	// shown after ours, labelled ReportedBy (default "reported").
	Reported   []float64
	ReportedBy string
}

// Kind tells a claim's kind: "comparison", "target" or "classes".
func (c *Claim) Kind() string {
	switch {
	case len(c.OverRepresented)+len(c.UnderRepresented) > 0:
		return "classes"
	case c.Near != nil:
		return "target"
	}
	return "comparison"
}

// ReadDeclared reads the [[reference]], [[claim]] and [report] tables of the
// grid file at path (a results directory's config.toml, say) without
// checking the rest of it, so that needs no plugin registry.
func ReadDeclared(path string) (Declared, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return Declared{}, fmt.Errorf("grid: %w", err)
	}
	l := &loader{file: path, loc: locate(src)}
	var raw map[string]any
	if _, err := toml.Decode(string(src), &raw); err != nil {
		return Declared{}, l.syntaxError(err)
	}
	var d Declared
	l.declared(&d, raw)
	if len(l.errs) > 0 {
		l.errs.sort()
		return Declared{}, l.errs
	}
	return d, nil
}

// declared checks the [report], [[reference]] and [[claim]] tables.
func (l *loader) declared(d *Declared, raw map[string]any) {
	if v, ok := raw["report"]; ok {
		if m, ok := l.table(v, keyPath{}.key("report")); ok {
			l.decodeStruct(m, &d.Report, keyPath{}.key("report"))
		}
	}
	at := keyPath{}.key("reference")
	tables, _ := l.arrayOfTables(raw["reference"], at)
	for i, m := range tables {
		if r, ok := l.reference(m, at.index(i+1)); ok {
			d.References = append(d.References, r)
		}
	}
	at = keyPath{}.key("claim")
	tables, _ = l.arrayOfTables(raw["claim"], at)
	for i, m := range tables {
		if c, ok := l.claim(m, at.index(i+1)); ok {
			d.Claims = append(d.Claims, c)
		}
	}
}

var referenceKeys = []string{"caption", "closest", "delta", "metrics", "name", "rows", "source", "title"}

func (l *loader) reference(m map[string]any, at keyPath) (Reference, bool) {
	r := Reference{Line: l.line(at), Name: "reference", Delta: true}
	before := len(l.errs)
	for _, k := range sortedKeys(m) {
		p := at.key(k)
		switch k {
		case "source":
			r.Source, _ = l.str(m[k], p)
		case "name":
			r.Name, _ = l.str(m[k], p)
		case "title":
			r.Title, _ = l.str(m[k], p)
		case "caption":
			r.Caption, _ = l.str(m[k], p)
		case "delta":
			l.setValue(reflectOf(&r.Delta), m[k], p)
		case "metrics", "closest":
			list := l.metricList(m[k], p)
			if k == "metrics" {
				r.Metrics = list
			} else {
				r.Closest = list
			}
		case "rows":
		default:
			l.errf(p, "unknown key %q (allowed: %s)", k, strings.Join(referenceKeys, ", "))
		}
	}
	if r.Source == "" {
		l.errf(at.key("source"), "required: where the figures are published, e.g. \"Author (2019), Table 1\"")
	}
	if len(r.Metrics) == 0 {
		l.errf(at.key("metrics"), "required: the metrics the rows give, in column order, e.g. [\"em\", \"mv\"]")
	}
	for i, c := range r.Closest {
		if !contains(r.Metrics, c) {
			l.errf(at.key("closest").index(i+1), "%q is not one of this reference's metrics (%s)", c, quoteList(r.Metrics))
		}
	}
	rows, ok := m["rows"].([]any)
	if !ok {
		if _, given := m["rows"]; given {
			l.errf(at.key("rows"), "must be a list of inline tables, e.g. [{ encoder = \"my-encoder\", em = 0.002 }], got %s", describe(m["rows"]))
		} else {
			l.errf(at.key("rows"), "required: a list of inline tables, e.g. [{ encoder = \"my-encoder\", em = 0.002 }]")
		}
	}
	for i, e := range rows {
		p := at.key("rows").index(i + 1)
		rm, ok := e.(map[string]any)
		if !ok {
			l.errf(p, "must be an inline table, e.g. { encoder = \"my-encoder\", em = 0.002 }, got %s", describe(e))
			continue
		}
		row := ReferenceRow{Values: map[string]float64{}}
		rowErrs := len(l.errs)
		sel := map[string]any{}
		for _, k := range sortedKeys(rm) {
			if _, isSel := rowsFields[k]; isSel {
				sel[k] = rm[k]
				continue
			}
			if !contains(r.Metrics, k) {
				l.errf(p.key(k), "%q is neither a row selector (%s) nor one of this reference's metrics (%s)",
					k, strings.Join(sortedKeys(rowsFields), ", "), quoteList(r.Metrics))
				continue
			}
			f, ok := number(rm[k])
			if !ok {
				l.errf(p.key(k), "must be a number, got %s", describe(rm[k]))
				continue
			}
			row.Values[k] = f
		}
		l.decodeStruct(sel, &row.Rows, p)
		if row.Rows.empty() {
			l.errf(p, "selects every row: give encoder, encoder_label, detector, detector_label or dataset")
		}
		if len(row.Values) == 0 && len(l.errs) == rowErrs {
			l.errf(p, "gives no value: add one of %s", quoteList(r.Metrics))
		}
		r.Rows = append(r.Rows, row)
	}
	if r.Title == "" {
		r.Title = "Beside " + r.Source
	}
	return r, len(l.errs) == before
}

var (
	claimKeys = []string{"best_by", "datasets", "detectors", "direction", "group", "metric", "near", "over",
		"over_represented", "per", "reported", "reported_by", "source", "text", "than", "this", "under_represented", "within"}
	rowsFields  = tomlFields(reflectOf(&Rows{}).Type())
	directions  = []string{Higher, Lower}
	overChoices = []string{OverMean, OverBest, OverEach}
	perChoices  = []string{PerDataset, PerDetector}
)

func (l *loader) claim(m map[string]any, at keyPath) (Claim, bool) {
	c := Claim{Line: l.line(at), Over: OverMean, ReportedBy: "reported"}
	before := len(l.errs)
	for _, k := range sortedKeys(m) {
		p := at.key(k)
		v := m[k]
		switch k {
		case "text":
			c.Text, _ = l.str(v, p)
		case "source":
			c.Source, _ = l.str(v, p)
		case "group":
			c.Group, _ = l.str(v, p)
		case "reported_by":
			c.ReportedBy, _ = l.str(v, p)
		case "metric":
			c.Metrics = l.metricList(v, p)
		case "direction":
			c.Directions = l.choiceList(v, p, directions)
		case "per":
			c.Per = l.choiceList(v, p, perChoices)
		case "over":
			if s, ok := l.str(v, p); ok {
				if !contains(overChoices, s) {
					l.errf(p, "%q is not one of %s", s, quoteList(overChoices))
				}
				c.Over = s
			}
		case "best_by":
			if list := l.metricList(v, p); len(list) == 1 {
				c.BestBy = list[0]
			}
		case "datasets":
			l.setValue(reflectOf(&c.Datasets), oneOrList(v), p)
		case "detectors":
			l.setValue(reflectOf(&c.Detectors), oneOrList(v), p)
		case "over_represented":
			l.setValue(reflectOf(&c.OverRepresented), oneOrList(v), p)
		case "under_represented":
			l.setValue(reflectOf(&c.UnderRepresented), oneOrList(v), p)
		case "near":
			if f, ok := number(v); ok {
				c.Near = &f
			} else {
				l.errf(p, "must be a number, got %s", describe(v))
			}
		case "within":
			if f, ok := number(v); ok && f >= 0 {
				c.Within = f
			} else {
				l.errf(p, "must be a non-negative number, got %s", describe(v))
			}
		case "reported":
			l.setValue(reflectOf(&c.Reported), oneOrList(v), p)
		case "this":
			if t, ok := l.table(v, p); ok {
				l.decodeStruct(t, &c.This, p)
			}
		case "than":
			for i, e := range oneOrList(v).([]any) {
				var r Rows
				if t, ok := l.table(e, p.index(i+1)); ok {
					l.decodeStruct(t, &r, p.index(i+1))
					if r.empty() {
						l.errf(p.index(i+1), "selects every row: give encoder, encoder_label, detector, detector_label or dataset")
					}
				}
				c.Than = append(c.Than, r)
			}
		default:
			l.errf(p, "unknown key %q (allowed: %s)", k, strings.Join(claimKeys, ", "))
		}
	}
	if len(l.errs) == before {
		l.checkClaim(&c, m, at)
	}
	return c, len(l.errs) == before
}

// checkClaim checks that the keys given make one kind of claim.
func (l *loader) checkClaim(c *Claim, m map[string]any, at keyPath) {
	has := func(k string) bool { _, ok := m[k]; return ok }
	if c.Text == "" {
		l.errf(at.key("text"), "required: the claim as the report states it")
	}
	if c.Source == "" {
		l.errf(at.key("source"), "required: where the claim is made, e.g. \"Author (2019), Table 2\"")
	}
	if !has("this") || c.This.empty() {
		l.errf(at.key("this"), "required: the rows the claim is about, e.g. { encoder = \"my-encoder\" }")
	}
	for _, p := range perChoices {
		placeholder := "{" + p + "}"
		switch in := contains(c.Per, p); {
		case in && !strings.Contains(c.Text, placeholder):
			l.errf(at.key("text"), "the claim is checked per %s: name it in the text with %s", p, placeholder)
		case !in && strings.Contains(c.Text, placeholder):
			l.errf(at.key("text"), "%s names a scope the claim is not checked per: add %q to per", placeholder, p)
		}
	}
	switch c.Kind() {
	case "classes":
		for _, k := range []string{"metric", "direction", "than", "near", "within", "over", "best_by", "reported"} {
			if has(k) {
				l.errf(at.key(k), "a class-share claim (over_represented, under_represented) takes no %s", k)
			}
		}
		return
	case "target":
		for _, k := range []string{"direction", "than", "reported"} {
			if has(k) {
				l.errf(at.key(k), "a target claim (near, within) takes no %s", k)
			}
		}
		if len(c.Metrics) != 1 {
			l.errf(at.key("metric"), "required: the one metric that should be near %s", formatValue(*c.Near))
		}
	default:
		if has("within") {
			l.errf(at.key("within"), "within goes with near (a target claim)")
		}
		if len(c.Metrics) == 0 {
			l.errf(at.key("metric"), "required: the metric compared, or a list of them, e.g. \"em\" or [\"em\", \"mv\"]")
		}
		if len(c.Directions) != len(c.Metrics) {
			l.errf(at.key("direction"), "give one direction (%s) per metric: %d for %d", quoteList(directions), len(c.Directions), len(c.Metrics))
		}
		if len(c.Than) == 0 {
			l.errf(at.key("than"), "required: the rows compared with, e.g. { encoder = \"my-encoder\" } or a list of them")
		}
		if has("reported") && (len(c.Metrics) != 1 || len(c.Reported) != 1+len(c.Than)) {
			l.errf(at.key("reported"), "give the source's value for this and each side of than (%d values) of a one-metric claim", 1+len(c.Than))
		}
	}
	if has("best_by") && c.Over != OverBest {
		l.errf(at.key("best_by"), "best_by picks the best configuration: it needs over = %q", OverBest)
	}
	if c.Over == OverBest && MetricBetter(c.bestBy()) == 0 {
		l.errf(at.key("best_by"), "%q is neither better higher nor lower: give best_by, a metric that picks the best configuration (e.g. \"v_gmm\")", c.bestBy())
	}
}

func (c *Claim) bestBy() string {
	if c.BestBy != "" {
		return c.BestBy
	}
	if len(c.Metrics) > 0 {
		return c.Metrics[0]
	}
	return ""
}

// BestByMetric returns the metric that picks the best configuration of a side
// under OverBest for the claim's metric m.
func (c *Claim) BestByMetric(m string) string {
	if c.BestBy != "" {
		return c.BestBy
	}
	return m
}

// str asserts a string.
func (l *loader) str(v any, at keyPath) (string, bool) {
	s, ok := v.(string)
	if !ok {
		l.errf(at, "must be a string, got %s", describe(v))
	}
	return s, ok
}

// metricList reads a metric name or a list of them.
func (l *loader) metricList(v any, at keyPath) []string {
	return l.choiceList(v, at, MetricNames())
}

// choiceList reads a string or a list of strings, each one of choices.
func (l *loader) choiceList(v any, at keyPath, choices []string) []string {
	_, single := v.(string)
	var list []string
	if !l.setValue(reflectOf(&list), oneOrList(v), at) {
		return nil
	}
	for i, s := range list {
		p := at
		if !single {
			p = at.index(i + 1)
		}
		if !contains(choices, s) {
			l.errf(p, "%q is not one of %s", s, quoteList(choices))
		}
	}
	return list
}

// oneOrList wraps a single value in a list.
func oneOrList(v any) any {
	switch v.(type) {
	case []any:
		return v
	case []map[string]any:
		out := []any{}
		for _, m := range v.([]map[string]any) {
			out = append(out, m)
		}
		return out
	}
	return []any{v}
}

// reflectOf returns the settable value p points to, for setValue.
func reflectOf(p any) reflect.Value { return reflect.ValueOf(p).Elem() }

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, !math.IsNaN(x)
	}
	return 0, false
}
