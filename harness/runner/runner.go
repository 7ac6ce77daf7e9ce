// Package runner runs the cells of a grid on a bounded pool: it loads the
// data sets, drives the encoder and detector plugins through the host,
// caches every stage result content-addressed, computes the metrics and
// writes results/<experiment>/cells.jsonl as cells finish.
//
// One cell (docs/method.md, "One cell"):
//
//	fit:     encoder.Fit(train)                         key: encoder, version, params, data digest, seed
//	encode:  Z = encoder.Encode(test) (and train)       key: fit key, split
//	cluster: k-means / EM-GMM sweeps over k on Z        key: Z key, clustering settings, seed
//	detect:  detector.Fit(Z_fit)                        key: detector, version, params, Z_fit key, groups, seed
//	score:   s(Z), s(U) for uniform U in Z's box        key: detector fit key, Z key, U settings
//	metrics: EM/MV, class-distribution RMSE, ROC-AUC/AP (cheap, not cached)
//
// Cells sharing a stage (every detector of one encoder fit) share its cache
// entry; concurrent requests for one entry compute it once.
package runner

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/latentbench/latentbench/harness/cache"
	"github.com/latentbench/latentbench/harness/dataset"
	"github.com/latentbench/latentbench/harness/grid"
	"github.com/latentbench/latentbench/harness/host"
	"github.com/latentbench/latentbench/sdk"
)

// Options configure a run.
type Options struct {
	// Jobs bounds the cells run at once (default GOMAXPROCS).
	Jobs int
	// Cache stores stage results. Required.
	Cache *cache.Cache
	// Host starts plugin processes; Registry says where each plugin is.
	Host     *host.Host
	Registry *host.Registry
	// ResultsDir receives cells.jsonl (written after every finished cell)
	// when Cells is nil.
	ResultsDir string
	// Cells, when set, receives every finished cell as it finishes (a file
	// of this process's own in a shared results directory: see
	// harness/results); ResultsDir/cells.jsonl is then left alone.
	Cells CellWriter
	// Progress receives progress events (may be nil).
	Progress Progress
	// Timeout, when > 0, overrides the grid's per-cell timeout.
	Timeout time.Duration
	// Only, when not nil, restricts the run to the cells it accepts (by index).
	Only func(c *grid.Cell) bool
	// FiguresDir, when set, receives the latent-space figures of the cells of
	// the grid's first seed (see FigureName).
	FiguresDir string
	// Fresh, when set, names the plugins whose cached stages this run must
	// not reuse (`latentbench run -no-cache-plugin`): their stages, and those
	// that depend on them, are recomputed under keys of this run alone.
	Fresh func(kind sdk.Kind, name string) bool
	// Data, when set, holds data sets already loaded (grid.CheckData), by
	// index in g.Datasets; a nil entry is loaded on first use.
	Data []*dataset.Loaded
	// FitEverySeed, when set, ignores the plugins' declarations that their
	// fit does not depend on the seed (sdk.Description.SeedIndependent):
	// every seed fits, encodes and scores on its own, under the cache keys
	// of a plugin that declares nothing (`latentbench run
	// -share-seed-independent=false`). For a user who doubts a plugin's
	// declaration, and to measure what sharing the fit saves.
	FitEverySeed bool
}

// CellWriter saves finished cells. Append is called once per cell, never
// concurrently; the cell counts as saved when it returns nil.
type CellWriter interface {
	Append(r *Result) error
}

// Progress receives what a run is doing. Methods may be called from several
// goroutines at once.
type Progress interface {
	Start(total int)
	CellStarted(c *grid.Cell)
	Stage(c *grid.Cell, stage string)
	Epoch(c *grid.Cell, p sdk.Progress)
	CellDone(c *grid.Cell, r *Result)
	Finish()
}

