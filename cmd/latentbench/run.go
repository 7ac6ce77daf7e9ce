package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/latentbench/latentbench/harness/cache"
	"github.com/latentbench/latentbench/harness/dataset"
	"github.com/latentbench/latentbench/harness/grid"
	"github.com/latentbench/latentbench/harness/host"
	"github.com/latentbench/latentbench/harness/progress"
	"github.com/latentbench/latentbench/harness/report"
	"github.com/latentbench/latentbench/harness/results"
	"github.com/latentbench/latentbench/harness/runner"
	"github.com/latentbench/latentbench/sdk"
)

// runFlags are the flags of `latentbench run`.
type runFlags struct {
	config      string
	jobs        int
	cacheDir    string
	resultsRoot string
	timeout     time.Duration
	shard       string
	pluginDir   string
	verbose     bool
	figures     bool
	noCache     bool
	freshNames  string
	// shareSeedIndependent honours the plugins' seed-independence declarations (runner.Options.FitEverySeed).
	shareSeedIndependent bool
}

func parseRunFlags(args []string, stderr io.Writer) (*runFlags, bool) {
	var f runFlags
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&f.jobs, "j", 0, "cells run at once")
	fs.StringVar(&f.cacheDir, "cache", "cache", "stage cache directory")
	fs.StringVar(&f.resultsRoot, "results", "results", "results root")
	fs.DurationVar(&f.timeout, "timeout", 0, "per-cell timeout")
	fs.StringVar(&f.shard, "shard", "", "I/N: run cells with index ≡ I mod N")
	fs.StringVar(&f.pluginDir, "plugins", "", "extra plugin directory")
	fs.BoolVar(&f.verbose, "v", false, "show plugin logs")
	fs.BoolVar(&f.figures, "figures", true, "draw figures into results/<experiment>/figures")
	fs.BoolVar(&f.noCache, "no-cache", false, "reuse no cached stage and keep none (a temporary cache, removed after the run)")
	fs.StringVar(&f.freshNames, "no-cache-plugin", "", "comma-separated plugin names whose cached stages are not reused (nor those depending on them)")
	fs.BoolVar(&f.shareSeedIndependent, "share-seed-independent", true,
		"fit a plugin that declares its fit seed-independent once for all seeds (false: fit, encode and score every seed on its own)")
	pos, err := parse(fs, args)
	if err != nil {
		return nil, false
	}
	if len(pos) != 1 {
		fmt.Fprint(stderr, "usage: latentbench run CONFIG [flags]\n")
		return nil, false
	}
	if f.jobs < 0 {
		fmt.Fprintf(stderr, "latentbench run: -j %d: the number of cells run at once must be positive (0: one per CPU)\n", f.jobs)
		return nil, false
	}
	if f.timeout < 0 {
		fmt.Fprintf(stderr, "latentbench run: -timeout %s: a timeout must be positive (0: the grid's own)\n", f.timeout)
		return nil, false
	}
	f.config = pos[0]
	return &f, true
}

// runSetup is what a run needs before its cells start.
type runSetup struct {
	g      *grid.Grid
	reg    *host.Registry
	cache  *cache.Cache
	outDir string
	cells  *results.Writer
	// data are the grid's data sets, loaded once, and summary their summaries.
	data    []*dataset.Loaded
	summary []dataset.Summary
}

// prepareRun loads the grid, its data sets (printing their summaries and
// warnings to w) and the cache, and opens this process's cells file in
// results/<experiment>, whose header records the data summaries.
func prepareRun(ctx context.Context, f *runFlags, h *host.Host, command string, w io.Writer) (*runSetup, error) {
	g, reg, err := loadGrid(ctx, f.config, h, dirs(f.pluginDir))
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "%s: %s\n", g.Path, g.Summary())
	data, summary, err := checkData(ctx, g, w)
	if err != nil {
		return nil, err
	}
	c, err := cache.Open(f.cacheDir)
	if err != nil {
		return nil, err
	}
	outDir := filepath.Join(f.resultsRoot, g.Experiment.Name)
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, err
	}
	if err := runner.WriteFileAtomic(filepath.Join(outDir, "config.toml"), g.Source); err != nil {
		return nil, err
	}
	cells, err := results.Create(outDir, g, results.Header{Shard: f.shard, Command: command, Data: summary})
	if err != nil {
		return nil, err
	}
	return &runSetup{g: g, reg: reg, cache: c, outDir: outDir, cells: cells, data: data, summary: summary}, nil
}

