package results

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/latentbench/latentbench/harness/dataset"
	"github.com/latentbench/latentbench/harness/runner"
)

// Merged is the union of an experiment's cells files.
type Merged struct {
	// Experiment and Config (digest) are those of the cells files' headers.
	Experiment string
	Config     string
	// Results holds one result per cell, by cell index.
	Results []runner.Result
	// Missing lists the grid's cells that no file has a result for (empty
	// when the grid's cell list, cells/grid-<digest>.json, is absent).
	Missing []CellInfo
	// Total is the number of cells in the grid (0 when its list is absent).
	Total int
	// Files are the cells files read, and Duplicates the results dropped
	// because another file had the same cell with the same outcome or a
	// later run replaced it.
	Files      []string
	Duplicates int
	// superseded lists the files none of whose results were kept, with
	// their headers (see RemoveSuperseded).
	superseded []*file
	// Data holds one summary per data set (in the order of the grid, as
	// the latest process to start recorded it in its header): data
	// warnings are per data set, not per shard.
	Data []dataset.Summary
	// Torn counts incomplete last lines skipped: a process killed while
	// writing a cell, or one writing it right now (either way that cell does
	// not count as finished yet, so nothing finished is lost).
	Torn int
}

// file is one cells file read back.
type file struct {
	path    string
	header  Header
	results []runner.Result
	// last is the time the file was last appended to: with the header's
	// start it bounds when its process wrote.
	last time.Time
}

