// Package conformance checks that a plugin honours the latentbench plugin
// contract (proto/latentbench/v1/plugin.proto), as scikit-learn's
// check_estimator does for estimators and Terraform's acceptance tests for
// providers: it starts the plugin executable, runs it through the contract on
// a small seeded synthetic data set made here (planted anomalies for
// detectors, planted clusters for encoders) and reports one Result per named
// check: pass, fail with the reason, or skip with why.
//
// `latentbench plugin test` prints these results; the repository's tests run
// every in-repo plugin and every deliberately broken test plugin through the
// same checks. docs/plugin-test.md lists the checks and what to do when one
// fails.
//
// The kit drives plugins through the small Client interface, so that any
// client of the contract (the harness's host sessions, or an in-process
// adapter) can be checked the same way.
package conformance

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/latentbench/latentbench/sdk"
)

// Status is the outcome of one check.
type Status int

// The outcomes of a check.
const (
	Pass Status = iota
	Fail
	Skip
)

func (s Status) String() string {
	switch s {
	case Pass:
		return "PASS"
	case Fail:
		return "FAIL"
	}
	return "SKIP"
}

// Result is the outcome of one named check.
type Result struct {
	Check  string
	Status Status
	// Reason says why a check failed or was skipped, or what a passing check
	// measured.
	Reason string
	// Elapsed is the wall time the check took.
	Elapsed time.Duration
}

// String renders the result as one line: "FAIL orientation    reason".
func (r Result) String() string {
	return fmt.Sprintf("%s %-15s %s", r.Status, r.Check, r.Reason)
}

// Client is one running plugin process, as the kit drives it. Requests and
// answers are the SDK's types; errors keep the gRPC status of the plugin's
// answer (status.Code works on them).
type Client interface {
	Describe(ctx context.Context) (*sdk.Description, error)
	FitEncoder(ctx context.Context, req *sdk.EncoderFit) ([]byte, error)
	Encode(ctx context.Context, req *sdk.EncodeRequest) (sdk.Matrix, error)
	FitDetector(ctx context.Context, req *sdk.DetectorFit) ([]byte, error)
	Score(ctx context.Context, req *sdk.ScoreRequest) ([]float64, error)
	// Pid is the plugin's process id (0 if unknown): the cancellation check
	// watches its CPU time.
	Pid() int
	// Exited reports whether the process has gone.
	Exited() bool
	// Close stops the process.
	Close()
}

// Launcher starts plugin processes.
type Launcher interface {
	Launch(ctx context.Context, path string, kind sdk.Kind) (Client, error)
}

// DefaultCallTimeout bounds each call to a plugin unless Options says
// otherwise: generous, because the large-arrays check has a slow plugin
// score half a million rows, on a machine that may be busy with other tests.
const DefaultCallTimeout = 5 * time.Minute

// Options tune a run of the kit. The zero value is ready to use.
type Options struct {
	// Launcher starts the plugin (default: the harness's host, HostLauncher).
	Launcher Launcher
	// CallTimeout bounds each call to the plugin (default DefaultCallTimeout); a call
	// without an answer by then fails its check.
	CallTimeout time.Duration
	// Seed seeds the synthetic data (default 1).
	Seed int64
	// OnResult, if set, sees each result as soon as its check ends.
	OnResult func(Result)
}

// Report is the outcome of a run of the kit on one plugin.
type Report struct {
	Path    string
	Kind    sdk.Kind
	Name    string
	Results []Result
	Elapsed time.Duration
}

// Failed reports whether any check failed.
func (r *Report) Failed() bool {
	for _, res := range r.Results {
		if res.Status == Fail {
			return true
		}
	}
	return false
}

// Result returns the result of the named check.
func (r *Report) Result(check string) (Result, bool) {
	for _, res := range r.Results {
		if res.Check == check {
			return res, true
		}
	}
	return Result{}, false
}

// Counts returns the number of passed, failed and skipped checks.
func (r *Report) Counts() (passed, failed, skipped int) {
	for _, res := range r.Results {
		switch res.Status {
		case Pass:
			passed++
		case Fail:
			failed++
		default:
			skipped++
		}
	}
	return
}

// Write prints one line per check and a summary line.
func (r *Report) Write(w io.Writer) {
	for _, res := range r.Results {
		fmt.Fprintln(w, res)
	}
	p, f, s := r.Counts()
	fmt.Fprintf(w, "plugin %s (%s): %d checks passed, %d failed, %d skipped in %.1fs\n",
		r.Name, r.Kind, p, f, s, r.Elapsed.Seconds())
}

// ParsePath returns the kind and name a plugin's file name declares:
// latentbench-encoder-NAME or latentbench-detector-NAME.
func ParsePath(path string) (sdk.Kind, string, error) {
	base := filepath.Base(path)
	for _, kind := range []sdk.Kind{sdk.KindEncoder, sdk.KindDetector} {
		if name, ok := strings.CutPrefix(base, "latentbench-"+string(kind)+"-"); ok && name != "" {
			return kind, name, nil
		}
	}
	return "", "", fmt.Errorf("%s: a plugin's file name must be latentbench-encoder-NAME or latentbench-detector-NAME", path)
}

// Run checks the plugin executable at path. The kind and name come from its
// file name. Run returns when every check has ended; it leaves no process
// behind.
func Run(ctx context.Context, path string, opts Options) *Report {
	start := time.Now()
	rep := &Report{Path: path}
	s := &suite{opts: opts, path: path, rep: rep}
	if s.opts.Launcher == nil {
		s.opts.Launcher = HostLauncher{}
	}
	if s.opts.CallTimeout == 0 {
		s.opts.CallTimeout = DefaultCallTimeout
	}
	if s.opts.Seed == 0 {
		s.opts.Seed = 1
	}
	defer s.closeAll()
	kind, name, err := ParsePath(path)
	rep.Kind, rep.Name = kind, name
	if err != nil {
		s.record(Result{Check: CheckHandshake, Status: Fail, Reason: err.Error()})
	} else {
		s.kind, s.name = kind, name
		s.run(ctx)
	}
	rep.Elapsed = time.Since(start)
	return rep
}