// Run runs the grid's cells and returns their results in cell order. The
// error is nil when every cell ran (whatever its status); it is ctx's error
// when the run was interrupted, with the results of the finished cells.
func Run(ctx context.Context, g *grid.Grid, opt Options) ([]Result, error) {
	if opt.Cache == nil || opt.Host == nil || opt.Registry == nil {
		return nil, errors.New("runner: Cache, Host and Registry are required")
	}
	if opt.Jobs <= 0 {
		opt.Jobs = runtime.GOMAXPROCS(0)
	}
	if opt.Progress == nil {
		opt.Progress = nopProgress{}
	}
	if g.Experiment.MemoryBytes > 0 { // the grid's [experiment] memory caps every plugin process
		opt.Host.Limits.Memory = g.Experiment.MemoryBytes
	}
	r := &run{g: g, opt: opt, data: make([]*dataSlot, len(g.Datasets)), nonce: time.Now().UTC().Format(time.RFC3339Nano),
		pool: host.NewPool(opt.Host, ctx)}
	defer r.pool.Close()
	for i := range r.data {
		r.data[i] = &dataSlot{}
		if i < len(opt.Data) && opt.Data[i] != nil {
			r.data[i].d = opt.Data[i]
			r.data[i].once.Do(func() {})
		}
	}
	var cells []*grid.Cell
	for i := range g.Cells {
		if opt.Only == nil || opt.Only(&g.Cells[i]) {
			cells = append(cells, &g.Cells[i])
		}
	}
	// Start cells of different encodings first: the cells of one encoding
	// wait for its single encoder fit, so running them side by side would
	// leave the pool idle while distinct fits could proceed in parallel.
	rank := map[string]int{}
	order := make(map[*grid.Cell]int, len(cells))
	for _, c := range cells {
		id := c.EncodingID()
		order[c] = rank[id]
		rank[id]++
	}
	sort.SliceStable(cells, func(i, j int) bool { return order[cells[i]] < order[cells[j]] })
	opt.Progress.Start(len(cells))
	defer opt.Progress.Finish()

	var (
		mu      sync.Mutex
		results []Result
		wg      sync.WaitGroup
		sem     = make(chan struct{}, opt.Jobs)
		saveErr error
	)
	for _, c := range cells {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			opt.Progress.CellStarted(c)
			res := r.cell(ctx, c)
			if res.Status == StatusCanceled {
				return // an interrupted cell leaves no result: the rerun redoes it
			}
			res.Sanitize()
			opt.Progress.CellDone(c, &res)
			mu.Lock()
			defer mu.Unlock()
			results = append(results, res)
			var err error
			switch {
			case opt.Cells != nil:
				err = opt.Cells.Append(&res)
			case opt.ResultsDir != "":
				err = WriteJSONL(filepath.Join(opt.ResultsDir, "cells.jsonl"), results)
			}
			if err != nil && saveErr == nil {
				saveErr = err
			}
		}()
	}
	wg.Wait()
	sort.Slice(results, func(i, j int) bool { return results[i].Index < results[j].Index })
	if saveErr != nil {
		return results, fmt.Errorf("save results: %w", saveErr)
	}
	return results, ctx.Err()
}

type run struct {
	g    *grid.Grid
	opt  Options
	data []*dataSlot
	// nonce tells this run's keys for Options.Fresh plugins from any other's.
	nonce string
	// pool keeps plugin processes alive across cells and stages.
	pool *host.Pool

	mu    sync.Mutex
	drawn map[string]bool // figures already drawn
}

type dataSlot struct {
	once sync.Once
	d    *dataset.Loaded
	err  error
}

func (r *run) dataset(ctx context.Context, i int) (*dataset.Loaded, error) {
	s := r.data[i]
	s.once.Do(func() { s.d, s.err = dataset.Load(ctx, r.g.Datasets[i], r.g.Dir) })
	return s.d, s.err
}

// cell runs one cell to a Result; it never panics on plugin or data errors.
func (r *run) cell(parent context.Context, c *grid.Cell) (res Result) {
	start := time.Now()
	res = Result{
		Cell: c.ID, Index: c.Index, Dataset: c.Dataset.Name,
		Encoder: c.Encoder.Plugin, EncoderLabel: c.Encoder.Label, EncoderVersion: c.Encoder.Desc.Version,
		EncoderParams: c.Encoder.Params, Seed: c.Seed, Status: StatusOK,
		Metrics: map[string]float64{}, Timings: map[string]float64{}, Cache: map[string]bool{},
		CPU: map[string]float64{}, PeakRSS: map[string]int64{}, Compute: map[string]float64{},
	}
	if d := c.Detector; d != nil {
		res.Detector, res.DetectorLabel, res.DetectorVersion, res.DetectorParams = d.Plugin, d.Label, d.Desc.Version, d.Params
	}
	timeout := r.g.Experiment.Timeout
	if r.opt.Timeout > 0 {
		timeout = r.opt.Timeout
	}
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	err := r.stages(ctx, c, &res)
	res.Wall = time.Since(start).Seconds()
	if len(res.Compute) > 0 {
		res.Overhead = res.Wall
		for _, s := range res.Compute {
			res.Overhead -= s
		}
	}
	switch {
	case err == nil:
	case parent.Err() != nil:
		res.Status, res.Error = StatusCanceled, err.Error()
	case errors.Is(err, host.ErrMemoryLimit):
		res.Status, res.Error = StatusOOM, fmt.Sprintf("[experiment] memory = %q: %v", r.g.Experiment.Memory, err)
	case ctx.Err() == context.DeadlineExceeded:
		// Only the cell's own deadline makes a TIMEOUT: a plugin reporting a
		// deadline of its own while the cell had time left is an ERROR.
		res.Status, res.Error = StatusTimeout, fmt.Sprintf("cell exceeded its %s timeout: %v", timeout, err)
	default:
		res.Status, res.Error = StatusError, err.Error()
	}
	return res
}

