package host_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/latentbench/latentbench/harness/host"
	"github.com/latentbench/latentbench/internal/plugintest"
	"github.com/latentbench/latentbench/sdk"
)

var pluginDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "latentbench-host-test")
	if err != nil {
		panic(err)
	}
	pluginDir = dir
	code := plugintest.Main(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

var built bool

func plugins(tb testing.TB) string {
	tb.Helper()
	if !built {
		names := plugintest.Packages(plugintest.Projection(), plugintest.Forest())
		names["latentbench-encoder-sink"] = plugintest.Module + "/internal/testplugins/sink"
		names["latentbench-detector-fault-ok"] = plugintest.Module + "/internal/testplugins/fault"
		plugintest.Build(tb, pluginDir, names)
		for _, mode := range []string{"exit", "hang", "wrongcount", "nan", "stdout", "panic", "selfkill", "owndeadline"} {
			plugintest.Link(tb, pluginDir, "latentbench-detector-fault-ok", "latentbench-detector-fault-"+mode)
		}
		built = true
	}
	return pluginDir
}

func path(tb testing.TB, kind sdk.Kind, name string) string {
	return filepath.Join(plugins(tb), host.Filename(kind, name))
}

// fixture returns the path of one of internal/plugintest's fixture plugins.
func fixture(tb testing.TB, f plugintest.Fixture) string { return path(tb, f.Kind, f.Name) }

func TestDiscoverDescribes(t *testing.T) {
	h := host.New()
	reg, err := host.Discover(context.Background(), h, []string{plugins(t)}, "")
	if err != nil {
		t.Fatal(err)
	}
	d, err := reg.Lookup(sdk.KindEncoder, plugintest.Projection().Name)
	if err != nil {
		t.Fatal(err)
	}
	if d.Version == "" || d.ContractVersion != sdk.ContractVersion {
		t.Errorf("description %+v", d)
	}
	if p, ok := d.Param("latent_dim"); !ok || p.Default != int64(2) {
		t.Errorf("latent_dim spec %+v", p)
	}
	if _, err := reg.Lookup(sdk.KindDetector, "nope"); err == nil || !strings.Contains(err.Error(), "fault-ok") {
		t.Errorf("unknown plugin error should list installed ones, got %v", err)
	}
	// The stdout plugin cannot even describe itself: installed but broken.
	_, err = reg.Lookup(sdk.KindDetector, "fault-stdout")
	var broken *host.BrokenError
	if !errors.As(err, &broken) || !strings.Contains(err.Error(), "hello from a plugin") {
		t.Errorf("fault-stdout should be installed but broken, got %v", err)
	}
	if h.Live() != 0 {
		t.Errorf("%d plugin processes left after Discover", h.Live())
	}
}

// Discovery starts nothing; a plugin is described when its name is first
// used, and its description is kept by code digest so that the next
// discovery starts nothing for it. A hung plugin nobody uses costs nothing;
// a broken one says so with the first lines of its stderr; a file named like
// a plugin but not executable gets a warning.
func TestDiscoverIsLazyAndTruthful(t *testing.T) {
	dir, descCache := t.TempDir(), t.TempDir()
	proj := plugintest.Projection()
	if err := os.Symlink(fixture(t, proj), filepath.Join(dir, proj.File())); err != nil {
		t.Fatal(err)
	}
	scripts := map[string]string{
		"latentbench-detector-hung":   "#!/bin/sh\nsleep 600\n",
		"latentbench-detector-broken": "#!/bin/sh\necho 'Traceback (most recent call last):' >&2\necho 'ImportError: No module named torch' >&2\nexit 1\n",
	}
	for name, src := range scripts {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "latentbench-detector-noexec"), []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := host.New()
	ctx := context.Background()
	reg, err := host.Discover(ctx, h, []string{dir}, descCache)
	if err != nil {
		t.Fatal(err)
	}
	if h.Started() != 0 {
		t.Errorf("Discover started %d plugins", h.Started())
	}
	if len(reg.Warnings) != 1 || !strings.Contains(reg.Warnings[0], "latentbench-detector-noexec") ||
		!strings.Contains(reg.Warnings[0], "not executable") {
		t.Errorf("warnings %q", reg.Warnings)
	}
	if _, err := reg.Lookup(sdk.KindEncoder, proj.Name); err != nil {
		t.Fatal(err)
	}
	if h.Started() != 1 {
		t.Errorf("looking up %s started %d plugins, want 1 (not the hung one)", proj.Name, h.Started())
	}
	_, err = reg.Lookup(sdk.KindDetector, "broken")
	var broken *host.BrokenError
	if !errors.As(err, &broken) || !strings.Contains(err.Error(), `detector plugin "broken" is installed`) ||
		!strings.Contains(err.Error(), "ImportError: No module named torch") || strings.Contains(err.Error(), "unknown") {
		t.Errorf("broken plugin: %v", err)
	}
	if names := reg.Names(sdk.KindDetector); strings.Join(names, ",") != "broken,hung" {
		t.Errorf("installed detectors %v", names)
	}
	// A second discovery takes the encoder's description from the cache.
	h2 := host.New()
	reg2, err := host.Discover(ctx, h2, []string{dir}, descCache)
	if err != nil {
		t.Fatal(err)
	}
	d, err := reg2.Lookup(sdk.KindEncoder, proj.Name)
	if err != nil || d.Name != proj.Name || len(d.Params) == 0 {
		t.Fatalf("cached description %+v, %v", d, err)
	}
	if p, _ := d.Param("latent_dim"); p.Default != int64(2) {
		t.Errorf("cached latent_dim default %#v", p.Default)
	}
	if h2.Started() != 0 {
		t.Errorf("a cached description still started %d plugins", h2.Started())
	}
}

func TestEncoderRoundTrip(t *testing.T) {
	h := host.New()
	ctx := context.Background()
	s, err := h.Start(ctx, fixture(t, plugintest.Projection()), sdk.KindEncoder)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d := s.Description()
	params, err := d.Resolve(map[string]any{"latent_dim": 3})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	n, dim := 500, 10
	x := make([]float32, n*dim)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	var progress int
	enc := s.Encoder()
	model, err := enc.Fit(ctx, &sdk.EncoderFit{X: sdk.NewMatrix32(n, dim, x), Params: params, Seed: 1},
		func(sdk.Progress) { progress++ })
	if err != nil {
		t.Fatal(err)
	}
	z, err := enc.Encode(ctx, &sdk.EncodeRequest{Model: model, X: sdk.NewMatrix32(n, dim, x), Params: params})
	if err != nil {
		t.Fatal(err)
	}
	if z.Rows != n || z.Cols != 3 {
		t.Fatalf("latent shape %d×%d", z.Rows, z.Cols)
	}
	// Principal component scores have decreasing variance.
	vars := make([]float64, 3)
	zz := z.Float64()
	for i := 0; i < n; i++ {
		for j := 0; j < 3; j++ {
			vars[j] += zz[i*3+j] * zz[i*3+j]
		}
	}
	if !(vars[0] >= vars[1] && vars[1] >= vars[2]) {
		t.Errorf("component variances not decreasing: %v", vars)
	}
}

// A 60000×784 matrix (60000 images of 28×28 pixels) crosses both ways: no
// message size limit applies.
func TestLargeMatrixBothWays(t *testing.T) {
	if testing.Short() {
		t.Skip("188 MB transfer")
	}
	h := host.New()
	ctx := context.Background()
	s, err := h.Start(ctx, path(t, sdk.KindEncoder, "sink"), sdk.KindEncoder)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n, d := 60000, 784
	x := make([]float32, n*d)
	for i := 0; i < n; i++ {
		x[i*d], x[i*d+1], x[i*d+d-1] = float32(i), -float32(i), 7
	}
	z, err := s.Encoder().Encode(ctx, &sdk.EncodeRequest{X: sdk.NewMatrix32(n, d, x), Params: sdk.Params{}})
	if err != nil {
		t.Fatal(err)
	}
	if z.Rows != n || z.Cols != 2 || z.F32 == nil {
		t.Fatalf("got %d×%d (float32: %v)", z.Rows, z.Cols, z.F32 != nil)
	}
	for i := 0; i < n; i += 997 {
		if z.F32[2*i] != float32(i) || z.F32[2*i+1] != -float32(i) {
			t.Fatalf("row %d came back as %v, %v", i, z.F32[2*i], z.F32[2*i+1])
		}
	}
}

func TestFaults(t *testing.T) {
	x := sdk.NewMatrix64(50, 2, make([]float64, 100))
	cases := []struct {
		mode     string
		timeout  time.Duration
		wantErr  error  // errors.Is target, or nil
		wantText string // in the error message
	}{
		{"exit", 10 * time.Second, nil, "exiting during Score"},
		{"hang", 1500 * time.Millisecond, context.DeadlineExceeded, "hanging in Score"},
		{"wrongcount", 10 * time.Second, host.ErrMalformedOutput, "49 scores for 50 points"},
		{"nan", 10 * time.Second, host.ErrMalformedOutput, "non-finite value NaN at row 0"},
		{"panic", 10 * time.Second, nil, "plugin panic: fault plugin panics in Fit"},
		{"stdout", 10 * time.Second, nil, "hello from a plugin"},
		{"selfkill", 10 * time.Second, nil, "plugin process ended: signal: killed (SIGKILL: the kernel's out-of-memory killer"},
		// A deadline of the plugin's own is its error, not the caller's
		// timeout (checked below: it is no context.DeadlineExceeded).
		{"owndeadline", 10 * time.Second, nil, "DeadlineExceeded"},
	}
	for _, tc := range cases {
		t.Run(tc.mode, func(t *testing.T) {
			h := host.New()
			ctx, cancel := context.WithTimeout(context.Background(), tc.timeout)
			defer cancel()
			err := func() error {
				s, err := h.Start(ctx, path(t, sdk.KindDetector, "fault-"+tc.mode), sdk.KindDetector)
				if err != nil {
					return err
				}
				defer s.Close()
				det := s.Detector()
				model, err := det.Fit(ctx, &sdk.DetectorFit{X: x, Params: sdk.Params{}})
				if err != nil {
					return err
				}
				_, err = det.Score(ctx, &sdk.ScoreRequest{Model: model, X: x, Params: sdk.Params{}})
				return err
			}()
			if err == nil {
				t.Fatal("no error")
			}
			var perr *host.Error
			if !errors.As(err, &perr) {
				t.Fatalf("error %T is not a *host.Error: %v", err, err)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("error is not %v: %v", tc.wantErr, err)
			}
			if tc.wantErr == nil && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) {
				t.Errorf("the plugin's own error reads as the caller's context error: %v", err)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error lacks %q:\n%v", tc.wantText, err)
			}
			if h.Live() != 0 {
				t.Errorf("%d plugin processes left", h.Live())
			}
		})
	}
}

