package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/latentbench/latentbench/harness/grid"
	"github.com/latentbench/latentbench/harness/host"
	"github.com/latentbench/latentbench/harness/results"
	"github.com/latentbench/latentbench/harness/runner"
)

const slurmUsage = `usage: latentbench slurm CONFIG -tasks N [flags]

Writes an sbatch array script into results/<experiment>/slurm/ whose task i
runs "latentbench run CONFIG -shard i/N" with the shared cache and plugin path,
submits it with sbatch, and submits a merge job ("latentbench merge") that runs
when every task has ended (afterany). The cache, the results directory, this
executable and the plugins must be on a file system every node sees at the
same paths (cells are appended per process and synced; the cache writes by
atomic rename and checks a checksum on every read).

flags:
  -tasks N            array tasks, one shard each (required, or taken from the last submission with -resume)
  -partition P        sbatch --partition
  -time T             sbatch --time (e.g. 2:00:00)
  -mem M              sbatch --mem (e.g. 8G)
  -cpus-per-task C    sbatch --cpus-per-task; each task runs C cells at once (-j C)
  -sbatch LINE        an extra #SBATCH line, e.g. -sbatch '--account=abc' (repeatable)
  -dry-run            write and print the scripts, submit nothing
  -resume             submit only the shards with missing or failed cells
  -cache DIR          stage cache (default "cache")
  -results DIR        results root (default "results")
  -plugins DIR        extra plugin directory
  -timeout D          per-cell timeout, overriding the grid's
  -figures=false      no figures
`

// slurmFlags are the flags of `latentbench slurm`.
type slurmFlags struct {
	config, partition, wall, mem, cacheDir, resultsRoot, pluginDir string
	tasks, cpus                                                    int
	extra                                                          []string
	timeout                                                        time.Duration
	dryRun, resume, figures                                        bool
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, "; ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func parseSlurmFlags(args []string, stderr io.Writer) (*slurmFlags, bool) {
	var f slurmFlags
	fs := flag.NewFlagSet("slurm", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.IntVar(&f.tasks, "tasks", 0, "")
	fs.StringVar(&f.partition, "partition", "", "")
	fs.StringVar(&f.wall, "time", "", "")
	fs.StringVar(&f.mem, "mem", "", "")
	fs.IntVar(&f.cpus, "cpus-per-task", 0, "")
	fs.Var((*multiFlag)(&f.extra), "sbatch", "")
	fs.BoolVar(&f.dryRun, "dry-run", false, "")
	fs.BoolVar(&f.resume, "resume", false, "")
	fs.StringVar(&f.cacheDir, "cache", "cache", "")
	fs.StringVar(&f.resultsRoot, "results", "results", "")
	fs.StringVar(&f.pluginDir, "plugins", "", "")
	fs.DurationVar(&f.timeout, "timeout", 0, "")
	fs.BoolVar(&f.figures, "figures", true, "")
	pos, err := parse(fs, args)
	if err != nil || len(pos) != 1 || f.tasks < 0 || (f.tasks == 0 && !f.resume) {
		if err != nil && !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stderr, "latentbench slurm: %v\n", err)
		}
		fmt.Fprint(stderr, slurmUsage)
		return nil, false
	}
	f.config = pos[0]
	return &f, true
}

// submission records one `latentbench slurm` submission in
// results/<experiment>/slurm/jobs.jsonl.
type submission struct {
	Submitted string `json:"submitted"`
	Tasks     int    `json:"tasks"`
	Shards    []int  `json:"shards"`
	ArrayJob  string `json:"array_job"`
	MergeJob  string `json:"merge_job"`
}

func cmdSlurm(args []string, stdout, stderr io.Writer) int {
	f, ok := parseSlurmFlags(args, stderr)
	if !ok {
		return 2
	}
	if err := slurm(f, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "latentbench slurm: %v\n", err)
		return 1
	}
	return 0
}

func slurm(f *slurmFlags, stdout, stderr io.Writer) error {
	h := host.New()
	defer h.KillAll()
	g, _, err := loadGrid(context.Background(), f.config, h, dirs(f.pluginDir))
	if err != nil {
		return err
	}
	h.KillAll()
	outDir := filepath.Join(f.resultsRoot, g.Experiment.Name)
	slurmDir := filepath.Join(outDir, "slurm")
	last, haveLast := lastSubmission(slurmDir)
	if f.tasks == 0 {
		if !haveLast {
			return errors.New("-resume without -tasks: no earlier submission in " + slurmDir)
		}
		f.tasks = last.Tasks
	}
	if f.resume && haveLast && !f.dryRun {
		if err := notQueued(last.ArrayJob, last.MergeJob); err != nil {
			return err
		}
	}
	if f.tasks > len(g.Cells) {
		return fmt.Errorf("-tasks %d: the grid has only %d cells", f.tasks, len(g.Cells))
	}
	shards := allShards(f.tasks)
	if f.resume {
		if shards, err = shardsToResume(outDir, g, f.tasks); err != nil {
			return err
		}
		if len(shards) == 0 {
			fmt.Fprintf(stdout, "nothing to resume: every cell of %s has a result in %s\n", g.Path, outDir)
			return nil
		}
	}
	p, err := slurmPaths(f, outDir)
	if err != nil {
		return err
	}
	if err := writeSlurmScripts(p, f, g, shards); err != nil {
		return err
	}
	if f.dryRun {
		return printScripts(stdout, p)
	}
	return submit(stdout, p, f, shards)
}

