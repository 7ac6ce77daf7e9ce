package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/latentbench/latentbench/harness/grid"
	"github.com/latentbench/latentbench/harness/runner"
)

// Check is one claim of a grid ([[claim]]) checked on results, in one scope
// (a data set, a detector, or all rows).
type Check struct {
	Claim *grid.Claim
	// Dataset and Detector are the scope ("" when the claim is not checked
	// per data set or per detector).
	Dataset, Detector string
	// Text is the claim's text with the scope filled in.
	Text string
	// Metrics holds, for a comparison or a target, each metric's values on
	// each side.
	Metrics []MetricCheck
	// Over and Under are, for a class-share claim, the classes over- and
	// under-represented among the flagged anomalies; Runs the number of
	// cells averaged.
	Over, Under []string
	Runs        int
	Holds       bool
	// Detail gives the numbers behind the verdict, as the report shows them.
	Detail string
}

// MetricCheck is one metric of a claim compared: the values of the claim's
// own side (one per configuration under grid.OverEach) and of each side it
// is compared with.
type MetricCheck struct {
	Metric, Direction string
	This              []Side
	Than              []Side
	Holds             bool
	// Tests holds the significance test of each side of This against each
	// of Than, in that order (see Test).
	Tests []Test
}

// Side is the value of one side of a claim.
type Side struct {
	// Name is the side's display name; Label the configuration (encoder
	// label) the value is of, "" when it pools several.
	Name, Label string
	// Configurations is the number of encoder labels among the side's rows.
	Configurations int
	Summary        Summary
	// Values are the numbers summarised: one per seed under grid.OverBest and
	// grid.OverEach, one per row under grid.OverMean; Seeds and Digests are
	// the seed and data digest of each (see Test).
	Values  []float64
	Seeds   []int64
	Digests []string
}

// CheckClaims checks a grid's claims on results, in report order: file
// order, except that the claims of one group are listed together, scope by
// scope. A claim is left out in a scope where a side has no value.
func CheckClaims(claims []grid.Claim, results []runner.Result) []Check {
	var out []Check
	done := map[string]bool{}
	for i := range claims {
		c := &claims[i]
		if c.Group == "" {
			out = append(out, Evaluate(c, results)...)
			continue
		}
		if done[c.Group] {
			continue
		}
		done[c.Group] = true
		var scopes []string
		byClaim := map[int]map[string]Check{}
		for j := i; j < len(claims); j++ {
			if claims[j].Group != c.Group {
				continue
			}
			byClaim[j] = map[string]Check{}
			for _, ch := range Evaluate(&claims[j], results) {
				k := ch.Dataset + "\x00" + ch.Detector
				if !slices.Contains(scopes, k) {
					scopes = append(scopes, k)
				}
				byClaim[j][k] = ch
			}
		}
		for _, k := range scopes {
			for j := i; j < len(claims); j++ {
				if ch, ok := byClaim[j][k]; ok {
					out = append(out, ch)
				}
			}
		}
	}
	return out
}

// Evaluate checks one claim on results, once per scope; a scope where a side
// has no value is left out.
func Evaluate(c *grid.Claim, results []runner.Result) []Check {
	var out []Check
	for _, sc := range scopes(c, results) {
		rows := func(sel grid.Rows) []*runner.Result {
			var rs []*runner.Result
			for i := range results {
				r := &results[i]
				if r.Status == runner.StatusOK && inScope(c, sc, r) && sel.Match(r.Dataset, r.Encoder, r.EncoderLabel, r.Detector, r.DetectorLabel) {
					rs = append(rs, r)
				}
			}
			return rs
		}
		ch := Check{Claim: c, Dataset: sc.dataset, Detector: sc.detector,
			Text: strings.NewReplacer("{dataset}", sc.dataset, "{detector}", sc.detector).Replace(c.Text)}
		var ok bool
		switch c.Kind() {
		case "classes":
			ok = checkClasses(&ch, rows(c.This))
		case "target":
			ok = checkTarget(&ch, rows(c.This))
		default:
			ok = checkComparison(&ch, rows)
		}
		if ok {
			out = append(out, ch)
		}
	}
	return out
}

type scope struct{ dataset, detector string }

// scopes lists the scopes a claim is checked in: the data sets and detectors
// (in the claim's order when it lists them, else the results') of the rows it
// restricts itself to, combined as its per asks.
func scopes(c *grid.Claim, results []runner.Result) []scope {
	values := func(listed []string, key func(*runner.Result) string) []string {
		if len(listed) > 0 {
			return listed
		}
		return distinct(results, func(r *runner.Result) (string, bool) { return key(r), r.Status == runner.StatusOK && key(r) != "" })
	}
	ds, dets := []string{""}, []string{""}
	if slices.Contains(c.Per, grid.PerDataset) {
		ds = values(c.Datasets, func(r *runner.Result) string { return r.Dataset })
	}
	if slices.Contains(c.Per, grid.PerDetector) {
		dets = values(c.Detectors, func(r *runner.Result) string { return r.Detector })
	}
	var out []scope
	for _, d := range ds {
		for _, det := range dets {
			out = append(out, scope{d, det})
		}
	}
	return out
}

