package main

import (
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"

	"github.com/latentbench/latentbench/harness/dataset"
	"github.com/latentbench/latentbench/harness/host"
	"github.com/latentbench/latentbench/metrics"
	"github.com/latentbench/latentbench/plugins/detectors/iforest"
	"github.com/latentbench/latentbench/plugins/detectors/lof"
	"github.com/latentbench/latentbench/plugins/detectors/ocsvm"
	"github.com/latentbench/latentbench/plugins/encoders/vae"
	"github.com/latentbench/latentbench/sdk"
)

func benches() []bench {
	return []bench{
		{"plugin-boundary", pluginBoundary},
		{"iforest-10k", iforestBench(10_000)},
		{"iforest-60k", iforestBench(60_000)},
		{"lof-10k", lofBench(10_000)},
		{"lof-60k", lofBench(60_000)},
		{"ocsvm-10k", ocsvmBench},
		{"kmeans-sweep-10k", kmeansSweep},
		{"gmm-sweep-10k", gmmSweep},
		{"emmv-10k", emmvBench},
		{"vae-train-epoch", vaeBench},
		{"adbench-grid", adbenchGrid},
		{"adbench-seeds5", adbenchSeeds5},
		// Real ADBench shapes (seeded generated data of the same size): InternetAds-like
		// (n ≈ 2000, d ≈ 1500), CelebA-like (202,599 × 39), MNIST-like (7,603 × 100) and
		// http-like (567,479 × 3).
		{"lof-highdim", lofShape(2000, 1500, 11, false)},
		{"lof-200k-39d", lofShape(200_000, 39, 12, true)},
		{"ocsvm-highdim", ocsvmShape(2000, 1500, 13)},
		{"ocsvm-7600x100", ocsvmShape(7600, 100, 14)},
		{"iforest-600k", iforestShape(600_000, 3, 15)},
	}
}

// lofShape fits LOF (and scores the same points, unless fitOnly) on an n×d mixture. Rows of
// 100,000 points or more run once per side.
func lofShape(n, d int, seed uint64, fitOnly bool) func(*env) (*Row, error) {
	return func(e *env) (*Row, error) {
		x, _ := mixture(n, d, seed)
		var extra []string
		if fitOnly {
			extra = []string{"--mode", "fit"}
		}
		row, err := e.timedRepeat(bigRepeat(e, n), "lof.py", x, n, d, func() error {
			m, err := lof.Fit(e.ctx, x, n, d, lof.Options{})
			if err != nil || fitOnly {
				return err
			}
			_, err = m.Score(x, n)
			return err
		}, extra...)
		if row != nil {
			row.Note = fmt.Sprintf("%d×%d mixture, LOF(20) %s; peer on one thread", n, d, map[bool]string{true: "fit", false: "fit + score"}[fitOnly])
		}
		return row, err
	}
}

// ocsvmShape fits the one-class SVM (nu 0.1, as configs/adbench.toml) on an n×d mixture and
// computes its decision values on the same points.
func ocsvmShape(n, d int, seed uint64) func(*env) (*Row, error) {
	return func(e *env) (*Row, error) {
		x, _ := mixture(n, d, seed)
		row, err := e.timedRepeat(bigRepeat(e, n*d/100), "ocsvm.py", x, n, d, func() error {
			m, err := ocsvm.Fit(e.ctx, x, n, d, ocsvm.Options{Nu: 0.1})
			if err != nil {
				return err
			}
			_, err = m.DecisionContext(e.ctx, x, n)
			return err
		}, "--nu", "0.1")
		if row != nil {
			row.Note = fmt.Sprintf("%d×%d mixture, RBF gamma=scale, nu 0.1, fit + decision", n, d)
		}
		return row, err
	}
}

// iforestShape fits a 100-tree isolation forest on an n×d mixture and scores the same points.
func iforestShape(n, d int, seed uint64) func(*env) (*Row, error) {
	return func(e *env) (*Row, error) {
		x, _ := mixture(n, d, seed)
		row, err := e.timedRepeat(bigRepeat(e, n), "iforest.py", x, n, d, func() error {
			f, err := iforest.Fit(e.ctx, x, n, d, iforest.Options{Seed: 0})
			if err != nil {
				return err
			}
			f.Score(x, n)
			return nil
		})
		if row != nil {
			row.Note = fmt.Sprintf("%d×%d mixture, 100 trees, fit + score", n, d)
		}
		return row, err
	}
}

// bigRepeat is e.repeat, or 1 for work of size ≥ 100,000.
func bigRepeat(e *env, size int) int {
	if size >= 100_000 {
		return 1
	}
	return e.repeat
}

// pluginBoundary moves a 60000×784 float32 matrix into a plugin and the
// 60000×2 result back; the peer is an in-process copy of the same bytes.
func pluginBoundary(e *env) (*Row, error) {
	bin := filepath.Join(e.tmp, host.Filename(sdk.KindEncoder, "sink"))
	if out, err := exec.Command("go", "build", "-o", bin, "./internal/testplugins/sink").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("build sink plugin: %v\n%s", err, out)
	}
	const n, d = 60000, 784
	bytes := float64(4 * (n*d + n*2))
	x := sdk.NewMatrix32(n, d, make([]float32, n*d))
	h := host.New()
	defer h.KillAll()
	s, err := h.Start(e.ctx, bin, sdk.KindEncoder)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	if _, err := s.Encoder().Encode(e.ctx, &sdk.EncodeRequest{X: x, Params: sdk.Params{}}); err != nil { // warm up
		return nil, err
	}
	gs, err := best(e.repeat+2, func() error {
		_, err := s.Encoder().Encode(e.ctx, &sdk.EncodeRequest{X: x, Params: sdk.Params{}})
		return err
	})
	if err != nil {
		return nil, err
	}
	dst := make([]float32, n*d)
	z, zz := make([]float32, 2*n), make([]float32, 2*n)
	ps, _ := best(e.repeat+2, func() error {
		copy(dst, x.F32)
		copy(zz, z)
		return nil
	})
	return &Row{Unit: "GB/s", Go: bytes / gs / 1e9, Peer: bytes / ps / 1e9, PeerName: "in-process copy",
		Note: "60000×784 float32 in, 60000×2 float32 out, through gRPC over a local socket"}, nil
}

