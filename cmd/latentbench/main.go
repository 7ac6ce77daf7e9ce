// Command latentbench runs latent-space anomaly-detection benchmark grids.
//
//	latentbench plan CONFIG                 print the cells a grid expands to
//	latentbench run CONFIG [-j N] [...]     run (or resume) a grid, print its tables
//	latentbench report DIR                  re-render the tables of results/<experiment>
//	latentbench merge DIR                   combine the cells files of shards and repeats, render
//	latentbench slurm CONFIG -tasks N       run the grid as a Slurm array job, merged at its end
//	latentbench plugins                     list installed plugins and their parameters
//	latentbench cache [prune] [flags]       show the stage cache's size, or prune it
//	latentbench plugin test|new ...         check a plugin against the contract, or scaffold one
//
// Plugins are executables named latentbench-encoder-NAME and
// latentbench-detector-NAME, found in $LATENTBENCH_PLUGIN_PATH and beside this
// executable.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/latentbench/latentbench/harness/cache"
	"github.com/latentbench/latentbench/harness/grid"
	"github.com/latentbench/latentbench/harness/host"
	"github.com/latentbench/latentbench/harness/regress"
	"github.com/latentbench/latentbench/harness/report"
	"github.com/latentbench/latentbench/harness/results"
	"github.com/latentbench/latentbench/sdk"
)