// notQueued fails when squeue still lists one of the jobs: resuming then
// would run the same shards twice at once.
func notQueued(ids ...string) error {
	out, err := exec.Command("squeue", "-h", "-o", "%i %T", "-j", strings.Join(ids, ",")).Output()
	if err != nil {
		return nil // squeue knows the jobs no more (or is absent): nothing runs
	}
	if s := strings.TrimSpace(string(out)); s != "" {
		return fmt.Errorf("jobs of the last submission are still queued or running (squeue -j %s):\n%s\nwait for them, or scancel them, before -resume",
			strings.Join(ids, ","), s)
	}
	return nil
}

func allShards(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// shardsToResume lists the shards (of n) that have cells without a result,
// or with a failed one, in outDir.
func shardsToResume(outDir string, g *grid.Grid, n int) ([]int, error) {
	ok := map[string]bool{}
	if results.HasCells(outDir) {
		m, err := results.Merge(outDir)
		if err != nil {
			return nil, err
		}
		if m.Config == results.ConfigDigest(g) {
			for _, r := range m.Results {
				ok[r.Cell] = r.Status == runner.StatusOK
			}
		}
	}
	need := map[int]bool{}
	var shards []int
	for i := range g.Cells {
		c := &g.Cells[i]
		if s := c.Index % n; !ok[c.ID] && !need[s] {
			need[s] = true
			shards = append(shards, s)
		}
	}
	slices.Sort(shards)
	return shards, nil
}

// paths are the absolute paths the scripts name (a task may start in any
// directory on any node).
type paths struct {
	exe, config, cache, resultsRoot, outDir, slurmDir, workDir string
	pluginPath                                                 []string
}

func slurmPaths(f *slurmFlags, outDir string) (*paths, error) {
	var p paths
	var err error
	abs := func(s string) string {
		if err != nil {
			return ""
		}
		var a string
		a, err = filepath.Abs(s)
		return a
	}
	exe, e := os.Executable()
	if e != nil {
		return nil, fmt.Errorf("locate latentbench: %w", e)
	}
	p.exe, p.config, p.cache = abs(exe), abs(f.config), abs(f.cacheDir)
	p.resultsRoot, p.outDir, p.workDir = abs(f.resultsRoot), abs(outDir), abs(".")
	for _, d := range host.PluginDirs(dirs(f.pluginDir)...) {
		p.pluginPath = append(p.pluginPath, abs(d))
	}
	p.slurmDir = filepath.Join(p.outDir, "slurm")
	return &p, err
}

func (p *paths) array() string { return filepath.Join(p.slurmDir, "array.sbatch") }
func (p *paths) merge() string { return filepath.Join(p.slurmDir, "merge.sbatch") }

// writeSlurmScripts writes the array script and the merge script.
func writeSlurmScripts(p *paths, f *slurmFlags, g *grid.Grid, shards []int) error {
	name := "latentbench-" + g.Experiment.Name
	var a bytes.Buffer
	fmt.Fprintf(&a, "#!/bin/bash\n# %s as %d shards, written by `latentbench slurm`: task i runs shard i/%d.\n", f.config, f.tasks, f.tasks)
	fmt.Fprintf(&a, "#SBATCH --job-name=%s\n#SBATCH --array=%s\n", name, arraySpec(shards))
	fmt.Fprintf(&a, "#SBATCH --output=%s\n", filepath.Join(p.slurmDir, "task-%A_%a.out"))
	writeResourceLines(&a, f)
	fmt.Fprintf(&a, "set -eu\ncd %s\nexport LATENTBENCH_PLUGIN_PATH=%s\n", shellQuote(p.workDir), shellQuote(strings.Join(p.pluginPath, string(os.PathListSeparator))))
	run := []string{shellQuote(p.exe), "run", shellQuote(p.config), "-shard", `"$SLURM_ARRAY_TASK_ID/` + strconv.Itoa(f.tasks) + `"`,
		"-cache", shellQuote(p.cache), "-results", shellQuote(p.resultsRoot), "-j", `"${SLURM_CPUS_PER_TASK:-1}"`}
	if f.timeout > 0 {
		run = append(run, "-timeout", f.timeout.String())
	}
	if !f.figures {
		run = append(run, "-figures=false")
	}
	fmt.Fprintf(&a, "exec %s\n", strings.Join(run, " "))

	var m bytes.Buffer
	fmt.Fprintf(&m, "#!/bin/bash\n# Merges the shards of %s once the array has ended, written by `latentbench slurm`.\n", f.config)
	fmt.Fprintf(&m, "#SBATCH --job-name=%s-merge\n#SBATCH --output=%s\n", name, filepath.Join(p.slurmDir, "merge-%j.out"))
	writeResourceLines(&m, &slurmFlags{partition: f.partition, wall: f.wall, extra: f.extra})
	fmt.Fprintf(&m, "set -eu\ncd %s\nexec %s merge %s -q\n", shellQuote(p.workDir), shellQuote(p.exe), shellQuote(p.outDir))
	if err := runner.WriteFileAtomic(p.array(), a.Bytes()); err != nil {
		return err
	}
	return runner.WriteFileAtomic(p.merge(), m.Bytes())
}

func writeResourceLines(w io.Writer, f *slurmFlags) {
	for _, o := range [][2]string{{"partition", f.partition}, {"time", f.wall}, {"mem", f.mem}} {
		if o[1] != "" {
			fmt.Fprintf(w, "#SBATCH --%s=%s\n", o[0], o[1])
		}
	}
	if f.cpus > 0 {
		fmt.Fprintf(w, "#SBATCH --cpus-per-task=%d\n", f.cpus)
	}
	for _, l := range f.extra {
		l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "#SBATCH"))
		fmt.Fprintf(w, "#SBATCH %s\n", l)
	}
}

