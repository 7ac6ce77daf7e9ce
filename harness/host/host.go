// Package host starts plugins as child processes through hashicorp/go-plugin,
// speaks the latentbench contract with them, and makes sure none outlives the
// harness: every session is tracked, killed on Close, on cancellation and on
// KillAll.
package host

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/latentbench/latentbench/internal/wire"
	lbv1 "github.com/latentbench/latentbench/proto/latentbench/v1"
	"github.com/latentbench/latentbench/sdk"
)

// Host starts plugin processes and keeps track of the live ones.
type Host struct {
	// StartTimeout bounds the handshake (default 30 s).
	StartTimeout time.Duration
	// Log, when set, receives every line plugins log (for verbose runs).
	Log io.Writer
	// Limits bound every plugin process started (none by default).
	Limits Limits
	// SeparateFitScore makes detector clients run every FitScore batch as
	// separate Fit and Score calls, as for a plugin built before FitScore
	// existed: the same results, for measuring what the batch saves.
	SeparateFitScore bool

	mu      sync.Mutex
	live    map[*Session]struct{}
	started int
}

// Started returns the number of plugin processes the host has started.
func (h *Host) Started() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.started
}

// New returns a Host.
func New() *Host { return &Host{live: map[*Session]struct{}{}} }

// Session is one running plugin process.
type Session struct {
	host   *Host
	path   string
	name   string
	kind   sdk.Kind
	client *plugin.Client
	tail   *Tail
	enc    lbv1.EncoderClient
	det    lbv1.DetectorClient
	desc   *sdk.Description
	limits Limits
	once   sync.Once
	// cmd is the plugin's process; cancelProc kills its process group
	// (through cmd.Cancel) unless the process has been reaped already.
	cmd        *exec.Cmd
	cancelProc context.CancelFunc
	// compute adds up, in nanoseconds, the compute time the plugin reported
	// in its answers' trailers (wire.TrailerCompute).
	compute atomic.Int64
	// noFitScore is set once the plugin answered FitScore Unimplemented.
	noFitScore atomic.Bool
}

// killGrace is how long Close waits for go-plugin's own shutdown (graceful,
// then a kill of the plugin process) before it kills the plugin's whole
// process group: a child of the plugin holding its output pipes would
// otherwise keep go-plugin waiting for the end of its output forever.
const killGrace = 3 * time.Second

// Start launches the plugin executable at path, connects to its service and
// asks it to describe itself. The process is killed when ctx ends or Close is
// called, whichever is first.
func (h *Host) Start(ctx context.Context, path string, kind sdk.Kind) (*Session, error) {
	return h.start(ctx, ctx, path, kind)
}

// start is Start with two contexts: ctx bounds the start itself (the
// handshake and Describe), life the process's whole lifetime.
func (h *Host) start(ctx, life context.Context, path string, kind sdk.Kind) (*Session, error) {
	tail := NewTail(40)
	var logOut io.Writer = tail
	if h.Log != nil {
		logOut = io.MultiWriter(tail, h.Log)
	}
	name := pluginName(path)
	logger := hclog.New(&hclog.LoggerOptions{
		Name: name, Output: logOut, Level: hclog.Info, DisableTime: true,
	})
	p := &wire.Plugin{NewClient: func(c grpc.ClientConnInterface) any { return lbv1.NewEncoderClient(c) }}
	if kind == sdk.KindDetector {
		p.NewClient = func(c grpc.ClientConnInterface) any { return lbv1.NewDetectorClient(c) }
	}
	timeout := h.StartTimeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	procCtx, cancelProc := context.WithCancel(context.Background())
	cmd := exec.CommandContext(procCtx, path)
	cmd.Env = pluginEnv()
	configureProcess(cmd)
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  wire.Handshake(),
		VersionedPlugins: map[int]plugin.PluginSet{sdk.ContractVersion: {string(kind): p}},
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Logger:           logger,
		Stderr:           logOut, // raw stderr lines
		SyncStderr:       logOut, // stderr written after the handshake
		SyncStdout:       logOut, // stray stdout after the handshake
		StartTimeout:     timeout,
		GRPCDialOptions:  wire.DialOptions(),
	})
	s := &Session{host: h, path: path, name: name, kind: kind, client: client, tail: tail, cmd: cmd, cancelProc: cancelProc}
	h.mu.Lock()
	if h.live == nil {
		h.live = map[*Session]struct{}{}
	}
	h.live[s] = struct{}{}
	h.started++
	h.mu.Unlock()
	// Kill the process as soon as the caller gives up, even mid-handshake.
	stopLife := context.AfterFunc(life, s.Close)
	stopStart := context.AfterFunc(ctx, s.Close)
	stop := func() { stopLife(); stopStart() }
	rpc, err := client.Client()
	if err != nil {
		stop()
		s.Close()
		return nil, s.fail(ctx, "start", startError(err, tail.String()))
	}
	if err := h.Limits.apply(s.Pid()); err != nil {
		stop()
		s.Close()
		return nil, s.wrap("start", err)
	}
	s.limits = h.Limits
	raw, err := rpc.Dispense(string(kind))
	if err != nil {
		stop()
		s.Close()
		return nil, s.fail(ctx, "start", err)
	}
	switch c := raw.(type) {
	case lbv1.EncoderClient:
		s.enc = c
	case lbv1.DetectorClient:
		s.det = c
	}
	if s.desc, err = s.describe(ctx); err != nil {
		stop()
		s.Close()
		return nil, err
	}
	if !stopStart() {
		// ctx ended as the start finished: the process is being killed.
		stopLife()
		s.Close()
		return nil, s.fail(ctx, "start", ctx.Err())
	}
	return s, nil
}

