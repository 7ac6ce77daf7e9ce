package conformance

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/latentbench/latentbench/sdk"
)

// probe is one parameter set the invalid-params check sends.
type probe struct {
	what string
	set  map[string]any
	// mustRefuse: the schema makes the value invalid, so the plugin must
	// refuse it with an invalid-input error. Otherwise (an edge value such as
	// −1, which may or may not be valid) it may also accept it, but not crash.
	mustRefuse bool
}

// probeTimeout bounds each probe: the data are tiny, so a plugin that neither
// answers nor refuses by then is stuck on the value.
const probeTimeout = 20 * time.Second

// probes returns the parameter sets of the invalid-params check: an unknown
// name; for each declared parameter a value of the wrong type and, for
// strings with choices, one outside them; and edge values (−1, 0, a list
// holding −1) for numbers and lists.
func probes(d *sdk.Description) []probe {
	ps := []probe{{what: "unknown parameter conformance_unknown = 1", set: map[string]any{"conformance_unknown": int64(1)}, mustRefuse: true}}
	for _, p := range d.Params {
		refuse := func(v any) {
			ps = append(ps, probe{what: fmt.Sprintf("%s = %s", p.Name, show(v)), set: map[string]any{p.Name: v}, mustRefuse: true})
		}
		edge := func(v any) {
			ps = append(ps, probe{what: fmt.Sprintf("%s = %s", p.Name, show(v)), set: map[string]any{p.Name: v}})
		}
		switch p.Type {
		case sdk.TypeInt:
			refuse("conformance")
			edge(int64(-1))
			edge(int64(0))
		case sdk.TypeFloat:
			refuse("conformance")
			edge(-1.0)
		case sdk.TypeBool:
			refuse("conformance")
		case sdk.TypeIntList:
			refuse("conformance")
			edge([]any{int64(-1)})
		case sdk.TypeFloatList:
			refuse("conformance")
			edge([]any{-1.0})
		case sdk.TypeString:
			refuse(int64(7))
			if len(p.Choices) > 0 {
				refuse("conformance-not-a-choice")
			}
		}
	}
	return ps
}

func show(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("%q", x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = show(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

// checkInvalidParams fits on a few rows with each probe. Values the schema
// makes invalid must be refused with codes.InvalidArgument (the SDKs map their
// invalid-input error to it); edge values may be accepted, or refused the
// same way; a crash, a panic, another error code or no answer fails.
func (s *suite) checkInvalidParams(ctx context.Context) Result {
	tiny := s.train.head(30)
	refused, accepted := 0, 0
	for _, p := range probes(s.desc) {
		c, err := s.alive(ctx, &s.b)
		if err != nil {
			return fail("%v", err)
		}
		params := maps.Clone(s.params)
		maps.Copy(params, p.set)
		pctx, cancel := context.WithTimeout(ctx, probeTimeout)
		_, err = s.fit(pctx, c, tiny, params, seedA)
		timedOut := pctx.Err() != nil
		cancel()
		switch {
		case err == nil && p.mustRefuse:
			return fail("%s: accepted; it must be refused with an invalid-input error", p.what)
		case err == nil:
			accepted++
		case timedOut:
			c.Close()
			return fail("%s: neither refused nor fitted within %v on %d rows", p.what, probeTimeout, tiny.X.Rows)
		case c.Exited():
			return fail("%s: %v", p.what, err)
		case codeOf(err) != codes.InvalidArgument:
			return fail("%s: %v; refuse bad parameters with an invalid-input error (Go: wrap sdk.ErrInvalidInput)", p.what, err)
		default:
			refused++
		}
	}
	return pass("%d invalid or edge values refused with InvalidArgument, %d edge values accepted, no crash", refused, accepted)
}