// arraySpec renders shards as sbatch's --array list: ranges where they are
// consecutive (0-2,5).
func arraySpec(shards []int) string {
	var parts []string
	for i := 0; i < len(shards); {
		j := i
		for j+1 < len(shards) && shards[j+1] == shards[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d-%d", shards[i], shards[j]))
		} else {
			parts = append(parts, strconv.Itoa(shards[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+:=,@", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func printScripts(w io.Writer, p *paths) error {
	for _, s := range []string{p.array(), p.merge()} {
		b, err := os.ReadFile(s)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "==> %s <==\n%s\n", s, b)
	}
	fmt.Fprintf(w, "dry run: nothing submitted (submit with: sbatch %s, then sbatch --dependency=afterany:<array job id> %s)\n", p.array(), p.merge())
	return nil
}

// sbatch submits a script and returns its job ID.
func sbatch(args ...string) (string, error) {
	cmd := exec.Command("sbatch", append([]string{"--parsable"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("sbatch %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	id, _, _ := strings.Cut(strings.TrimSpace(string(out)), ";") // "id;cluster" on federations
	if id == "" {
		return "", fmt.Errorf("sbatch %s printed no job id", strings.Join(args, " "))
	}
	return id, nil
}

func submit(w io.Writer, p *paths, f *slurmFlags, shards []int) error {
	arrayID, err := sbatch(p.array())
	if err != nil {
		return err
	}
	mergeID, err := sbatch("--dependency=afterany:"+arrayID, p.merge())
	if err != nil {
		return fmt.Errorf("array job %s submitted, but the merge job not: %w (merge by hand: latentbench merge %s)", arrayID, err, p.outDir)
	}
	rec := submission{Submitted: time.Now().UTC().Format(time.RFC3339), Tasks: f.tasks, Shards: shards, ArrayJob: arrayID, MergeJob: mergeID}
	if err := appendSubmission(p.slurmDir, rec); err != nil {
		return err
	}
	rel := func(s string) string {
		if r, err := filepath.Rel(p.workDir, s); err == nil && !strings.HasPrefix(r, "..") {
			return r
		}
		return s
	}
	fmt.Fprintf(w, "submitted array job %s: %d tasks (shards %s of %d), script %s\n", arrayID, len(shards), arraySpec(shards), f.tasks, rel(p.array()))
	fmt.Fprintf(w, "submitted merge job %s: runs when the array has ended (afterany), script %s\n", mergeID, rel(p.merge()))
	fmt.Fprintf(w, "follow:  squeue -j %s,%s   (sacct -j %s,%s where accounting is enabled)\n", arrayID, mergeID, arrayID, mergeID)
	fmt.Fprintf(w, "logs:    %s   %s\n", rel(filepath.Join(p.slurmDir, "task-"+arrayID+"_<i>.out")), rel(filepath.Join(p.slurmDir, "merge-"+mergeID+".out")))
	fmt.Fprintf(w, "results: %s (tables.md, report.md) once job %s has ended; cells missing then: latentbench slurm %s -resume\n",
		rel(p.outDir), mergeID, f.config)
	return nil
}

func appendSubmission(dir string, s submission) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	fh, err := os.OpenFile(filepath.Join(dir, "jobs.jsonl"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	if _, err := fh.Write(append(b, '\n')); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

// lastSubmission reads the last line of dir/jobs.jsonl.
func lastSubmission(dir string) (submission, bool) {
	var s submission
	b, err := os.ReadFile(filepath.Join(dir, "jobs.jsonl"))
	if err != nil {
		return s, false
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return s, json.Unmarshal([]byte(lines[len(lines)-1]), &s) == nil && s.Tasks > 0
}