// Close kills the plugin process (gracefully first, forcefully after 2 s,
// and its whole process group after killGrace). It is safe to call more
// than once.
func (s *Session) Close() {
	s.once.Do(func() {
		done := make(chan struct{})
		go func() { s.client.Kill(); close(done) }()
		select {
		case <-done:
		case <-time.After(killGrace):
			s.cancelProc()
			<-done
		}
		s.cancelProc()
		s.host.mu.Lock()
		delete(s.host.live, s)
		s.host.mu.Unlock()
	})
}

// Pid returns the plugin's process id, or 0 when it is not known (before the
// handshake, or once the process has gone).
func (s *Session) Pid() int {
	if rc := s.client.ReattachConfig(); rc != nil {
		return rc.Pid
	}
	return 0
}

// Exited reports whether the plugin process has exited.
func (s *Session) Exited() bool { return s.client.Exited() }

// KillAll kills every live plugin process.
func (h *Host) KillAll() {
	h.mu.Lock()
	sessions := make([]*Session, 0, len(h.live))
	for s := range h.live {
		sessions = append(sessions, s)
	}
	h.mu.Unlock()
	var wg sync.WaitGroup
	for _, s := range sessions {
		wg.Add(1)
		go func() { defer wg.Done(); s.Close() }()
	}
	wg.Wait()
}

// Live returns the number of running plugin processes.
func (h *Host) Live() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.live)
}

// Error is a failed plugin call, with the tail of the plugin's stderr.
type Error struct {
	Plugin string
	Op     string
	Err    error
	// Stderr is the last lines the plugin (and go-plugin about it) logged.
	Stderr string
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("plugin %s: %s: %v", e.Plugin, e.Op, e.Err)
	if e.Stderr != "" {
		msg += "\n--- plugin stderr (last lines) ---\n" + e.Stderr
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// ErrMalformedOutput marks a plugin answer that breaks the contract (wrong
// shape, non-finite values, missing arrays).
var ErrMalformedOutput = errors.New("malformed plugin output")

// fail is wrap for an RPC made under ctx. When ctx has ended, the error is
// ctx's whatever the transport reported (the process may have been killed by
// the cancellation before the call noticed it): only the caller's own
// deadline makes a context.DeadlineExceeded. The plugin's statuses come back
// as errors: InvalidArgument as sdk.ErrInvalidInput; a Canceled or
// DeadlineExceeded the plugin reported itself (its own timeout, say) while
// ctx is live is a plain plugin error, never a context error.
func (s *Session) fail(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctxEnded(ctx); cerr != nil {
		if !errors.Is(err, cerr) {
			err = fmt.Errorf("%w (%v)", cerr, err)
		}
		return s.wrap(op, err)
	}
	if st, ok := status.FromError(err); ok {
		switch st.Code() {
		case codes.Unavailable:
			// The process died: let its last output and exit status arrive
			// (a loaded machine may take a while to reap it).
			for deadline := time.Now().Add(3 * time.Second); !s.client.Exited() && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond)
			}
			time.Sleep(20 * time.Millisecond)
			err = s.exitNote(err)
		case codes.InvalidArgument:
			err = &remoteError{st: st, msg: st.Message(), kind: sdk.ErrInvalidInput}
		case codes.Canceled, codes.DeadlineExceeded:
			err = &remoteError{st: st, msg: "the plugin reported " + st.Code().String() + ": " + st.Message()}
		}
	}
	return s.wrap(op, err)
}

// ctxEnded is ctx's error, or context.DeadlineExceeded once ctx's deadline
// has passed even if its timer has not fired yet: gRPC enforces the same
// deadline with its own timer, and its DeadlineExceeded can arrive first.
func ctxEnded(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return nil
}

// remoteError is an error a plugin reported, with the host-side sentinel it
// maps to (nil for none). Its gRPC status stays readable (status.Code).
type remoteError struct {
	st   *status.Status
	msg  string
	kind error
}

