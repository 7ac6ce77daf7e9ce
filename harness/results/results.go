// Package results keeps the results directory of an experiment,
// results/<experiment>/, safe for any number of processes writing into it at
// once: the shards of one grid, repeats of the same command, on one host or on
// several hosts over a shared file system.
//
// Each process appends the cells it finishes to a file of its own,
// cells/<shard>-<host>-<pid>-<time>.jsonl, one JSON line per cell, synced to
// disk before the next cell is reported, so a crash or a kill loses nothing
// finished. The first line of the file is a Header naming the grid (the
// SHA-256 of the config file) and the process. No two processes write one
// file, so nothing needs a lock while cells run.
//
// Merge reads every cells file, checks that they come from one grid, keeps
// one result per cell, refuses conflicting duplicates and lists the cells of
// the grid that have no result. Rendering the merged form (cells.jsonl,
// tables, report, run.json) is done under Lock, so that the process that
// renders last has seen every finished cell of every process.
package results

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/latentbench/latentbench/harness/dataset"
	"github.com/latentbench/latentbench/harness/grid"
	"github.com/latentbench/latentbench/harness/runner"
)

// CellsDir is the folder of an experiment's results directory holding the
// per-process cells files.
const CellsDir = "cells"

// formatVersion identifies the cells-file format in each Header.
const formatVersion = 1

// Header is the first line of a cells file.
type Header struct {
	// Format is the cells-file format version (1); its JSON key marks the
	// line as a header.
	Format int `json:"latentbench_cells"`
	// Experiment is the grid's experiment name.
	Experiment string `json:"experiment"`
	// Config is the SHA-256 (hex) of the grid's config file: results of
	// different configs never merge.
	Config string `json:"config"`
	// Shard is the -shard I/N the process ran ("" for the whole grid).
	Shard   string    `json:"shard,omitempty"`
	Host    string    `json:"host"`
	PID     int       `json:"pid"`
	Started time.Time `json:"started"`
	Command string    `json:"command,omitempty"`
	// Data summarises the grid's data sets as this process loaded them
	// (warnings included): Merge keeps one summary per data set.
	Data []dataset.Summary `json:"data,omitempty"`
}

// ConfigDigest is the digest a Header records for a grid: the SHA-256 of its
// config file's bytes.
func ConfigDigest(g *grid.Grid) string {
	sum := sha256.Sum256(g.Source)
	return hex.EncodeToString(sum[:])
}

// CellInfo names one cell of a grid, for the list of missing cells.
type CellInfo struct {
	Index    int    `json:"index"`
	Cell     string `json:"cell"`
	Dataset  string `json:"dataset"`
	Encoder  string `json:"encoder"`
	Detector string `json:"detector,omitempty"`
	Seed     int64  `json:"seed"`
}

func (c CellInfo) String() string {
	s := fmt.Sprintf("#%d %s (%s, %s", c.Index, c.Cell, c.Dataset, c.Encoder)
	if c.Detector != "" {
		s += ", " + c.Detector
	}
	return s + fmt.Sprintf(", seed %d)", c.Seed)
}

// gridFile lists a grid's cells so that Merge can name the missing ones
// without loading plugins; one per config digest, cells/grid-<digest>.json.
type gridFile struct {
	Experiment string     `json:"experiment"`
	Config     string     `json:"config"`
	Cells      []CellInfo `json:"cells"`
}

func gridPath(dir, digest string) string {
	return filepath.Join(dir, CellsDir, "grid-"+digest[:16]+".json")
}

// Cells lists the cells of g as CellInfo.
func Cells(g *grid.Grid) []CellInfo {
	out := make([]CellInfo, len(g.Cells))
	for i := range g.Cells {
		c := &g.Cells[i]
		out[i] = CellInfo{Index: c.Index, Cell: c.ID, Dataset: c.Dataset.Name, Encoder: c.Encoder.Label, Seed: c.Seed}
		if c.Detector != nil {
			out[i].Detector = c.Detector.Label
		}
	}
	return out
}

// Writer appends one process's finished cells to its own cells file.
type Writer struct {
	mu   sync.Mutex
	f    *os.File
	path string
}