// meter starts measuring the process behind a plugin client that can be
// measured (host's clients implement Meter); nil, which measures nothing,
// for others.
func meter(client any) *host.Meter {
	if m, ok := client.(interface{ Meter() *host.Meter }); ok {
		return m.Meter()
	}
	return nil
}

// metered records in e's meta the CPU time and peak memory that the plugin
// call measured by m spent making it.
func metered(e *cache.Entry, m *host.Meter) *cache.Entry {
	u := m.Stop()
	e.Meta.CPUSeconds, e.Meta.PeakRSS, e.Meta.ComputeSeconds = u.CPU, u.PeakRSS, u.Compute
	return e
}

// stage runs one cached stage, recording its timing and cache use.
func (r *run) stage(ctx context.Context, c *grid.Cell, res *Result, name, key string,
	compute func(context.Context) (*cache.Entry, error)) (*cache.Entry, error) {
	r.opt.Progress.Stage(c, name)
	e, hit, err := r.opt.Cache.Do(ctx, key, compute)
	if err != nil {
		return nil, err
	}
	res.Timings[name] += e.Meta.Seconds
	if e.Meta.CPUSeconds > 0 || e.Meta.PeakRSS > 0 {
		res.CPU[name] += e.Meta.CPUSeconds
		res.PeakRSS[name] = max(res.PeakRSS[name], e.Meta.PeakRSS)
	}
	if !hit && e.Meta.ComputeSeconds > 0 {
		res.Compute[name] += e.Meta.ComputeSeconds
	}
	res.Cache[name] = hit
	return e, nil
}

// encoder hands out a process of an encoder plugin from the run's pool;
// release gives it back with the error of the call made with it (a process
// that failed, or whose cell ran out of time, is stopped, not reused).
func (r *run) encoder(ctx context.Context, name string) (enc sdk.Encoder, release func(error), err error) {
	s, release, err := r.session(ctx, sdk.KindEncoder, name)
	if err != nil {
		return nil, nil, err
	}
	return s.Encoder(), release, nil
}

// detector is encoder for a detector plugin.
func (r *run) detector(ctx context.Context, name string) (det sdk.Detector, release func(error), err error) {
	s, release, err := r.session(ctx, sdk.KindDetector, name)
	if err != nil {
		return nil, nil, err
	}
	return s.Detector(), release, nil
}

func (r *run) session(ctx context.Context, kind sdk.Kind, name string) (*host.Session, func(error), error) {
	p, err := r.opt.Registry.Plugin(kind, name)
	if err != nil {
		return nil, nil, err
	}
	s, err := r.pool.Get(ctx, p.Path, kind)
	if err != nil {
		return nil, nil, err
	}
	return s, func(err error) { r.pool.Put(ctx, s, err) }, nil
}

// seedPart is the seed's part of a fit stage's cache key: the seed, or "any" when the plugin
// declares its fit independent of the seed (sdk.Description.SeedIndependent) and the run
// honours such declarations (Options.FitEverySeed unset), so that all the seeds of a grid
// share one fit and everything computed from it.
func (r *run) seedPart(d *sdk.Description, seed int64) string {
	if d != nil && d.SeedIndependentFit() && !r.opt.FitEverySeed {
		return "any"
	}
	return fmt.Sprint(seed)
}

// identity is what identifies a plugin's code in cache keys: its name, declared
// version and the digest of its executable.
func (r *run) identity(kind sdk.Kind, name string) (string, error) {
	p, err := r.opt.Registry.Plugin(kind, name)
	if err != nil {
		return "", err
	}
	id := p.Desc.Name + "@" + p.Desc.Version + "#" + p.Digest
	if r.opt.Fresh != nil && r.opt.Fresh(kind, name) {
		id += "#fresh@" + r.nonce
	}
	return id, nil
}