func TestKillAllOnCancel(t *testing.T) {
	h := host.New()
	ctx, cancel := context.WithCancel(context.Background())
	s, err := h.Start(ctx, path(t, sdk.KindDetector, "fault-hang"), sdk.KindDetector)
	if err != nil {
		t.Fatal(err)
	}
	x := sdk.NewMatrix64(4, 1, make([]float64, 4))
	done := make(chan error, 1)
	go func() {
		_, err := s.Detector().Score(ctx, &sdk.ScoreRequest{Model: []byte("m"), X: x, Params: sdk.Params{}})
		done <- err
	}()
	time.Sleep(300 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("want context.Canceled, got %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Score did not return after cancel")
	}
	h.KillAll()
	if h.Live() != 0 {
		t.Errorf("%d plugin processes left", h.Live())
	}
}

// Bad parameters are the plugin's invalid input: InvalidArgument on the wire,
// sdk.ErrInvalidInput again on the host.
func TestInvalidInputCrossesBoundary(t *testing.T) {
	h := host.New()
	ctx := context.Background()
	s, err := h.Start(ctx, fixture(t, plugintest.Forest()), sdk.KindDetector)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	x := sdk.NewMatrix64(10, 2, make([]float64, 20))
	_, err = s.Detector().Fit(ctx, &sdk.DetectorFit{X: x, Params: sdk.Params{"n_estimators": int64(-1)}})
	if !errors.Is(err, sdk.ErrInvalidInput) {
		t.Errorf("bad n_estimators: want sdk.ErrInvalidInput, got %v", err)
	}
	_, err = s.Detector().Fit(ctx, &sdk.DetectorFit{X: x, Params: sdk.Params{"no_such": int64(1)}})
	if !errors.Is(err, sdk.ErrInvalidInput) || !strings.Contains(err.Error(), `no parameter "no_such"`) {
		t.Errorf("unknown parameter: want sdk.ErrInvalidInput, got %v", err)
	}
	_, err = s.Detector().Score(ctx, &sdk.ScoreRequest{Model: []byte("not a forest"), X: x, Params: sdk.Params{}})
	if err == nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		t.Errorf("corrupt model: got %v", err)
	}
}

