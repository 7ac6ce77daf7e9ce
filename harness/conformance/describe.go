package conformance

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/latentbench/latentbench/sdk"
)

func (s *suite) checkHandshake(ctx context.Context) Result {
	start := time.Now()
	c, err := s.launch(ctx)
	if err != nil {
		return fail("the plugin did not start: %s", firstLine(err.Error()))
	}
	s.a = c
	return pass("started and answered the go-plugin handshake in %v", time.Since(start).Round(time.Millisecond))
}

func (s *suite) checkDescribe(ctx context.Context) Result {
	cctx, cancel := s.callCtx(ctx)
	defer cancel()
	d, err := s.a.Describe(cctx)
	if err != nil {
		return fail("%v", s.explain(cctx, s.a, "describe", err))
	}
	s.desc = d
	var problems []string
	if d.Name != s.name {
		problems = append(problems, fmt.Sprintf("it calls itself %q, its file name says %q", d.Name, s.name))
	}
	if strings.TrimSpace(d.Version) == "" {
		problems = append(problems, "no version")
	}
	if strings.TrimSpace(d.Doc) == "" {
		problems = append(problems, "no doc")
	}
	if d.ContractVersion != sdk.ContractVersion {
		problems = append(problems, fmt.Sprintf("contract version %d, want %d", d.ContractVersion, sdk.ContractVersion))
	}
	if len(problems) > 0 {
		return fail("%s", strings.Join(problems, "; "))
	}
	return pass("%s %s, %d parameters", d.Name, d.Version, len(d.Params))
}

// paramName is the form of a parameter name a grid can write as a bare TOML key.
var paramName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// checkSchema checks the parameter schema: names, docs, types, defaults and
// choices. (Defaults of the wrong type or outside their choices are also
// refused by the host when it reads the description, which fails describe.)
func (s *suite) checkSchema() Result {
	d := s.desc
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	seen := map[string]bool{}
	for _, p := range d.Params {
		switch {
		case !paramName.MatchString(p.Name):
			bad("parameter %q: names are lower-case letters, digits and _ (a bare TOML key)", p.Name)
		case seen[p.Name]:
			bad("parameter %q declared twice", p.Name)
		}
		seen[p.Name] = true
		if strings.TrimSpace(p.Doc) == "" {
			bad("parameter %q has no doc", p.Name)
		}
		if _, err := p.Check(p.Default); err != nil {
			bad("default of %v", err)
		}
		if len(p.Choices) > 0 {
			if p.Type != sdk.TypeString {
				bad("parameter %q declares choices but is of type %s (choices are for strings)", p.Name, p.Type)
			}
			dup := map[string]bool{}
			for _, c := range p.Choices {
				if dup[c] {
					bad("parameter %q lists choice %q twice", p.Name, c)
				}
				dup[c] = true
			}
		}
	}
	if d.NeedsLabels && s.kind != sdk.KindEncoder {
		bad("needs_labels is for encoders")
	}
	if d.UsesGroups && s.kind != sdk.KindDetector {
		bad("uses_groups is for detectors")
	}
	for _, stage := range d.SeedIndependent {
		if stage != sdk.StageFit {
			bad("seed_independent names stage %q; the stages are: %s", stage, sdk.StageFit)
		}
	}
	if len(problems) > 0 {
		return fail("%s", strings.Join(problems, "; "))
	}
	params, err := d.Resolve(nil)
	if err != nil {
		return fail("the defaults do not resolve: %v", err)
	}
	s.params = params
	return pass("%d parameters, each with a type, a valid default and a doc", len(d.Params))
}
