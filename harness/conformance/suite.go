package conformance

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/latentbench/latentbench/harness/host"
	"github.com/latentbench/latentbench/sdk"
)

// The names of the checks, in the order they run.
const (
	CheckHandshake     = "handshake"
	CheckDescribe      = "describe"
	CheckSchema        = "schema"
	CheckFitScore      = "fit-score"  // detectors
	CheckFitEncode     = "fit-encode" // encoders
	CheckOrientation   = "orientation"
	CheckClusters      = "clusters"
	CheckFloat32       = "float32-input"
	CheckLargeArrays   = "large-arrays"
	CheckSeed          = "seed"
	CheckDeterminism   = "determinism"
	CheckCrossProcess  = "cross-process"
	CheckBatch         = "batch" // detectors: FitScore equals separate Fit and Score calls
	CheckInvalidParams = "invalid-params"
	CheckCancellation  = "cancellation"
)

// Checks returns the names of the checks run on a plugin of the kind, in order.
func Checks(kind sdk.Kind) []string {
	fit, quality := CheckFitScore, CheckOrientation
	if kind == sdk.KindEncoder {
		fit, quality = CheckFitEncode, CheckClusters
	}
	checks := []string{CheckHandshake, CheckDescribe, CheckSchema, fit, quality, CheckFloat32, CheckLargeArrays,
		CheckSeed, CheckDeterminism, CheckCrossProcess}
	if kind == sdk.KindDetector {
		checks = append(checks, CheckBatch)
	}
	return append(checks, CheckInvalidParams, CheckCancellation)
}

// The fit seeds of the kit.
const (
	seedA int64 = 1
	seedB int64 = 2
)

// suite is one run of the kit on one plugin.
type suite struct {
	opts       Options
	path, name string
	kind       sdk.Kind
	rep        *Report

	clients     []Client // every process started, closed at the end
	a, b        Client   // the first and second process
	desc        *sdk.Description
	params      sdk.Params // the defaults
	train, test dataset

	// Outputs of the first process, in order of the checks that make them.
	model1, model2 []byte
	out1, out2     sdk.Matrix // on test with model1 (seed 1) and model2 (seed 2)
	fitTime        time.Duration
	bigRows        int
	bigTime        time.Duration
	// fitCPU and bigCPU are the plugin's CPU time in the first fit and in
	// the large call (0 where unknown): the cancellation check sizes its call
	// from them, so that the machine's load does not change what it does.
	fitCPU, bigCPU time.Duration
	// failed holds the checks that failed, or were skipped because one they
	// need failed: their dependants are skipped.
	failed map[string]string
}

func (s *suite) record(r Result) {
	s.rep.Results = append(s.rep.Results, r)
	if r.Status == Fail {
		s.failed[r.Check] = r.Reason
	}
	if s.opts.OnResult != nil {
		s.opts.OnResult(r)
	}
}

// check runs one check unless one it depends on did not pass.
func (s *suite) check(name string, needs []string, body func() Result) {
	for _, n := range needs {
		if _, bad := s.failed[n]; bad {
			s.failed[name] = "needs " + n
			s.record(Result{Check: name, Status: Skip, Reason: "needs " + n + ", which did not pass"})
			return
		}
	}
	start := time.Now()
	r := body()
	r.Check, r.Elapsed = name, time.Since(start)
	s.record(r)
}

func pass(format string, args ...any) Result {
	return Result{Status: Pass, Reason: fmt.Sprintf(format, args...)}
}

func fail(format string, args ...any) Result {
	return Result{Status: Fail, Reason: fmt.Sprintf(format, args...)}
}

func skip(format string, args ...any) Result {
	return Result{Status: Skip, Reason: fmt.Sprintf(format, args...)}
}

func (s *suite) run(ctx context.Context) {
	s.failed = map[string]string{}
	if s.kind == sdk.KindEncoder {
		s.train, s.test = encoderData(s.opts.Seed)
	} else {
		s.train, s.test = detectorData(s.opts.Seed)
	}
	fit, quality := CheckFitScore, CheckOrientation
	if s.kind == sdk.KindEncoder {
		fit, quality = CheckFitEncode, CheckClusters
	}
	s.check(CheckHandshake, nil, func() Result { return s.checkHandshake(ctx) })
	s.check(CheckDescribe, []string{CheckHandshake}, func() Result { return s.checkDescribe(ctx) })
	s.check(CheckSchema, []string{CheckDescribe}, s.checkSchema)
	s.check(fit, []string{CheckSchema}, func() Result { return s.checkFit(ctx) })
	s.check(quality, []string{fit}, s.checkQuality)
	s.check(CheckFloat32, []string{fit}, func() Result { return s.checkFloat32(ctx) })
	s.check(CheckLargeArrays, []string{fit}, func() Result { return s.checkLarge(ctx) })
	s.check(CheckSeed, []string{fit}, func() Result { return s.checkSeed(ctx) })
	s.check(CheckDeterminism, []string{CheckSeed}, func() Result { return s.checkDeterminism(ctx) })
	s.check(CheckCrossProcess, []string{CheckDeterminism}, func() Result { return s.checkCrossProcess(ctx) })
	if s.kind == sdk.KindDetector {
		s.check(CheckBatch, []string{CheckDeterminism}, func() Result { return s.checkBatch(ctx) })
	}
	s.check(CheckInvalidParams, []string{CheckSchema}, func() Result { return s.checkInvalidParams(ctx) })
	s.check(CheckCancellation, []string{fit}, func() Result { return s.checkCancellation(ctx) })
}