// inScope tells whether a result row is in a claim's scope.
func inScope(c *grid.Claim, sc scope, r *runner.Result) bool {
	switch {
	case sc.dataset != "" && r.Dataset != sc.dataset, sc.detector != "" && r.Detector != sc.detector:
		return false
	case len(c.Datasets) > 0 && !slices.Contains(c.Datasets, r.Dataset):
		return false
	case len(c.Detectors) > 0 && !slices.Contains(c.Detectors, r.Detector):
		return false
	}
	return true
}

// side reduces a side's rows to its value of metric m as the claim's Over
// says; each is true for the claim's own side under grid.OverEach, which
// gives one Side per configuration.
func side(c *grid.Claim, sel grid.Rows, rs []*runner.Result, m string, each bool) []Side {
	labels := distinctLabels(rs)
	name := sel.Display()
	switch {
	case each:
		var out []Side
		for _, l := range labels {
			vals := values(withLabel(rs, l), m)
			seeds, digests := seedRows(withLabel(rs, l), m)
			out = append(out, Side{Name: name, Label: l, Configurations: 1, Summary: Summarize(vals), Values: vals, Seeds: seeds, Digests: digests})
		}
		return out
	case c.Over == grid.OverBest:
		by := c.BestByMetric(m)
		best, bestLabel := math.NaN(), ""
		for _, l := range labels {
			s := perSeed(withLabel(rs, l), by)
			if s.N > 0 && (math.IsNaN(best) || better(by, s.Mean, best)) {
				best, bestLabel = s.Mean, l
			}
		}
		if bestLabel == "" {
			return []Side{{Name: name, Configurations: len(labels), Summary: Summarize(nil)}}
		}
		vals := perSeedValues(withLabel(rs, bestLabel), m)
		seeds, digests := perSeedRows(withLabel(rs, bestLabel), m)
		return []Side{{Name: name, Label: bestLabel, Configurations: len(labels), Summary: Summarize(vals), Values: vals, Seeds: seeds, Digests: digests}}
	}
	vals := values(rs, m)
	seeds, digests := seedRows(rs, m)
	return []Side{{Name: name, Configurations: len(labels), Summary: Summarize(vals), Values: vals, Seeds: seeds, Digests: digests}}
}

// better tells whether a is a better value of metric m than b.
func better(m string, a, b float64) bool {
	if grid.MetricBetter(m) < 0 {
		return a < b
	}
	return a > b
}

// checkComparison fills ch for a comparison claim; false when a side has no
// value.
func checkComparison(ch *Check, rows func(grid.Rows) []*runner.Result) bool {
	c := ch.Claim
	ch.Holds = true
	for i, m := range c.Metrics {
		mc := MetricCheck{Metric: m, Direction: c.Directions[i], Holds: true}
		mc.This = side(c, c.This, rows(c.This), m, c.Over == grid.OverEach)
		for _, t := range c.Than {
			if s := side(c, t, rows(t), m, false)[0]; s.Summary.N > 0 {
				mc.Than = append(mc.Than, s)
			}
		}
		mc.This = slices.DeleteFunc(mc.This, func(s Side) bool { return s.Summary.N == 0 })
		if len(mc.This) == 0 || len(mc.Than) == 0 {
			return false
		}
		for _, a := range mc.This {
			for _, b := range mc.Than {
				if mc.Direction == grid.Higher && !(a.Summary.Mean > b.Summary.Mean) || mc.Direction == grid.Lower && !(a.Summary.Mean < b.Summary.Mean) {
					mc.Holds = false
				}
				mc.Tests = append(mc.Tests, testSides(mc.Direction, a, b))
			}
		}
		ch.Holds = ch.Holds && mc.Holds
		ch.Metrics = append(ch.Metrics, mc)
	}
	ch.Detail = comparisonDetail(ch)
	return true
}

// comparisonDetail renders the values: "A 0.61 ± 0.02 vs B 0.55 ± 0.01", each
// metric's prefixed by its name when the claim compares several; under
// grid.OverEach, how many configurations hold and each one's value.
func comparisonDetail(ch *Check) string {
	var parts []string
	for _, mc := range ch.Metrics {
		var b strings.Builder
		if len(ch.Metrics) > 1 {
			b.WriteString(metricName(mc.Metric) + ": ")
		}
		if ch.Claim.Over == grid.OverEach {
			held := 0
			var each []string
			for _, a := range mc.This {
				if sideHolds(mc, a) {
					held++
				}
				each = append(each, a.Label+" "+formatMetric(mc.Metric, a.Summary))
			}
			fmt.Fprintf(&b, "%d of %d configurations: %s", held, len(mc.This), strings.Join(each, ", "))
		} else {
			b.WriteString(sideText(mc.Metric, mc.This[0]))
		}
		b.WriteString(" vs ")
		for i, s := range mc.Than {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(sideText(mc.Metric, s))
		}
		parts = append(parts, b.String())
	}
	d := strings.Join(parts, "; ")
	if t := testsText(*ch); t != "" {
		d += "; " + t
	}
	if c := ch.Claim; len(c.Reported) > 0 {
		rep := make([]string, len(c.Reported))
		for i, v := range c.Reported {
			rep[i] = strconv.FormatFloat(v, 'f', -1, 64)
		}
		d += fmt.Sprintf(" (%s: %s)", c.ReportedBy, strings.Join(rep, " vs "))
	}
	return d
}