func (e *remoteError) Error() string              { return e.msg }
func (e *remoteError) Unwrap() error              { return e.kind }
func (e *remoteError) GRPCStatus() *status.Status { return e.st }

func (s *Session) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if s.limits.Memory > 0 && s.client.Exited() && s.tail.OutOfMemory() {
		err = fmt.Errorf("%w of %s: %v", ErrMemoryLimit, FormatBytes(s.limits.Memory), err)
	}
	return &Error{Plugin: s.name, Op: op, Err: err, Stderr: s.tail.String()}
}

// exitNote adds how the plugin process ended to err, once it has been
// reaped: "error reading from server: EOF" alone does not tell a crash from
// the kernel's out-of-memory killer.
func (s *Session) exitNote(err error) error {
	if !s.client.Exited() {
		return err
	}
	// Exited is set under go-plugin's lock after cmd.Wait returned, so
	// ProcessState is complete here.
	ps := s.cmd.ProcessState
	if ps == nil {
		return err
	}
	note := ps.String()
	if strings.HasSuffix(note, "signal: killed") {
		note += " (SIGKILL: the kernel's out-of-memory killer, or a kill from outside)"
	}
	return fmt.Errorf("%w; plugin process ended: %s", err, note)
}

// Description returns what the plugin said of itself when it started.
func (s *Session) Description() *sdk.Description { return s.desc }

// describe asks the plugin what it is and checks it is of the kind its file
// name says.
func (s *Session) describe(ctx context.Context) (*sdk.Description, error) {
	var w *lbv1.Description
	var err error
	if s.enc != nil {
		w, err = s.enc.Describe(ctx, &lbv1.DescribeRequest{})
	} else {
		w, err = s.det.Describe(ctx, &lbv1.DescribeRequest{})
	}
	if err != nil {
		return nil, s.fail(ctx, "describe", err)
	}
	d, err := wire.FromWireDescription(w)
	if err != nil {
		return nil, s.wrap("describe", fmt.Errorf("%w: %w", ErrMalformedOutput, err))
	}
	if d.Kind != s.kind {
		return nil, s.wrap("describe", fmt.Errorf("%w: plugin says it is a %s, its file name says %s", ErrMalformedOutput, d.Kind, s.kind))
	}
	return d, nil
}

// frameStream is a client-side bidi stream of Frames.
type frameStream interface {
	wire.FrameSender
	wire.FrameReceiver
	CloseSend() error
	Trailer() metadata.MD
}

// call sends a Call and arrays, closes the sending side, and collects the
// answer. Sending runs concurrently with receiving so that a plugin failing
// early is seen at once.
func (s *Session) call(stream frameStream, call *lbv1.Call, arrays []namedArray, onProgress func(*lbv1.Progress)) (*wire.Message, error) {
	sendErr := make(chan error, 1)
	go func() {
		err := stream.Send(&lbv1.Frame{Kind: &lbv1.Frame_Call{Call: call}})
		for _, a := range arrays {
			if err != nil {
				break
			}
			err = wire.SendArray(stream, a.name, a.array)
		}
		if err == nil {
			err = stream.CloseSend()
		}
		sendErr <- err
	}()
	msg, err := wire.ReceiveMessage(stream, onProgress)
	if err != nil {
		return nil, err
	}
	if err := <-sendErr; err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	s.addCompute(stream.Trailer())
	return msg, nil
}

// addCompute adds the compute time a plugin reported in a call's trailer
// (wire.TrailerCompute); a plugin that reports none adds nothing.
func (s *Session) addCompute(md metadata.MD) {
	v := md.Get(wire.TrailerCompute)
	if len(v) == 0 {
		return
	}
	if sec, err := strconv.ParseFloat(v[0], 64); err == nil && sec >= 0 && sec < 1e9 {
		s.compute.Add(int64(sec * 1e9))
	}
}

// ComputeSeconds is the total compute time the plugin has reported in its
// answers so far: the time its own code ran, without transfers.
func (s *Session) ComputeSeconds() float64 { return float64(s.compute.Load()) / 1e9 }

type namedArray struct {
	name  string
	array wire.Array
}

func pluginName(path string) string {
	base := path[strings.LastIndexAny(path, `/\`)+1:]
	base = strings.TrimPrefix(base, "latentbench-encoder-")
	return strings.TrimPrefix(base, "latentbench-detector-")
}

// pluginEnv is the environment of plugin processes: the harness's, with
// OPENBLAS_NUM_THREADS=1 unless set. Cells run in parallel, each plugin
// parallelises with goroutines, and OpenBLAS threads spinning beside them
// slow everything down.
func pluginEnv() []string {
	env := os.Environ()
	if _, ok := os.LookupEnv("OPENBLAS_NUM_THREADS"); !ok {
		env = append(env, "OPENBLAS_NUM_THREADS=1")
	}
	return env
}
