package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
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