// launch starts a plugin process.
func (s *suite) launch(ctx context.Context) (Client, error) {
	c, err := s.opts.Launcher.Launch(ctx, s.path, s.kind)
	if err != nil {
		return nil, err
	}
	s.clients = append(s.clients, c)
	return c, nil
}

// alive returns *c, started anew if it has exited (a crash or a timeout in an
// earlier check must not spoil the next one).
func (s *suite) alive(ctx context.Context, c *Client) (Client, error) {
	if *c != nil && !(*c).Exited() {
		return *c, nil
	}
	nc, err := s.launch(ctx)
	if err != nil {
		return nil, fmt.Errorf("restart: %w", err)
	}
	*c = nc
	return nc, nil
}

// cpuOf returns the CPU time the plugin process has used so far, 0 if unknown.
func cpuOf(c Client) time.Duration {
	t, err := cpuTime(c.Pid())
	if err != nil {
		return 0
	}
	return t
}

func (s *suite) closeAll() {
	for _, c := range s.clients {
		c.Close()
	}
}

// callCtx bounds one call by the call timeout.
func (s *suite) callCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.opts.CallTimeout)
}

// fit trains a model on d with the given parameters and seed.
func (s *suite) fit(ctx context.Context, c Client, d dataset, params sdk.Params, seed int64) ([]byte, error) {
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	var model []byte
	var err error
	if s.kind == sdk.KindEncoder {
		req := &sdk.EncoderFit{X: d.X, Features: d.Features, Params: params, Seed: seed}
		if s.desc.NeedsLabels {
			req.Labels, req.NumClasses = d.Cluster, d.NumClasses
		}
		model, err = c.FitEncoder(ctx, req)
	} else {
		req := &sdk.DetectorFit{X: d.X, Params: params, Seed: seed}
		if s.desc.UsesGroups {
			req.Groups = d.Cluster
		}
		model, err = c.FitDetector(ctx, req)
	}
	return model, s.explain(ctx, c, "fit", err)
}

// apply scores (detectors) or encodes (encoders) d with a model; scores come
// back as an n×1 matrix.
func (s *suite) apply(ctx context.Context, c Client, model []byte, d dataset, params sdk.Params) (sdk.Matrix, error) {
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	if s.kind == sdk.KindEncoder {
		z, err := c.Encode(ctx, &sdk.EncodeRequest{Model: model, X: d.X, Params: params})
		return z, s.explain(ctx, c, "encode", err)
	}
	req := &sdk.ScoreRequest{Model: model, X: d.X, Params: params}
	if s.desc.UsesGroups {
		req.Groups = d.Cluster
	}
	scores, err := c.Score(ctx, req)
	if err != nil {
		return sdk.Matrix{}, s.explain(ctx, c, "score", err)
	}
	return sdk.NewMatrix64(len(scores), 1, scores), nil
}

func (s *suite) applyOp() string {
	if s.kind == sdk.KindEncoder {
		return "Encode"
	}
	return "Score"
}

// callError is a failed call, explained, with the gRPC code of the answer
// (codes.Unavailable for a crash, codes.DeadlineExceeded for no answer).
type callError struct {
	msg  string
	code codes.Code
}

func (e *callError) Error() string { return e.msg }

// codeOf returns the gRPC code of a failed call.
func codeOf(err error) codes.Code {
	var ce *callError
	if errors.As(err, &ce) {
		return ce.code
	}
	return status.Code(err)
}

// explain turns a failed call into a reason a plugin author can act on.
func (s *suite) explain(ctx context.Context, c Client, op string, err error) error {
	if err == nil {
		return nil
	}
	var stderr string
	var he *host.Error
	if errors.As(err, &he) {
		stderr = lastLine(he.Stderr)
		err = he.Err
	}
	code := status.Code(err)
	if errors.Is(err, sdk.ErrInvalidInput) {
		code = codes.InvalidArgument
	}
	withStderr := func(msg string) string {
		if stderr != "" {
			msg += " (last stderr line: " + stderr + ")"
		}
		return msg
	}
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		c.Close() // it may still be working; alive starts a fresh one
		return &callError{fmt.Sprintf("%s: no answer within %v", op, s.opts.CallTimeout), codes.DeadlineExceeded}
	case c.Exited() || code == codes.Unavailable:
		return &callError{withStderr(fmt.Sprintf("the plugin process died during %s", op)), codes.Unavailable}
	case errors.Is(err, host.ErrMalformedOutput):
		return &callError{fmt.Sprintf("%s: %s", op, err), code}
	case code == codes.Internal && strings.Contains(err.Error(), "panic"):
		return &callError{withStderr(fmt.Sprintf("the plugin panicked in %s: %s", op, status.Convert(err).Message())), code}
	}
	return &callError{fmt.Sprintf("%s failed: %s (code %s)", op, firstLine(status.Convert(err).Message()), code), code}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