const usage = `latentbench: latent-space anomaly-detection benchmarks

usage:
  latentbench plan CONFIG               print the cells CONFIG expands to
  latentbench run CONFIG [flags]        run (or resume) the grid and print its tables
  latentbench report DIR                re-render the tables from DIR/cells.jsonl (merging DIR/cells/ first)
  latentbench merge DIR                 combine the cells files DIR/cells/*.jsonl of every process that ran
                                        the grid (shards, repeats) into DIR/cells.jsonl, render the tables,
                                        list missing cells (exit status 1 when cells are missing)
  latentbench slurm CONFIG -tasks N [flags]
                                        submit the grid as a Slurm array of N shards and a merge job
                                        after it (see "latentbench slurm -h")
  latentbench plugins                   list installed plugins with their parameters
  latentbench compare BASE NEW -config CONFIG
                                        compare NEW/cells.jsonl with BASE/cells.jsonl within the
                                        tolerances of CONFIG's [regression] table
  latentbench rank DIR [-metric auc] [-by detector|encoder] [-baseline NAME] [-png FILE]
                                        rank the methods over DIR's data sets: Friedman, pairwise
                                        Wilcoxon with Holm, wins/ties/losses, critical-difference diagram
  latentbench cache [-cache DIR]        show the stage cache's entries and size
  latentbench cache prune [-cache DIR] [-older-than D] [-max-size SIZE] [-n]
                                        remove entries unused for D (e.g. 30d, 12h) and then the
                                        least recently used beyond SIZE (e.g. 5G); -n only reports
  latentbench plugin test NAME|PATH     run a plugin through the contract's conformance checks
  latentbench plugin new NAME -kind detector|encoder -lang go|python
                                        write a working plugin skeleton (latentbench plugin help)

run flags:
  -j N            cells run at once (default: number of CPUs)
  -cache DIR      stage cache (default "cache")
  -results DIR    results root; results go to DIR/<experiment> (default "results")
  -timeout D      per-cell timeout, overriding the grid's (e.g. 10m)
  -shard I/N      run only the cells whose index is I modulo N (any number of processes may write
                  into one results directory at once: each appends to its own DIR/cells/*.jsonl)
  -plugins DIR    extra plugin directory (searched before the executable's own)
  -figures=false  no figures (report.md then has tables only)
  -v              show every line plugins log
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "plan":
		err = cmdPlan(args[1:], stdout)
	case "run":
		return cmdRun(args[1:], stdout, stderr)
	case "report":
		err = cmdReport(args[1:], stdout)
	case "merge":
		return cmdMerge(args[1:], stdout, stderr)
	case "slurm":
		return cmdSlurm(args[1:], stdout, stderr)
	case "plugins":
		err = cmdPlugins(args[1:], stdout)
	case "compare":
		return cmdCompare(args[1:], stdout, stderr)
	case "cache":
		err = cmdCache(args[1:], stdout)
	case "rank":
		return cmdRank(args[1:], stdout, stderr)
	case "plugin":
		return cmdPlugin(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "latentbench: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "latentbench %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

// parse parses flags given before or after the positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// discover finds the installed plugins; each is described when a command
// first uses it, its description kept by code digest in the user's cache
// directory (see host.Registry).
func discover(ctx context.Context, h *host.Host, extra []string) (*host.Registry, error) {
	descCache := ""
	if dir, err := os.UserCacheDir(); err == nil {
		descCache = filepath.Join(dir, "latentbench", "plugins")
	}
	reg, err := host.Discover(ctx, h, host.PluginDirs(extra...), descCache)
	if err != nil {
		return nil, err
	}
	for _, w := range reg.Warnings {
		fmt.Fprintf(os.Stderr, "warning: %s\n", w)
	}
	return reg, nil
}

func loadGrid(ctx context.Context, path string, h *host.Host, extra []string) (*grid.Grid, *host.Registry, error) {
	reg, err := discover(ctx, h, extra)
	if err != nil {
		return nil, nil, err
	}
	g, err := grid.Load(path, reg)
	if err != nil {
		var errs grid.Errors
		if errors.As(err, &errs) && len(errs) > 1 {
			lines := make([]string, len(errs))
			for i, e := range errs {
				lines[i] = e.Error()
			}
			return nil, nil, fmt.Errorf("%d errors:\n%s", len(errs), strings.Join(lines, "\n"))
		}
		return nil, nil, err
	}
	return g, reg, nil
}

func cmdPlan(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("plan", flag.ContinueOnError)
	var pluginDir string
	fs.StringVar(&pluginDir, "plugins", "", "extra plugin directory")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("usage: latentbench plan CONFIG")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	h := host.New()
	defer h.KillAll()
	g, _, err := loadGrid(ctx, pos[0], h, dirs(pluginDir))
	if err != nil {
		return err
	}
	if _, _, err := checkData(ctx, g, stdout); err != nil {
		return err
	}
	g.Plan(stdout)
	return nil
}

func dirs(d string) []string {
	if d == "" {
		return nil
	}
	return []string{d}
}

func countCells(g *grid.Grid, only func(*grid.Cell) bool) int {
	n := 0
	for i := range g.Cells {
		if only == nil || only(&g.Cells[i]) {
			n++
		}
	}
	return n
}

func parseShard(s string) (func(*grid.Cell) bool, error) {
	if s == "" {
		return nil, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return nil, fmt.Errorf("-shard %q: want I/N with 0 ≤ I < N, e.g. 0/4", s)
	}
	return func(c *grid.Cell) bool { return c.Index%n == i }, nil
}

func cmdReport(args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return errors.New("usage: latentbench report DIR")
	}
	if results.HasCells(args[0]) {
		m, tables, err := mergeDir(args[0])
		if err != nil {
			return err
		}
		if err := report.Terminal(stdout, tables); err != nil {
			return err
		}
		printMerged(stdout, args[0], m)
		return nil
	}
	rs, err := report.Load(args[0])
	if err != nil {
		return err
	}
	tables := report.Tables(rs)
	title := "latentbench results: " + filepath.Base(filepath.Clean(args[0]))
	if err := report.WriteFiles(args[0], title, tables); err != nil {
		return err
	}
	_, err = os.Stat(filepath.Join(args[0], "figures"))
	if err := report.Document(args[0], rs, err == nil); err != nil {
		return err
	}
	return report.Terminal(stdout, tables)
}

func cmdPlugins(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("plugins", flag.ContinueOnError)
	pluginDir := fs.String("plugins", "", "extra plugin directory")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	h := host.New()
	defer h.KillAll()
	reg, err := discover(context.Background(), h, dirs(*pluginDir))
	if err != nil {
		return err
	}
	reg.DescribeAll()
	for _, kind := range []sdk.Kind{sdk.KindEncoder, sdk.KindDetector} {
		names := reg.Names(kind)
		fmt.Fprintf(stdout, "%ss (%d):\n", kind, len(names))
		for _, name := range names {
			p, err := reg.Plugin(kind, name)
			if err != nil {
				fmt.Fprintf(stdout, "\n  %s\n", strings.ReplaceAll(err.Error(), "\n", "\n  "))
				continue
			}
			d := p.Desc
			flags := ""
			if d.NeedsLabels {
				flags = " [needs class labels]"
			}
			if d.UsesGroups {
				flags = " [uses cluster groups]"
			}
			fmt.Fprintf(stdout, "\n  %s %s%s\n    %s\n    %s\n", d.Name, d.Version, flags, d.Doc, p.Path)
			for _, s := range d.Params {
				def := fmt.Sprint(s.Default)
				if str, ok := s.Default.(string); ok {
					def = strconv.Quote(str)
				}
				choices := ""
				if len(s.Choices) > 0 {
					choices = " (one of " + strings.Join(s.Choices, ", ") + ")"
				}
				fmt.Fprintf(stdout, "    %-22s %-10s default %-10s %s%s\n", s.Name, s.Type, def, s.Doc, choices)
			}
		}
		fmt.Fprintln(stdout)
	}
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// cmdCompare compares two result directories metric by metric; the exit
// status is 1 when a metric moved beyond its tolerance.
func cmdCompare(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "", "grid whose [regression] table gives the tolerances (required)")
	pluginDir := fs.String("plugins", "", "extra plugin directory")
	pos, err := parse(fs, args)
	if err != nil || len(pos) != 2 || *config == "" {
		fmt.Fprint(stderr, "usage: latentbench compare BASE NEW -config CONFIG\n")
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "latentbench compare: %v\n", err)
		return 2
	}
	h := host.New()
	defer h.KillAll()
	g, _, err := loadGrid(context.Background(), *config, h, dirs(*pluginDir))
	if err != nil {
		return fail(err)
	}
	base, err := report.Load(pos[0])
	if err != nil {
		return fail(err)
	}
	cur, err := report.Load(pos[1])
	if err != nil {
		return fail(err)
	}
	diffs := regress.Compare(base, cur, g.Regression)
	fmt.Fprint(stdout, regress.Format(diffs))
	if len(diffs) > 0 {
		return 1
	}
	return 0
}

// cmdCache shows the stage cache's size or prunes it.
func cmdCache(args []string, stdout io.Writer) error {
	prune := len(args) > 0 && args[0] == "prune"
	if prune {
		args = args[1:]
	}
	fs := flag.NewFlagSet("cache", flag.ContinueOnError)
	dir := fs.String("cache", "cache", "stage cache directory")
	olderThan := fs.String("older-than", "", "remove entries unused for this long (30d, 12h)")
	maxSize := fs.String("max-size", "", "then remove the least recently used entries beyond this size (5G, 500M)")
	dry := fs.Bool("n", false, "report what would be removed, remove nothing")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q (usage: latentbench cache [prune] [-cache DIR] ...)", pos[0])
	}
	if _, err := os.Stat(*dir); err != nil {
		return fmt.Errorf("cache %s: %w", *dir, err)
	}
	c, err := cache.Open(*dir)
	if err != nil {
		return err
	}
	if !prune {
		if *olderThan != "" || *maxSize != "" || *dry {
			return errors.New("-older-than, -max-size and -n go with \"latentbench cache prune\"")
		}
		st, err := c.Stat()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %s\n", *dir, st)
		return nil
	}
	var opt cache.PruneOptions
	if *olderThan != "" {
		if opt.OlderThan, err = parseAge(*olderThan); err != nil {
			return fmt.Errorf("-older-than: %w", err)
		}
	}
	if *maxSize != "" {
		if opt.MaxBytes, err = cache.ParseBytes(*maxSize); err != nil {
			return fmt.Errorf("-max-size: %w", err)
		}
	}
	if opt.OlderThan == 0 && opt.MaxBytes == 0 {
		return errors.New("cache prune needs -older-than or -max-size (or both)")
	}
	opt.DryRun = *dry
	res, err := c.Prune(opt)
	if err != nil {
		return err
	}
	verb := "removed"
	if *dry {
		verb = "would remove"
	}
	fmt.Fprintf(stdout, "%s: %s %s of %s; %d stale temporary files\n", *dir, verb, res.Removed, res.Before, res.Temps)
	return nil
}

// parseAge reads a Go duration (12h, 90m) or a number of days (30d).
func parseAge(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseFloat(d, 64)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("%q: want a positive number of days (30d) or a duration (12h)", s)
		}
		return time.Duration(n * float64(24*time.Hour)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q: want a positive number of days (30d) or a duration (12h)", s)
	}
	return d, nil
}