func iforestBench(n int) func(*env) (*Row, error) {
	return func(e *env) (*Row, error) {
		x, _ := mixture(n, 2, 1)
		return e.timed("iforest.py", x, n, 2, func() error {
			f, err := iforest.Fit(e.ctx, x, n, 2, iforest.Options{Seed: 0})
			if err != nil {
				return err
			}
			f.Score(x, n)
			return nil
		})
	}
}

func lofBench(n int) func(*env) (*Row, error) {
	return func(e *env) (*Row, error) {
		x, _ := mixture(n, 2, 5)
		return e.timed("lof.py", x, n, 2, func() error {
			m, err := lof.Fit(e.ctx, x, n, 2, lof.Options{})
			if err != nil {
				return err
			}
			_, err = m.Score(x, n)
			return err
		})
	}
}

func ocsvmBench(e *env) (*Row, error) {
	const n = 10_000
	x, _ := mixture(n, 2, 6)
	return e.timed("ocsvm.py", x, n, 2, func() error {
		m, err := ocsvm.Fit(e.ctx, x, n, 2, ocsvm.Options{Nu: 0.05})
		if err != nil {
			return err
		}
		m.Decision(x, n)
		return nil
	}, "--nu", "0.05")
}

func kmeansSweep(e *env) (*Row, error) {
	const n = 10_000
	x, labels := mixture(n, 2, 2)
	return e.timed("kmeans_sweep.py", x, n, 2, func() error {
		_, err := metrics.SweepKMeans(e.ctx, x, n, 2, labels, 2, 20, metrics.KMeansOptions{NInit: 10})
		return err
	}, "--kmin", "2", "--kmax", "20", "--n-init", "10")
}

func gmmSweep(e *env) (*Row, error) {
	const n = 10_000
	x, labels := mixture(n, 2, 3)
	return e.timed("gmm_sweep.py", x, n, 2, func() error {
		_, err := metrics.SweepGMM(e.ctx, x, n, 2, labels, 2, 20, metrics.GMMOptions{})
		return err
	}, "--kmin", "2", "--kmax", "20")
}

// emmvBench scores 10k data scores and 100k uniform scores with EM and MV.
func emmvBench(e *env) (*Row, error) {
	const n, nu = 10_000, 100_000
	const volume = 0.3
	rng := rand.New(rand.NewPCG(4, 0))
	s := make([]float64, n+nu)
	for i := range s {
		if i < n {
			s[i] = -0.4 - 0.2*rng.Float64()*rng.Float64()
		} else {
			s[i] = -0.45 - 0.3*rng.Float64()
		}
	}
	return e.timed("emmv.py", s, n+nu, 1, func() error {
		metrics.EMMV(s[:n], s[n:], volume)
		return nil
	}, "--n-data", fmt.Sprint(n), "--volume", fmt.Sprint(volume))
}

// vaeBench trains the paper's 784-512-2 VAE for one epoch on MNIST's 60000
// training images and encodes 10000, beside PyTorch on the same data. It
// returns the training row and records the encoding row itself.
func vaeBench(e *env) (*Row, error) {
	l, err := dataset.Load(e.ctx, dataset.Spec{Name: "mnist", Format: dataset.FormatIDX, Path: "data/mnist"}, ".")
	if err != nil {
		return nil, fmt.Errorf("%v (run `make mnist`)", err)
	}
	x, n, d := l.Train.X, l.Train.N, l.Train.D
	path := filepath.Join(e.tmp, "mnist.f32")
	if err := writeRaw32(path, x); err != nil {
		return nil, err
	}
	p, err := e.peer("vae_torch.py", []string{"OMP_WAIT_POLICY=PASSIVE"},
		"--data", path, "--n", fmt.Sprint(n), "--d", fmt.Sprint(d), "--epochs", "1", "--encode-n", "10000")
	if err != nil {
		return nil, err
	}
	pt, err := num(p, "train_samples_per_s")
	if err != nil {
		return nil, err
	}
	pe, err := num(p, "encode_samples_per_s")
	if err != nil {
		return nil, err
	}
	cfg := vae.DefaultConfig()
	cfg.Epochs = 1
	t, err := vae.TrainThroughput(e.ctx, x, n, d, cfg, 10000)
	if err != nil {
		return nil, err
	}
	note := "784-512-2, batch 128, Adam, float32, BLAS: " + vae.BLASName()
	if kept, ok := p["malloc_keeps_freed_memory"].(bool); ok && !kept {
		note += "; the peer could not set glibc's malloc thresholds (slower PyTorch)"
	}
	enc := &Row{Bench: "vae-encode-10k", Unit: "samples/s", Go: t.EncodeSamplesPerSec, Peer: pe, PeerName: str(p, "peer_name"), Note: note}
	e.extra = append(e.extra, enc)
	return &Row{Unit: "samples/s", Go: t.TrainSamplesPerSec, Peer: pt, PeerName: str(p, "peer_name"), Note: note}, nil
}