func (r *run) stages(ctx context.Context, c *grid.Cell, res *Result) error {
	r.opt.Progress.Stage(c, "load")
	data, err := r.dataset(ctx, c.DatasetIndex)
	if err != nil {
		return err
	}
	res.Data = &DataInfo{Train: data.Train.N, Test: data.Test.N, Features: data.Train.D, Classes: len(data.Train.Classes),
		Digest: data.Digest, Missing: data.Report.MissingByColumn, Dropped: data.Report.Dropped}
	enc := &c.Encoder
	if enc.Desc.NeedsLabels && data.Train.Labels == nil {
		return fmt.Errorf("encoder %s conditions on class labels, but dataset %q has none (give its `label` column)", enc.Label, data.Name)
	}

	// Fit the encoder on the training split.
	encID, err := r.identity(sdk.KindEncoder, enc.Plugin)
	if err != nil {
		return err
	}
	fitKey := cache.Key("encoder-fit", encID, enc.Params.CanonicalJSON(), data.Digest, r.seedPart(enc.Desc, c.Seed))
	fit, err := r.stage(ctx, c, res, "fit", fitKey, func(ctx context.Context) (*cache.Entry, error) {
		return r.fitEncoder(ctx, c, data)
	})
	if err != nil {
		return err
	}
	if len(fit.Meta.Extra) > 0 {
		if err := jsonUnmarshal(fit.Meta.Extra, &res.History); err != nil {
			return fmt.Errorf("cached training history: %w", err)
		}
	}

	// Encode the test split (and the training split for fit_on = "train").
	zTestKey := cache.Key("encode", fitKey, "test")
	zTest, err := r.encode(ctx, c, res, zTestKey, fit.Payload, &data.Test)
	if err != nil {
		return err
	}

	truth := labelsInt(data.Test.Labels)
	clusters, err := r.cluster(ctx, c, res, zTestKey, zTest, truth)
	if err != nil {
		return err
	}
	if c.Detector == nil {
		r.drawFigures(c, res, data, zTest, clusters, nil)
		return nil
	}

	zFit, zFitKey := zTest, zTestKey
	if r.g.Experiment.FitOn == grid.FitOnTrain {
		zFitKey = cache.Key("encode", fitKey, "train")
		if zFit, err = r.encode(ctx, c, res, zFitKey, fit.Payload, &data.Train); err != nil {
			return err
		}
	}
	scores, err := r.detect(ctx, c, res, data, zFit, zFitKey, zTest, zTestKey, clusters)
	if err != nil {
		return err
	}
	r.drawFigures(c, res, data, zTest, clusters, scores)
	return nil
}

func (r *run) fitEncoder(ctx context.Context, c *grid.Cell, data *dataset.Loaded) (*cache.Entry, error) {
	enc, release, err := r.encoder(ctx, c.Encoder.Plugin)
	if err != nil {
		return nil, err
	}
	var history []map[string]float64
	req := &sdk.EncoderFit{
		X:        sdk.NewMatrix32(data.Train.N, data.Train.D, data.Train.X),
		Features: data.Train.Features,
		Params:   c.Encoder.Params,
		Seed:     c.Seed,
	}
	if data.Train.Labels != nil {
		req.Labels, req.NumClasses = data.Train.Labels, len(data.Train.Classes)
	}
	m := meter(enc)
	model, err := enc.Fit(ctx, req, func(p sdk.Progress) {
		r.opt.Progress.Epoch(c, p)
		if len(p.Values) > 0 {
			row := map[string]float64{"epoch": float64(p.Epoch)}
			for k, v := range p.Values {
				row[k] = v
			}
			history = append(history, row)
		}
	})
	if err != nil {
		release(err)
		return nil, err
	}
	// The meter stops before the process goes back to the pool.
	e := metered(&cache.Entry{Payload: model, Meta: cache.Meta{What: "encoder-fit " + c.Encoder.Label + " on " + data.Name}}, m)
	release(nil)
	if history != nil {
		if e.Meta.Extra, err = jsonMarshal(history); err != nil {
			return nil, err
		}
	}
	return e, nil
}

func (r *run) encode(ctx context.Context, c *grid.Cell, res *Result, key string, model []byte, d *dataset.Data) (sdk.Matrix, error) {
	e, err := r.stage(ctx, c, res, "encode", key, func(ctx context.Context) (*cache.Entry, error) {
		enc, release, err := r.encoder(ctx, c.Encoder.Plugin)
		if err != nil {
			return nil, err
		}
		m := meter(enc)
		z, err := enc.Encode(ctx, &sdk.EncodeRequest{Model: model, X: sdk.NewMatrix32(d.N, d.D, d.X), Params: c.Encoder.Params})
		if err != nil {
			release(err)
			return nil, err
		}
		e := metered(&cache.Entry{Payload: encodeMatrix(z), Meta: cache.Meta{What: "encode " + c.Encoder.Label}}, m)
		release(nil)
		return e, nil
	})
	if err != nil {
		return sdk.Matrix{}, err
	}
	return decodeMatrix(e.Payload)
}

func labelsInt(l []int32) []int {
	if l == nil {
		return nil
	}
	out := make([]int, len(l))
	for i, v := range l {
		out[i] = int(v)
	}
	return out
}

type nopProgress struct{}

func (nopProgress) Start(int)                      {}
func (nopProgress) CellStarted(*grid.Cell)         {}
func (nopProgress) Stage(*grid.Cell, string)       {}
func (nopProgress) Epoch(*grid.Cell, sdk.Progress) {}
func (nopProgress) CellDone(*grid.Cell, *Result)   {}
func (nopProgress) Finish()                        {}