func sideHolds(mc MetricCheck, a Side) bool {
	for _, b := range mc.Than {
		if mc.Direction == grid.Higher && !(a.Summary.Mean > b.Summary.Mean) || mc.Direction == grid.Lower && !(a.Summary.Mean < b.Summary.Mean) {
			return false
		}
	}
	return true
}

// sideText renders "name value", with the configuration the value is of when
// the side has several.
func sideText(metric string, s Side) string {
	t := s.Name + " " + formatMetric(metric, s.Summary)
	if s.Label != "" && s.Configurations > 1 {
		t += " (" + s.Label + ")"
	}
	return t
}

// checkTarget fills ch for a target claim (near, within).
func checkTarget(ch *Check, rs []*runner.Result) bool {
	c := ch.Claim
	m := c.Metrics[0]
	s := side(c, c.This, rs, m, false)[0]
	if s.Summary.N == 0 {
		return false
	}
	ch.Metrics = []MetricCheck{{Metric: m, This: []Side{s}}}
	ch.Holds = math.Abs(s.Summary.Mean-*c.Near) <= c.Within
	ch.Metrics[0].Holds = ch.Holds
	ch.Detail = fmt.Sprintf("%s against %s ± %s", sideText(m, s),
		strconv.FormatFloat(*c.Near, 'f', -1, 64), strconv.FormatFloat(c.Within, 'f', -1, 64))
	return true
}

// checkClasses fills ch for a class-share claim. It is checked only where
// every class it names is over- or under-represented (a class set that does
// not name them is not the claim's).
func checkClasses(ch *Check, rs []*runner.Result) bool {
	c := ch.Claim
	over, under, n := classBias(rs)
	named := append(slices.Clone(c.OverRepresented), c.UnderRepresented...)
	if n == 0 || !subset(named, append(slices.Clone(over), under...)) {
		return false
	}
	ch.Over, ch.Under, ch.Runs = over, under, n
	ch.Holds = subset(c.OverRepresented, over) && subset(c.UnderRepresented, under)
	ch.Detail = fmt.Sprintf("over-represented %s, under-represented %s (class shares averaged over %d runs)",
		strings.Join(over, ", "), strings.Join(under, ", "), n)
	return true
}

func subset(want, in []string) bool {
	for _, c := range want {
		if !slices.Contains(in, c) {
			return false
		}
	}
	return true
}

// classBias averages, over the rows, each class's share among the flagged
// anomalies and among all points, and lists the classes whose anomaly share
// is above (over) and below (under) their share of the data; n is the number
// of rows averaged.
func classBias(rs []*runner.Result) (over, under []string, n int) {
	var names []string
	var flagged, all []float64
	for _, r := range rs {
		c := r.Classes
		if c == nil {
			continue
		}
		if names == nil {
			names, flagged, all = c.Names, make([]float64, len(c.Names)), make([]float64, len(c.Names))
		}
		if !slices.Equal(names, c.Names) || len(c.Flagged) != len(names) || len(c.All) != len(names) {
			continue
		}
		for i := range names {
			flagged[i] += c.Flagged[i]
			all[i] += c.All[i]
		}
		n++
	}
	for i, name := range names {
		switch {
		case flagged[i] > all[i]:
			over = append(over, name)
		case flagged[i] < all[i]:
			under = append(under, name)
		}
	}
	return over, under, n
}

// distinctLabels lists the encoder labels of rows in order of appearance.
func distinctLabels(rs []*runner.Result) []string {
	var out []string
	for _, r := range rs {
		if !slices.Contains(out, r.EncoderLabel) {
			out = append(out, r.EncoderLabel)
		}
	}
	return out
}

func withLabel(rs []*runner.Result, label string) []*runner.Result {
	var out []*runner.Result
	for _, r := range rs {
		if r.EncoderLabel == label {
			out = append(out, r)
		}
	}
	return out
}

// distinct lists, in order of appearance, the values key gives for the rows
// it accepts (ok == true).
func distinct(results []runner.Result, key func(*runner.Result) (string, bool)) []string {
	seen := map[string]bool{}
	var out []string
	for i := range results {
		if v, ok := key(&results[i]); ok && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
