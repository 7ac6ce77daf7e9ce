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
	code := func() int {
		t := &testing.T{}
		_ = t
		return m.Run()
	}()
	os.RemoveAll(dir)
	os.Exit(code)
}

var built bool

func plugins(tb testing.TB) string {
	tb.Helper()
	if !built {
		plugintest.Build(tb, pluginDir, map[string]string{
			"latentbench-encoder-pca":       plugintest.Module + "/plugins/encoders/pca/cmd",
			"latentbench-encoder-sink":      plugintest.Module + "/internal/testplugins/sink",
			"latentbench-detector-fault-ok": plugintest.Module + "/internal/testplugins/fault",
		})
		for _, mode := range []string{"exit", "hang", "wrongcount", "nan", "stdout", "panic", "selfkill"} {
			plugintest.Link(tb, pluginDir, "latentbench-detector-fault-ok", "latentbench-detector-fault-"+mode)
		}
		built = true
	}
	return pluginDir
}

func path(tb testing.TB, kind sdk.Kind, name string) string {
	return filepath.Join(plugins(tb), host.Filename(kind, name))
}

func TestDiscoverDescribes(t *testing.T) {
	h := host.New()
	reg, err := host.Discover(context.Background(), h, []string{plugins(t)})
	if err != nil {
		t.Fatal(err)
	}
	d, err := reg.Lookup(sdk.KindEncoder, "pca")
	if err != nil {
		t.Fatal(err)
	}
	if d.Version == "" || d.ContractVersion != sdk.ContractVersion {
		t.Errorf("pca description %+v", d)
	}
	if p, ok := d.Param("latent_dim"); !ok || p.Default != int64(2) {
		t.Errorf("latent_dim spec %+v", p)
	}
	if _, err := reg.Lookup(sdk.KindDetector, "nope"); err == nil || !strings.Contains(err.Error(), "fault-ok") {
		t.Errorf("unknown plugin error should list installed ones, got %v", err)
	}
	// The stdout plugin cannot even describe itself.
	if _, ok := reg.Broken[path(t, sdk.KindDetector, "fault-stdout")]; !ok {
		t.Errorf("fault-stdout should be broken, broken = %v", reg.Broken)
	}
	if h.Live() != 0 {
		t.Errorf("%d plugin processes left after Discover", h.Live())
	}
}

func TestEncoderRoundTrip(t *testing.T) {
	h := host.New()
	ctx := context.Background()
	s, err := h.Start(ctx, path(t, sdk.KindEncoder, "pca"), sdk.KindEncoder)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d, _ := s.Describe(ctx)
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
	model, err := s.FitEncoder(ctx, host.EncoderFit{X: sdk.NewMatrix32(n, dim, x), Params: params, Seed: 1},
		func(sdk.Progress) { progress++ })
	if err != nil {
		t.Fatal(err)
	}
	z, err := s.Encode(ctx, model, sdk.NewMatrix32(n, dim, x), params)
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

// A full MNIST-sized matrix crosses both ways: no message size limit applies.
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
	z, err := s.Encode(ctx, nil, sdk.NewMatrix32(n, d, x), sdk.Params{})
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
				model, err := s.FitDetector(ctx, x, nil, sdk.Params{}, 0)
				if err != nil {
					return err
				}
				_, err = s.Score(ctx, model, x, nil, sdk.Params{})
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
		_, err := s.Score(ctx, []byte("m"), x, nil, sdk.Params{})
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