// Create prepares dir (results/<experiment>) for a process running grid g:
// it records the grid's cell list, moves cells files of other configs into
// cells/old-<digest>/ (their results no longer describe the grid), and
// creates this process's cells file with its header. h.Config, h.Experiment,
// h.Host, h.PID and h.Started are filled in when empty.
func Create(dir string, g *grid.Grid, h Header) (*Writer, error) {
	h.Format = formatVersion
	if h.Config == "" {
		h.Config = ConfigDigest(g)
	}
	if h.Experiment == "" {
		h.Experiment = g.Experiment.Name
	}
	if h.Host == "" {
		h.Host, _ = os.Hostname()
	}
	if h.PID == 0 {
		h.PID = os.Getpid()
	}
	if h.Started.IsZero() {
		h.Started = time.Now().UTC()
	}
	cells := filepath.Join(dir, CellsDir)
	if err := os.MkdirAll(cells, 0o755); err != nil {
		return nil, err
	}
	gf, err := json.MarshalIndent(gridFile{Experiment: h.Experiment, Config: h.Config, Cells: Cells(g)}, "", " ")
	if err != nil {
		return nil, err
	}
	if err := runner.WriteFileAtomic(gridPath(dir, h.Config), append(gf, '\n')); err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	unlock, err := Lock(dir)
	if err != nil {
		return nil, err
	}
	err = setAsideOtherConfigs(dir, h.Config)
	unlock()
	if err != nil {
		return nil, err
	}
	f, path, err := createUnique(cells, fileStem(h))
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	w := &Writer{f: f, path: path}
	if err := w.appendLine(h); err != nil {
		f.Close()
		return nil, err
	}
	return w, nil
}

func fileStem(h Header) string {
	stem := "all"
	if h.Shard != "" {
		stem = "shard" + strings.ReplaceAll(h.Shard, "/", "of")
	}
	host := strings.Map(func(r rune) rune {
		if r == '/' || r == os.PathSeparator || r < ' ' {
			return '_'
		}
		return r
	}, h.Host)
	return fmt.Sprintf("%s-%s-%d-%s", stem, host, h.PID, h.Started.Format("20060102T150405"))
}

// createUnique creates dir/stem.jsonl, or dir/stem-2.jsonl and so on when a
// file of that name exists (a reused PID within one second).
func createUnique(dir, stem string) (*os.File, string, error) {
	for i := 1; ; i++ {
		name := stem + ".jsonl"
		if i > 1 {
			name = fmt.Sprintf("%s-%d.jsonl", stem, i)
		}
		p := filepath.Join(dir, name)
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		return f, p, err
	}
}

// Path is the cells file this writer appends to.
func (w *Writer) Path() string { return w.path }

// Append writes one finished cell as a line and syncs the file, so the cell
// survives a crash of this process or of the host once Append returns.
func (w *Writer) Append(r *runner.Result) error {
	return w.appendLine(r)
}

func (w *Writer) appendLine(v any) error {
	b, err := marshalLine(v)
	if err != nil {
		return fmt.Errorf("results: encode: %w", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := w.f.Write(b); err != nil {
		return fmt.Errorf("results: append to %s: %w", w.path, err)
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("results: sync %s: %w", w.path, err)
	}
	return nil
}

func marshalLine(v any) ([]byte, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

// Close closes the cells file.
func (w *Writer) Close() error { return w.f.Close() }

// setAsideOtherConfigs moves the cells files whose header names another
// config into cells/old-<digest>/.
func setAsideOtherConfigs(dir, digest string) error {
	files, err := filepath.Glob(filepath.Join(dir, CellsDir, "*.jsonl"))
	if err != nil {
		return err
	}
	for _, p := range files {
		h, err := readHeader(p)
		if err != nil || h.Config == digest {
			continue // unreadable headers are Merge's to report
		}
		old := filepath.Join(dir, CellsDir, "old-"+short(h.Config))
		if err := os.MkdirAll(old, 0o755); err != nil {
			return err
		}
		if err := os.Rename(p, filepath.Join(old, filepath.Base(p))); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("results: set aside %s: %w", p, err)
		}
	}
	return nil
}

func short(digest string) string {
	if len(digest) > 12 {
		return digest[:12]
	}
	return digest
}

// Lock takes an exclusive lock on dir's cells folder (flock, which Linux
// maps to POSIX locks on NFS) and returns its release. Rendering the merged
// results happens under it: of the processes that render, the last one sees
// every cell the others appended before they rendered.
func Lock(dir string) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Join(dir, CellsDir), 0o755); err != nil {
		return nil, err
	}
	p := filepath.Join(dir, CellsDir, ".lock")
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("results: lock: %w", err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("results: lock %s: %w", p, err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// HasCells reports whether dir holds per-process cells files (a results
// directory written before they existed has only cells.jsonl).
func HasCells(dir string) bool {
	files, _ := filepath.Glob(filepath.Join(dir, CellsDir, "*.jsonl"))
	return len(files) > 0
}