// Merge reads the cells files of dir (results/<experiment>) and combines
// them. It fails when the files come from different configs (naming them),
// or when two processes that ran at the same time disagree on a cell (its
// status or a metric). A result from a run that started after another
// process's last write replaces that process's result for the cell (a
// rerun after a plugin was rebuilt, say); identical duplicates (two
// identical runs, a resumed shard) count once.
func Merge(dir string) (*Merged, error) {
	paths, err := filepath.Glob(filepath.Join(dir, CellsDir, "*.jsonl"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("merge %s: no cells files in %s", dir, filepath.Join(dir, CellsDir))
	}
	sort.Strings(paths)
	m := &Merged{Files: paths}
	var files []*file
	for _, p := range paths {
		f, torn, err := readFile(p)
		if err != nil {
			return nil, err
		}
		m.Torn += torn
		files = append(files, f)
	}
	if err := sameConfig(files); err != nil {
		return nil, fmt.Errorf("merge %s: %w", dir, err)
	}
	m.Experiment, m.Config = files[0].header.Experiment, files[0].header.Config
	// Oldest run first, so that later runs replace earlier ones.
	sort.SliceStable(files, func(i, j int) bool { return files[i].header.Started.Before(files[j].header.Started) })
	if err := m.pick(files); err != nil {
		return nil, fmt.Errorf("merge %s: %w", dir, err)
	}
	m.Data = mergeData(files)
	m.missing(dir)
	return m, nil
}

type pick struct {
	f *file
	r *runner.Result
}

func (m *Merged) pick(files []*file) error {
	best := map[string]pick{}
	var conflicts []string
	for _, f := range files {
		for i := range f.results {
			r := &f.results[i]
			prev, seen := best[r.Cell]
			if !seen {
				best[r.Cell] = pick{f, r}
				continue
			}
			m.Duplicates++
			if prev.f != f && overlap(prev.f, f) && !sameOutcome(prev.r, r) {
				conflicts = append(conflicts, fmt.Sprintf("cell %s (#%d): %s in %s, %s in %s",
					r.Cell, r.Index, outcome(prev.r), prev.f.path, outcome(r), f.path))
				continue
			}
			best[r.Cell] = pick{f, r} // the later run (or line) wins
		}
	}
	if len(conflicts) > 0 {
		return fmt.Errorf("%d cells have conflicting results from processes that ran at the same time "+
			"(remove the cells file that is wrong, then merge again):\n  %s", len(conflicts), strings.Join(conflicts, "\n  "))
	}
	used := map[*file]bool{}
	for _, id := range slices.Sorted(maps.Keys(best)) {
		m.Results = append(m.Results, *best[id].r)
		used[best[id].f] = true
	}
	for _, f := range files {
		if !used[f] {
			m.superseded = append(m.superseded, f)
		}
	}
	sort.SliceStable(m.Results, func(i, j int) bool { return m.Results[i].Index < m.Results[j].Index })
	return nil
}

// mergeData keeps one data summary per data set name from the headers of
// files (sorted oldest first): the latest process's, in the order of its
// header, then data sets only older processes recorded.
func mergeData(files []*file) []dataset.Summary {
	var out []dataset.Summary
	seen := map[string]bool{}
	for i := len(files) - 1; i >= 0; i-- {
		for _, s := range files[i].header.Data {
			if !seen[s.Name] {
				seen[s.Name] = true
				out = append(out, s)
			}
		}
	}
	return out
}

// overlap reports whether two processes may have run at the same time: the
// later one started before the earlier one's last write.
func overlap(a, b *file) bool {
	if b.header.Started.Before(a.header.Started) {
		a, b = b, a
	}
	return !b.header.Started.After(a.last)
}

func sameOutcome(a, b *runner.Result) bool {
	return a.Status == b.Status && a.Index == b.Index && maps.Equal(a.Metrics, b.Metrics)
}

func outcome(r *runner.Result) string {
	if r.Status != runner.StatusOK {
		return r.Status
	}
	keys := slices.Sorted(maps.Keys(r.Metrics))
	parts := make([]string, 0, 3)
	for _, k := range keys {
		if len(parts) == 3 {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, fmt.Sprintf("%s=%.6g", k, r.Metrics[k]))
	}
	return "OK " + strings.Join(parts, " ")
}

func sameConfig(files []*file) error {
	byConfig := map[string][]string{}
	for _, f := range files {
		byConfig[f.header.Config] = append(byConfig[f.header.Config], filepath.Base(f.path))
	}
	if len(byConfig) == 1 {
		return nil
	}
	var b strings.Builder
	b.WriteString("the cells files come from different configs (a grid changed between runs); keep the files of one:")
	for _, d := range slices.Sorted(maps.Keys(byConfig)) {
		fmt.Fprintf(&b, "\n  config %s: %s", short(d), strings.Join(byConfig[d], ", "))
	}
	return errors.New(b.String())
}

// missing fills Missing and Total from the grid's cell list.
func (m *Merged) missing(dir string) {
	b, err := os.ReadFile(gridPath(dir, m.Config))
	if err != nil {
		return
	}
	var gf gridFile
	if json.Unmarshal(b, &gf) != nil {
		return
	}
	have := make(map[string]bool, len(m.Results))
	for _, r := range m.Results {
		have[r.Cell] = true
	}
	m.Total = len(gf.Cells)
	for _, c := range gf.Cells {
		if !have[c.Cell] {
			m.Missing = append(m.Missing, c)
		}
	}
}

func readHeader(path string) (Header, error) {
	f, err := os.Open(path)
	if err != nil {
		return Header{}, err
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadBytes('\n')
	if err != nil {
		return Header{}, fmt.Errorf("%s: no header line: %w", path, err)
	}
	return parseHeader(path, line)
}

func parseHeader(path string, line []byte) (Header, error) {
	var h Header
	if err := json.Unmarshal(line, &h); err != nil || h.Format == 0 {
		return h, fmt.Errorf("%s:1: not a cells file header (want {\"latentbench_cells\":1,...})", path)
	}
	if h.Format != formatVersion {
		return h, fmt.Errorf("%s:1: cells file format %d, this latentbench reads %d", path, h.Format, formatVersion)
	}
	return h, nil
}

// readFile reads one cells file. An incomplete last line (no newline: its
// writer died mid-write) is skipped and counted; any other bad line is an
// error naming the file and line.
func readFile(path string) (*file, int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, 0, err
	}
	f := &file{path: path, last: st.ModTime()}
	torn := 0
	if n := len(b); n > 0 && b[n-1] != '\n' {
		cut := bytes.LastIndexByte(b, '\n') + 1
		b, torn = b[:cut], 1
	}
	lines := bytes.SplitAfter(b, []byte("\n"))
	if len(lines) == 0 || len(bytes.TrimSpace(lines[0])) == 0 {
		return nil, 0, fmt.Errorf("%s: empty cells file (no header)", path)
	}
	if f.header, err = parseHeader(path, lines[0]); err != nil {
		return nil, 0, err
	}
	for i, line := range lines[1:] {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var r runner.Result
		if err := json.Unmarshal(line, &r); err != nil {
			return nil, 0, fmt.Errorf("%s:%d: %w", path, i+2, err)
		}
		if r.Cell == "" {
			return nil, 0, fmt.Errorf("%s:%d: a line without a cell id", path, i+2)
		}
		f.results = append(f.results, r)
	}
	return f, torn, nil
}

// Shards returns, for a grid split into n shards by cell index modulo n, the
// shards that have missing cells, ascending.
func (m *Merged) Shards(n int) []int {
	seen := map[int]bool{}
	for _, c := range m.Missing {
		seen[c.Index%n] = true
	}
	return slices.Sorted(maps.Keys(seen))
}

// RemoveSuperseded deletes the cells files none of whose results Merge kept
// (every cell they hold came again from a later or an identical run), when
// the process that wrote them ran on this host and has ended; files of other
// hosts, or of processes still running, stay. It returns the files removed.
// Call it under Lock, right after Merge, so that repeated runs leave one
// file per live process rather than one per run.
func (m *Merged) RemoveSuperseded() []string {
	host, _ := os.Hostname()
	var removed []string
	for _, f := range m.superseded {
		if f.header.Host != host || f.header.PID <= 0 || processAlive(f.header.PID) {
			continue
		}
		if os.Remove(f.path) == nil {
			removed = append(removed, f.path)
		}
	}
	return removed
}

// processAlive reports whether a process with this PID runs on this host
// (a reused PID keeps a file, the safe direction).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
