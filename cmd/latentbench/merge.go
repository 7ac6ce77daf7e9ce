package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/latentbench/latentbench/harness/report"
	"github.com/latentbench/latentbench/harness/results"
)

// cmdMerge combines the cells files of a results directory (the shards of a
// grid, repeats, a resumed run) into cells.jsonl and renders the tables and
// report from them. The exit status is 1 when cells of the grid are missing
// (the tables are rendered from the cells present), 2 when the files cannot
// be merged (different configs, conflicting duplicates, a corrupt line).
func cmdMerge(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("merge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quiet := fs.Bool("q", false, "print the summary only, not the tables")
	pos, err := parse(fs, args)
	if err != nil || len(pos) != 1 {
		fmt.Fprint(stderr, "usage: latentbench merge DIR   (DIR = results/<experiment>)\n")
		return 2
	}
	dir := pos[0]
	m, tables, err := mergeDir(dir)
	if err != nil {
		fmt.Fprintf(stderr, "latentbench merge: %v\n", err)
		return 2
	}
	if !*quiet {
		if err := report.Terminal(stdout, tables); err != nil {
			fmt.Fprintf(stderr, "latentbench merge: %v\n", err)
			return 2
		}
	}
	printMerged(stdout, dir, m)
	if len(m.Missing) > 0 {
		return 1
	}
	return 0
}

// mergeDir merges dir's cells files and renders them; run.json, when
// present, is updated to count the merged cells and to hold one summary per
// data set (from the cells files' headers).
func mergeDir(dir string) (*results.Merged, []report.Table, error) {
	title := "latentbench results: " + filepath.Base(filepath.Clean(dir))
	_, err := os.Stat(filepath.Join(dir, "figures"))
	return publish(dir, title, err == nil, func(m *results.Merged) error {
		info, ok := report.ReadRunInfo(dir)
		data := info.Data
		if len(m.Data) > 0 {
			data = m.Data
		}
		if !ok || (info.Cells == len(m.Results) && info.Failed == countFailed(m.Results) && sameData(info.Data, data)) {
			return nil
		}
		info.Cells, info.Failed, info.Data = len(m.Results), countFailed(m.Results), data
		return writeRunInfoFile(dir, info)
	})
}

// printMerged says what the merge found: cells, files, duplicates, and the
// missing cells by name.
func printMerged(w io.Writer, dir string, m *results.Merged) {
	total := fmt.Sprint(m.Total)
	if m.Total == 0 {
		total = "?"
	}
	fmt.Fprintf(w, "%s: %d of %s cells from %d cells files (%d duplicates dropped",
		dir, len(m.Results), total, len(m.Files), m.Duplicates)
	if m.Torn > 0 {
		fmt.Fprintf(w, ", %d incomplete last lines skipped: a process killed or still writing", m.Torn)
	}
	fmt.Fprintf(w, "); %d failed\n", countFailed(m.Results))
	if len(m.Missing) == 0 {
		return
	}
	lines := make([]string, len(m.Missing))
	for i, c := range m.Missing {
		lines[i] = "  " + c.String()
	}
	fmt.Fprintf(w, "%d cells missing:\n%s\n", len(m.Missing), strings.Join(lines, "\n"))
	fmt.Fprintf(w, "rerun their shards (`latentbench run CONFIG -shard I/N`, or `latentbench slurm CONFIG -resume`), then merge again\n")
}