// A detector that implements sdk.DetectorWithProgress has its reports seen by
// the host; a plain Fit through the same client still works.
func TestDetectorFitProgress(t *testing.T) {
	h := host.New()
	ctx := context.Background()
	s, err := h.Start(ctx, path(t, sdk.KindDetector, "fault-ok"), sdk.KindDetector)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	x := sdk.NewMatrix64(3, 1, []float64{1, 2, 3})
	var got []sdk.Progress
	if _, err := sdk.FitDetector(ctx, s.Detector(), &sdk.DetectorFit{X: x, Params: sdk.Params{}},
		func(p sdk.Progress) { got = append(got, p) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1].Epoch != 2 || got[1].Epochs != 2 || got[1].Values["mean"] != 2 {
		t.Errorf("progress reports %+v", got)
	}
	if _, err := s.Detector().Fit(ctx, &sdk.DetectorFit{X: x, Params: sdk.Params{}}); err != nil {
		t.Fatal(err)
	}
}

// One plugin driven through the one sdk.Detector interface, in-process (its
// Go value) and out-of-process (the host's client), gives identical models
// and scores.
func TestInProcessEqualsOutOfProcess(t *testing.T) {
	h := host.New()
	ctx := context.Background()
	s, err := h.Start(ctx, fixture(t, plugintest.Forest()), sdk.KindDetector)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rng := rand.New(rand.NewPCG(3, 4))
	n, d := 400, 3
	x := make([]float64, n*d)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	run := func(det sdk.Detector) ([]byte, []float64) {
		desc := det.Describe()
		params, err := desc.Resolve(map[string]any{"n_estimators": 50})
		if err != nil {
			t.Fatal(err)
		}
		m := sdk.NewMatrix64(n, d, x)
		model, err := det.Fit(ctx, &sdk.DetectorFit{X: m, Params: params, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		scores, err := det.Score(ctx, &sdk.ScoreRequest{Model: model, X: m, Params: params})
		if err != nil {
			t.Fatal(err)
		}
		return model, scores
	}
	forest := plugintest.Forest()
	for _, det := range []sdk.Detector{forest.InProcess(), s.Detector()} {
		if det.Describe().Name != forest.Name {
			t.Fatalf("description %+v", det.Describe())
		}
	}
	m1, s1 := run(forest.InProcess())
	m2, s2 := run(s.Detector())
	if string(m1) != string(m2) {
		t.Error("models differ in-process and out-of-process")
	}
	for i := range s1 {
		if s1[i] != s2[i] {
			t.Fatalf("score %d: %v in-process, %v out-of-process", i, s1[i], s2[i])
		}
	}
}

// A pool reuses a process across calls; a call that failed (here a crash)
// gets its process stopped, and the next Get a fresh one that works.
func TestPoolReusesAndReplaces(t *testing.T) {
	h := host.New()
	ctx := context.Background()
	pool := host.NewPool(h, ctx)
	defer pool.Close()
	x := sdk.NewMatrix64(4, 1, []float64{1, 2, 3, 4})
	fitScore := func(s *host.Session) error {
		model, err := s.Detector().Fit(ctx, &sdk.DetectorFit{X: x, Params: sdk.Params{}})
		if err != nil {
			return err
		}
		_, err = s.Detector().Score(ctx, &sdk.ScoreRequest{Model: model, X: x, Params: sdk.Params{}})
		return err
	}
	ok := path(t, sdk.KindDetector, "fault-ok")
	var pids []int
	for range 3 {
		s, err := pool.Get(ctx, ok, sdk.KindDetector)
		if err != nil {
			t.Fatal(err)
		}
		err = fitScore(s)
		pids = append(pids, s.Pid())
		pool.Put(ctx, s, err)
		if err != nil {
			t.Fatal(err)
		}
	}
	if pids[0] != pids[1] || pids[1] != pids[2] || h.Started() != 1 {
		t.Errorf("three calls in turn ran in processes %v (%d started), want one reused", pids, h.Started())
	}
	crash := path(t, sdk.KindDetector, "fault-exit")
	s, err := pool.Get(ctx, crash, sdk.KindDetector)
	if err != nil {
		t.Fatal(err)
	}
	err = fitScore(s)
	pool.Put(ctx, s, err)
	if err == nil {
		t.Fatal("fault-exit did not fail")
	}
	// The crashed process is not handed out again: a fresh one fits.
	s2, err := pool.Get(ctx, crash, sdk.KindDetector)
	if err != nil {
		t.Fatal(err)
	}
	if s2 == s || s2.Pid() == pids[0] {
		t.Error("a crashed session was handed out again")
	}
	_, err = s2.Detector().Fit(ctx, &sdk.DetectorFit{X: x, Params: sdk.Params{}})
	pool.Put(ctx, s2, err)
	if err != nil {
		t.Fatalf("replacement process: %v", err)
	}
	pool.Close()
	if h.Live() != 0 {
		t.Errorf("%d plugin processes left after Close", h.Live())
	}
}
