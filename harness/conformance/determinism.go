package conformance

import (
	"bytes"
	"context"
	"fmt"
	"math"

	"github.com/latentbench/latentbench/sdk"
)

// SeedDeclaration says what a plugin declares about its dependence on the
// seed.
type SeedDeclaration int

// What a plugin may declare about the seed.
const (
	// SeedUnknown: no declaration; the fit may depend on the seed.
	SeedUnknown SeedDeclaration = iota
	// SeedIndependent: the fit does not depend on the seed
	// (Description.SeedIndependent holds sdk.StageFit), so the harness fits
	// once for all the seeds of a grid.
	SeedIndependent
)

// seedDeclaration reads the plugin's declaration.
func seedDeclaration(d *sdk.Description) SeedDeclaration {
	if d.SeedIndependentFit() {
		return SeedIndependent
	}
	return SeedUnknown
}

// checkSeed fits with a second seed and compares with the first. A plugin
// that declares its fit independent of the seed must give the same model and
// output (the harness reuses one seed's fit for all the others, so a wrong
// declaration silently repeats results). Without a declaration, a change
// means randomised (a pass); no change is a skip, with the advice to declare
// it if the plugin never uses the seed.
func (s *suite) checkSeed(ctx context.Context) Result {
	c, err := s.alive(ctx, &s.a)
	if err != nil {
		return fail("%v", err)
	}
	m, err := s.fit(ctx, c, s.train, s.params, seedB)
	if err != nil {
		return fail("seed %d: %v", seedB, err)
	}
	out, err := s.apply(ctx, c, m, s.test, s.params)
	if err != nil {
		return fail("seed %d: %v", seedB, err)
	}
	if err := s.checkOutput(out, s.test.X.Rows); err != nil {
		return fail("seed %d: %s: %v", seedB, s.applyOp(), err)
	}
	s.model2, s.out2 = m, out
	changed := !bytes.Equal(s.model1, m) || !sameMatrix(s.out1, out)
	switch decl := seedDeclaration(s.desc); {
	case decl == SeedIndependent && changed:
		return fail("declared seed-independent, but seeds %d and %d gave different %s: the harness would repeat one seed's result for all",
			seedA, seedB, whatDiffers(s.model1, m, s.out1, out))
	case decl == SeedIndependent:
		return pass("declared seed-independent, and seeds %d and %d give the same model and output", seedA, seedB)
	case changed:
		return pass("randomised: seeds %d and %d give different %s", seedA, seedB, whatDiffers(s.model1, m, s.out1, out))
	}
	return skip("seeds %d and %d give the same model and output; if the fit never uses the seed, declare it seed-independent (SeedIndependent: fit) so that grids fit it once for all seeds", seedA, seedB)
}

// checkDeterminism starts a second process and fits there with both seeds,
// the second seed first: the same seed must give the same model bytes and
// the same output, whatever the process and whatever ran in it before. The
// first process must also give the same output twice for one model.
func (s *suite) checkDeterminism(ctx context.Context) Result {
	a, err := s.alive(ctx, &s.a)
	if err != nil {
		return fail("%v", err)
	}
	again, err := s.apply(ctx, a, s.model1, s.test, s.params)
	if err != nil {
		return fail("%v", err)
	}
	if !sameMatrix(s.out1, again) {
		return fail("the same model and input gave different outputs in two calls (%s)", firstDiff(s.out1, again))
	}
	b, err := s.launch(ctx)
	if err != nil {
		return fail("a second process did not start: %s", firstLine(err.Error()))
	}
	s.b = b
	for _, run := range []struct {
		seed  int64
		model []byte
		out   sdk.Matrix
	}{{seedB, s.model2, s.out2}, {seedA, s.model1, s.out1}} {
		m, err := s.fit(ctx, b, s.train, s.params, run.seed)
		if err != nil {
			return fail("second process, seed %d: %v", run.seed, err)
		}
		if !bytes.Equal(m, run.model) {
			return fail("the same seed gave different model bytes (seed %d, %s)", run.seed, bytesDiff(run.model, m))
		}
		out, err := s.apply(ctx, b, m, s.test, s.params)
		if err != nil {
			return fail("second process, seed %d: %v", run.seed, err)
		}
		if !sameMatrix(out, run.out) {
			return fail("the same seed gave different outputs (seed %d, %s)", run.seed, firstDiff(run.out, out))
		}
	}
	return pass("seeds %d and %d give identical model bytes and outputs in a second process", seedA, seedB)
}

// checkCrossProcess hands the model fitted by the first process to the second
// one: its output must be the first process's (no state outside the model).
func (s *suite) checkCrossProcess(ctx context.Context) Result {
	b, err := s.alive(ctx, &s.b)
	if err != nil {
		return fail("%v", err)
	}
	out, err := s.apply(ctx, b, s.model2, s.test, s.params)
	if err != nil {
		return fail("the first process's model in the second process: %v", err)
	}
	if !sameMatrix(out, s.out2) {
		return fail("a model used by another process gives different outputs (%s): the plugin keeps state outside the model", firstDiff(s.out2, out))
	}
	return pass("a model fitted by one process gives the same outputs in another")
}

func sameMatrix(a, b sdk.Matrix) bool {
	if a.Rows != b.Rows || a.Cols != b.Cols || (a.F32 == nil) != (b.F32 == nil) {
		return false
	}
	x, y := a.Float64(), b.Float64()
	for i := range x {
		if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
			return false
		}
	}
	return true
}

func firstDiff(want, got sdk.Matrix) string {
	if want.Rows != got.Rows || want.Cols != got.Cols {
		return fmt.Sprintf("%d×%d against %d×%d", got.Rows, got.Cols, want.Rows, want.Cols)
	}
	if (want.F32 == nil) != (got.F32 == nil) {
		return fmt.Sprintf("%s against %s", dtype(got), dtype(want))
	}
	x, y := want.Float64(), got.Float64()
	for i := range x {
		if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
			return fmt.Sprintf("row %d column %d: %g against %g", i/want.Cols, i%want.Cols, y[i], x[i])
		}
	}
	return "identical"
}

func bytesDiff(want, got []byte) string {
	if len(want) != len(got) {
		return fmt.Sprintf("%d bytes against %d", len(got), len(want))
	}
	for i := range want {
		if want[i] != got[i] {
			return fmt.Sprintf("first difference at byte %d of %d", i, len(want))
		}
	}
	return "identical"
}

func whatDiffers(m1, m2 []byte, o1, o2 sdk.Matrix) string {
	switch {
	case !bytes.Equal(m1, m2) && !sameMatrix(o1, o2):
		return "models and outputs"
	case !bytes.Equal(m1, m2):
		return "model bytes (the same outputs)"
	}
	return "outputs (the same model bytes)"
}