// exitOnSecondInterrupt makes a second interrupt exit at once, from plugin
// discovery on (plugins die with the harness: see harness/host).
func exitOnSecondInterrupt(ctx context.Context, stop func(), h *host.Host) {
	go func() {
		<-ctx.Done()
		stop()
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		<-sig
		h.KillAll()
		os.Exit(130)
	}()
}

func cmdRun(args []string, stdout, stderr io.Writer) int {
	f, ok := parseRunFlags(args, stderr)
	if !ok {
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "latentbench run: %v\n", err)
		return 1
	}
	only, err := parseShard(f.shard)
	if err != nil {
		return fail(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	h := host.New()
	defer h.KillAll()
	if f.verbose {
		h.Log = stderr
	}
	exitOnSecondInterrupt(ctx, stop, h)
	command := "latentbench run " + strings.Join(args, " ")
	if f.noCache {
		dir, err := os.MkdirTemp("", "latentbench-no-cache-")
		if err != nil {
			return fail(err)
		}
		defer os.RemoveAll(dir)
		f.cacheDir = dir
	}
	s, err := prepareRun(ctx, f, h, command, stderr)
	if err != nil {
		return fail(err)
	}
	defer s.cells.Close()
	start := time.Now()
	res, runErr := runner.Run(ctx, s.g, runner.Options{Data: s.data,
		Jobs: f.jobs, Cache: s.cache, Host: h, Registry: s.reg, Cells: s.cells,
		Progress: progress.New(stderr), Timeout: f.timeout, Only: only,
		FiguresDir: figuresDir(s.outDir, f.figures), Fresh: freshPlugins(f.freshNames),
		FitEverySeed: !f.shareSeedIndependent,
	})
	h.KillAll()
	if runErr != nil && ctx.Err() == nil {
		return fail(runErr)
	}
	st := countRun(res)
	info := report.RunInfo{
		Experiment: s.g.Experiment.Name, Description: s.g.Experiment.Description, Notes: s.g.Experiment.Notes,
		Started: start.UTC().Format(time.RFC3339), WallSeconds: time.Since(start).Seconds(),
		Jobs: f.jobs, GoMaxProcs: runtime.GOMAXPROCS(0), Command: command, Interrupted: ctx.Err() != nil,
	}
	if info.Jobs == 0 {
		info.Jobs = runtime.GOMAXPROCS(0)
	}
	m, tables, err := publish(s.outDir, "latentbench results: "+s.g.Experiment.Name, f.figures, func(m *results.Merged) error {
		info.Cells, info.Failed, info.Data = len(m.Results), countFailed(m.Results), m.Data
		return writeRunInfo(s.outDir, info, st.hits == st.stages, s.cache.Earlier())
	})
	if err != nil {
		return fail(err)
	}
	if err := report.Terminal(stdout, tables); err != nil {
		return fail(err)
	}
	return runSummary(stderr, s, f, only, res, st, m, time.Since(start), ctx.Err() != nil)
}

// runCounts counts a run's failed cells and its stages' cache use.
type runCounts struct{ failed, hits, stages int }

func countRun(res []runner.Result) runCounts {
	var st runCounts
	st.failed = countFailed(res)
	for _, r := range res {
		for _, hit := range r.Cache {
			st.stages++
			if hit {
				st.hits++
			}
		}
	}
	return st
}

func countFailed(res []runner.Result) int {
	n := 0
	for _, r := range res {
		if r.Status != runner.StatusOK {
			n++
		}
	}
	return n
}

// runSummary prints what the run did and returns its exit status.
func runSummary(stderr io.Writer, s *runSetup, f *runFlags, only func(*grid.Cell) bool, res []runner.Result,
	st runCounts, m *results.Merged, wall time.Duration, interrupted bool) int {
	fmt.Fprintf(stderr, "\n%d cells finished in %s (%d failed); cache: %d of %d stage results reused; results in %s\n",
		len(res), wall.Round(100*time.Millisecond), st.failed, st.hits, st.stages, s.outDir)
	if len(m.Results) != len(res) || len(m.Missing) > 0 {
		fmt.Fprintf(stderr, "the results directory holds %d of the grid's %d cells (from %d cells files)\n",
			len(m.Results), len(s.g.Cells), len(m.Files))
	}
	if interrupted {
		fmt.Fprintf(stderr, "interrupted: %d cells did not finish; run the same command again to resume (finished stages are cached)\n",
			countCells(s.g, only)-len(res))
		return 130
	}
	if st.failed > 0 {
		return 1
	}
	return 0
}

// publish renders the merged results of dir under its lock: cells.jsonl
// (the union of every process's cells file), run.json (through record, when
// not nil), tables.md, tables.csv and report.md. Whichever process publishes
// last has seen every cell the others finished. Cells files of ended local
// processes whose every cell a later run replaced are removed.
func publish(dir, title string, withFigures bool, record func(*results.Merged) error) (*results.Merged, []report.Table, error) {
	unlock, err := results.Lock(dir)
	if err != nil {
		return nil, nil, err
	}
	defer unlock()
	m, err := results.Merge(dir)
	if err != nil {
		return nil, nil, err
	}
	m.RemoveSuperseded()
	if err := runner.WriteJSONL(filepath.Join(dir, "cells.jsonl"), m.Results); err != nil {
		return nil, nil, fmt.Errorf("write cells.jsonl: %w", err)
	}
	if record != nil {
		if err := record(m); err != nil {
			return nil, nil, err
		}
	}
	tables := report.Tables(m.Results)
	if err := report.WriteFiles(dir, title, tables); err != nil {
		return nil, nil, err
	}
	if err := report.Document(dir, m.Results, withFigures); err != nil {
		return nil, nil, err
	}
	return m, tables, nil
}

// writeRunInfo records the run in run.json so that the report can state what
// the results cost. computedNothing says every stage result came from the
// cache; earlier counts those made by earlier runs. A run completing an
// earlier partial one (interrupted, or a shard of the grid) or recomputing
// part of an earlier run's results (a rebuilt plugin, an added parameter
// value) adds its wall time to the earlier record; a rerun that computed
// nothing leaves the record of the run that did; a run that reused nothing of
// earlier runs starts a new record.
func writeRunInfo(dir string, info report.RunInfo, computedNothing bool, earlier int) error {
	if prev, ok := report.ReadRunInfo(dir); ok && prev.Experiment == info.Experiment {
		switch {
		case !computedNothing && (prev.Interrupted || prev.Cells < info.Cells || earlier > 0):
			info.WallSeconds += prev.WallSeconds
			info.Started = prev.Started
			info.Command = prev.Command + "; " + info.Command
		case computedNothing:
			// Keep the record of the run that computed the results; take
			// the config's current description and notes.
			if prev.Description == info.Description && prev.Notes == info.Notes && sameData(prev.Data, info.Data) {
				return nil
			}
			prev.Description, prev.Notes, prev.Data = info.Description, info.Notes, info.Data
			info = prev
		}
	}
	return writeRunInfoFile(dir, info)
}

// sameData reports whether two lists of data summaries describe the same
// data with the same findings (load times aside).
func sameData(a, b []dataset.Summary) bool {
	strip := func(list []dataset.Summary) string {
		list = slices.Clone(list)
		for i := range list {
			list[i].LoadSeconds = 0
		}
		j, _ := json.Marshal(list)
		return string(j)
	}
	return strip(a) == strip(b)
}

func writeRunInfoFile(dir string, info report.RunInfo) error {
	b, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	return runner.WriteFileAtomic(filepath.Join(dir, "run.json"), append(b, '\n'))
}

func figuresDir(outDir string, draw bool) string {
	if !draw {
		return ""
	}
	return filepath.Join(outDir, "figures")
}

// freshPlugins returns the plugins named by -no-cache-plugin (a comma list),
// whatever their kind, or nil when none is named.
func freshPlugins(list string) func(sdk.Kind, string) bool {
	names := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		if n = strings.TrimSpace(n); n != "" {
			names[n] = true
		}
	}
	if len(names) == 0 {
		return nil
	}
	return func(_ sdk.Kind, name string) bool { return names[name] }
}
