package main

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// adbenchGrid times `latentbench run bench/adbench-grid.toml -no-cache` (the
// eight bundled ADBench sets, identity × iforest, lof, ocsvm: 24 cells, the
// binaries of `make build` in bin/) against a plain scikit-learn loop over
// the same sets (bench/peers/adbench_grid.py: load, scale, fit, score, AUC).
func adbenchGrid(e *env) (*Row, error) {
	cli, err := filepath.Abs(filepath.Join("bin", "latentbench"))
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(cli); err != nil {
		return nil, fmt.Errorf("needs `make build`: %w", err)
	}
	const grid = "bench/adbench-grid.toml"
	src, err := os.ReadFile(grid)
	if err != nil {
		return nil, err
	}
	var sets []string
	for _, m := range regexp.MustCompile(`(?m)^path = "([^"]+)"`).FindAllStringSubmatch(string(src), -1) {
		sets = append(sets, filepath.Join(filepath.Dir(grid), m[1]))
	}
	p, err := e.peer("adbench_grid.py", nil, "--sets", strings.Join(sets, ","), "--repeat", fmt.Sprint(e.repeat))
	if err != nil {
		return nil, err
	}
	ps, err := num(p, "seconds")
	if err != nil {
		return nil, err
	}
	results := filepath.Join(e.tmp, "adbench-grid-results")
	gs, err := best(e.repeat, func() error {
		out, err := exec.CommandContext(e.ctx, cli, "run", grid, "-no-cache", "-figures=false", "-results", results).CombinedOutput()
		if err != nil {
			return fmt.Errorf("latentbench run %s: %v\n%s", grid, err, out)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Row{Unit: "s", Go: gs, Peer: ps, PeerName: str(p, "peer_name"),
		Note: "24 cells; latentbench: plugin processes, results files and report included, cells 2 at a time"}, nil
}

// adbenchSeeds5 times `latentbench run bench/adbench-seeds5.toml -no-cache` (the grid of
// adbench-grid with five seeds, 120 cells) as it runs (go: the plugins' seed-independent
// fits shared by the seeds) against the same run with `-share-seed-independent=false`
// (peer: every seed fits, encodes and scores on its own, as before plugins declared their
// fits seed-independent). The two alternate, so that both see the same load; the best of
// each is kept. Unit: cells per second.
func adbenchSeeds5(e *env) (*Row, error) {
	cli, err := filepath.Abs(filepath.Join("bin", "latentbench"))
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(cli); err != nil {
		return nil, fmt.Errorf("needs `make build`: %w", err)
	}
	const grid = "bench/adbench-seeds5.toml"
	finished := regexp.MustCompile(`(\d+) cells finished in .* \((\d+) failed\)`)
	run := func(extra ...string) (cells int, seconds float64, err error) {
		args := append([]string{"run", grid, "-no-cache", "-figures=false", "-results", filepath.Join(e.tmp, "adbench-seeds5-results")}, extra...)
		start := time.Now()
		out, err := exec.CommandContext(e.ctx, cli, args...).CombinedOutput()
		seconds = time.Since(start).Seconds()
		if err != nil {
			return 0, 0, fmt.Errorf("latentbench %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		m := finished.FindSubmatch(out)
		if m == nil || string(m[2]) != "0" {
			return 0, 0, fmt.Errorf("latentbench %s: no summary line, or failed cells:\n%s", strings.Join(args, " "), out)
		}
		cells, _ = strconv.Atoi(string(m[1]))
		return cells, seconds, nil
	}
	after, before := math.Inf(1), math.Inf(1)
	cells := 0
	for range e.repeat {
		n, s, err := run()
		if err != nil {
			return nil, err
		}
		cells, after = n, min(after, s)
		if _, s, err = run("-share-seed-independent=false"); err != nil {
			return nil, err
		}
		before = min(before, s)
	}
	return &Row{Unit: "cells/s", Go: float64(cells) / after, Peer: float64(cells) / before,
		PeerName: "latentbench -share-seed-independent=false (every seed fits: before seed-independent stages)",
		Note: fmt.Sprintf("%d cells, 5 seeds; best of %d runs each (%.2f s against %.2f s); plugin processes and results files included, cells 2 at a time",
			cells, e.repeat, after, before)}, nil
}
