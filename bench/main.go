// Command bench runs latentbench's side-by-side benchmarks: each measures a Go
// operation and its reference peer (scikit-learn, PyTorch, a Python rendering
// of Goix's EM/MV, or an in-process copy) on the same data in the same run,
// prints the ratio, and appends one JSON row per benchmark to -out:
//
//	{"bench": "iforest-10k", "unit": "s", "go": 0.05, "peer": 0.17,
//	 "peer_name": "scikit-learn 1.2.1", "speedup": 3.4, ...}
//
// speedup > 1 means latentbench is faster: peer/go for times, go/peer for
// throughputs. Python peers run under /usr/bin/python3 (Debian's, with
// python3-sklearn and python3-torch); a peer that cannot run is reported and
// its row skipped. Run it with `make bench`.
package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"
)

// Row is one line of results/bench.jsonl.
type Row struct {
	Bench    string  `json:"bench"`
	Unit     string  `json:"unit"`
	Go       float64 `json:"go"`
	Peer     float64 `json:"peer"`
	PeerName string  `json:"peer_name"`
	Speedup  float64 `json:"speedup"`
	// Context of the measurement.
	Time       string            `json:"time"`
	GoMaxProcs int               `json:"gomaxprocs"`
	Env        map[string]string `json:"env,omitempty"`
	Note       string            `json:"note,omitempty"`
}

type bench struct {
	name string
	run  func(b *env) (*Row, error)
}

type env struct {
	ctx     context.Context
	tmp     string
	repeat  int
	python  string
	peerDir string
	// extra collects additional rows a benchmark measured on the way.
	extra []*Row
}

func main() {
	out := flag.String("out", "results/bench.jsonl", "append rows to this file")
	only := flag.String("run", "", "regexp: run only matching benchmarks")
	repeat := flag.Int("repeat", 3, "repetitions per side; the best is kept")
	flag.Parse()
	tmp, err := os.MkdirTemp("", "latentbench-bench")
	if err != nil {
		fatal(err)
	}
	defer os.RemoveAll(tmp)
	e := &env{ctx: context.Background(), tmp: tmp, repeat: *repeat, python: "/usr/bin/python3", peerDir: "bench/peers"}
	re := regexp.MustCompile(*only)
	blas := map[string]string{}
	for _, k := range []string{"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_WAIT_POLICY"} {
		if v, ok := os.LookupEnv(k); ok {
			blas[k] = v
		}
	}
	fmt.Printf("%-18s %8s %14s %14s %8s  %s\n", "bench", "unit", "go", "peer", "speedup", "peer")
	failed := 0
	for _, b := range benches() {
		if !re.MatchString(b.name) {
			continue
		}
		e.extra = nil
		row, err := b.run(e)
		if err != nil {
			fmt.Printf("%-18s skipped: %v\n", b.name, err)
			failed++
			continue
		}
		row.Bench = b.name
		for _, r := range append([]*Row{row}, e.extra...) {
			r.Time = time.Now().UTC().Format(time.RFC3339)
			r.GoMaxProcs = runtime.GOMAXPROCS(0)
			r.Env = blas
			if r.Speedup == 0 {
				r.Speedup = speedup(r)
			}
			fmt.Printf("%-18s %8s %14.4g %14.4g %7.2f×  %s\n", r.Bench, r.Unit, r.Go, r.Peer, r.Speedup, r.PeerName)
			if err := appendRow(*out, r); err != nil {
				fatal(err)
			}
		}
	}
	if failed > 0 {
		fmt.Printf("%d benchmarks skipped\n", failed)
	}
}

// speedup is > 1 when Go is better: peer/go for times, go/peer for rates.
func speedup(r *Row) float64 {
	if strings.HasSuffix(r.Unit, "/s") {
		return r.Go / r.Peer
	}
	return r.Peer / r.Go
}

func appendRow(path string, r *Row) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(r)
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

// best returns the shortest wall time of repeat runs of f.
func best(repeat int, f func() error) (float64, error) {
	bestT := math.Inf(1)
	for i := 0; i < repeat; i++ {
		start := time.Now()
		if err := f(); err != nil {
			return 0, err
		}
		bestT = min(bestT, time.Since(start).Seconds())
	}
	return bestT, nil
}

// mixture returns n points of a d-dimensional Gaussian mixture of 10
// components with 1% uniform outliers, seeded, row-major, and the component
// of each point (−1 for outliers).
func mixture(n, d int, seed uint64) ([]float64, []int) {
	rng := rand.New(rand.NewPCG(seed, 0x6d6978))
	centres := make([]float64, 10*d)
	for i := range centres {
		centres[i] = rng.Float64()*20 - 10
	}
	x := make([]float64, n*d)
	labels := make([]int, n)
	for i := 0; i < n; i++ {
		if rng.Float64() < 0.01 {
			labels[i] = -1
			for j := 0; j < d; j++ {
				x[i*d+j] = rng.Float64()*30 - 15
			}
			continue
		}
		c := rng.IntN(10)
		labels[i] = c
		for j := 0; j < d; j++ {
			x[i*d+j] = centres[c*d+j] + rng.NormFloat64()
		}
	}
	return x, labels
}

func writeRaw(path string, x []float64) error {
	var buf bytes.Buffer
	buf.Grow(8 * len(x))
	for _, v := range x {
		binary.Write(&buf, binary.LittleEndian, v)
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func writeRaw32(path string, x []float32) error {
	var buf bytes.Buffer
	buf.Grow(4 * len(x))
	for _, v := range x {
		binary.Write(&buf, binary.LittleEndian, v)
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// peer runs a Python peer script and decodes its JSON line.
func (e *env) peer(script string, env []string, args ...string) (map[string]any, error) {
	cmd := exec.CommandContext(e.ctx, e.python, append([]string{filepath.Join(e.peerDir, script)}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("peer %s: %v: %s", script, err, lastLine(stderr.String()))
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var res map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		return nil, fmt.Errorf("peer %s printed %q: %v", script, lines[len(lines)-1], err)
	}
	return res, nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func num(m map[string]any, key string) (float64, error) {
	v, ok := m[key].(float64)
	if !ok {
		return 0, fmt.Errorf("peer output lacks %q: %v", key, m)
	}
	return v, nil
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// timed is a row for a Go call timed against a peer script on the same
// matrix file.
func (e *env) timed(script string, x []float64, n, d int, goCall func() error, extra ...string) (*Row, error) {
	return e.timedRepeat(e.repeat, script, x, n, d, goCall, extra...)
}

// timedRepeat is timed with repeat runs per side instead of e.repeat.
func (e *env) timedRepeat(repeat int, script string, x []float64, n, d int, goCall func() error, extra ...string) (*Row, error) {
	path := filepath.Join(e.tmp, fmt.Sprintf("%s-%dx%d.f64", script, n, d))
	if err := writeRaw(path, x); err != nil {
		return nil, err
	}
	defer os.Remove(path)
	args := append([]string{"--data", path, "--n", fmt.Sprint(n), "--d", fmt.Sprint(d), "--repeat", fmt.Sprint(repeat)}, extra...)
	p, err := e.peer(script, nil, args...)
	if err != nil {
		return nil, err
	}
	ps, err := num(p, "seconds")
	if err != nil {
		return nil, err
	}
	gs, err := best(repeat, goCall)
	if err != nil {
		return nil, err
	}
	return &Row{Unit: "s", Go: gs, Peer: ps, PeerName: str(p, "peer_name")}, nil
}
