package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"

	"github.com/latentbench/latentbench/harness/dataset"
	"github.com/latentbench/latentbench/harness/grid"
	"github.com/latentbench/latentbench/harness/runner"
	"github.com/latentbench/latentbench/sdk"
)

func testCell(index int, dataset_, encoder, detector string) *grid.Cell {
	c := &grid.Cell{Index: index, ID: "abcdef012345", Dataset: &dataset.Spec{Name: dataset_},
		Encoder: grid.Instance{Label: encoder}, Seed: 3}
	if detector != "" {
		c.Detector = &grid.Instance{Label: detector}
	}
	return c
}

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		in    string
		width int
		want  string
	}{
		{"abcdef", 10, "abcdef"},
		{"abcdef", 3, "abc"},
		{"abcdef", 0, ""},
		{"abcdef", -1, ""},
		{"γ = 0.3, β = 1", 5, "γ = 0"},     // two-byte runes count one column each
		{"数据集 digits", 5, "数据"},            // wide characters count two: never half of one
		{"数据集 digits", 4, "数据"},            //
		{"e\u0301te\u0301", 2, "e\u0301t"}, // a combining accent stays with its letter
	} {
		got := clip(tc.in, tc.width)
		if got != tc.want {
			t.Errorf("clip(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("clip(%q, %d) = %q is not valid UTF-8", tc.in, tc.width, got)
		}
	}
}

func TestPlain(t *testing.T) {
	var b bytes.Buffer
	p := &Plain{W: &b}
	p.Start(12)
	c := testCell(0, "digits", "venc", "itrees")
	p.CellStarted(c)
	p.Stage(c, "fit")
	p.Epoch(c, sdk.Progress{Epoch: 2, Epochs: 50, Values: map[string]float64{"loss": 151.25, "kl": 5.5}})
	p.CellDone(c, &runner.Result{Status: runner.StatusOK, Wall: 1.25, Cache: map[string]bool{"fit": true, "encode": true, "detect": false}})
	p.CellDone(testCell(1, "digits", "venc", ""), &runner.Result{Status: runner.StatusError, Wall: 0.5, Error: "plugin venc: fit: boom\nlast stderr line"})
	p.Finish()
	want := "running 12 cells\n" +
		"         abcdef012345 venc: epoch 2/50 kl 5.5 loss 151.2\n" +
		"[ 1/12] OK       abcdef012345 digits / venc / itrees seed 3 (1.2s, cached: encode fit)\n" +
		"[ 2/12] ERROR    abcdef012345 digits / venc seed 3 (0.5s)\n" +
		"    plugin venc: fit: boom\n    last stderr line\n"
	if b.String() != want {
		t.Errorf("plain output:\n%s\nwant:\n%s", b.String(), want)
	}
}

// TestTerminalClipsByColumns: the lines of active cells are cut to the
// terminal's width in columns, never inside a character, and each redraw first
// moves up over the lines drawn before.
func TestTerminalClipsByColumns(t *testing.T) {
	var b bytes.Buffer
	term := newTerminal(&b, 40)
	term.total, term.start = 3, time.Now()
	wide := testCell(0, "données-été", "编码器-γ=0.3", "détecteur")
	term.CellStarted(wide)
	term.Stage(wide, "cluster")
	term.CellStarted(testCell(1, "image", "enc", "knn"))
	term.CellDone(testCell(2, "digits", "proj", "knn"), &runner.Result{Status: runner.StatusError, Error: "boom"})
	first := b.String()
	if !strings.Contains(first, "ERROR    abcdef012345 digits / proj / knn seed 3 (0.0s)\n    boom\n") {
		t.Errorf("a failed cell's line is not printed above the display:\n%q", first)
	}
	if !strings.Contains(first, "cells [##########....................] 1/3, 1 failed") {
		t.Errorf("bar missing:\n%q", first)
	}
	lines := strings.Split(first, "\n")
	active := lines[len(lines)-2:]
	if !strings.HasPrefix(active[0], "  abcdef012345 données-été / 编码器") || !strings.HasPrefix(active[1], "  abcdef012345 image / enc / knn seed 3") {
		t.Errorf("active lines %q", active)
	}
	for _, l := range active {
		if !utf8.ValidString(l) {
			t.Errorf("line %q is not valid UTF-8", l)
		}
		if w := runewidth.StringWidth(l); w > 39 {
			t.Errorf("line %q is %d columns wide, more than 39", l, w)
		}
	}
	b.Reset()
	term.Epoch(wide, sdk.Progress{Epoch: 1, Epochs: 2})
	term.CellDone(wide, &runner.Result{Status: runner.StatusOK})
	if again := b.String(); !strings.HasPrefix(again, "\r\x1b[2A\x1b[J") || strings.Contains(again, "编码器") {
		t.Errorf("second redraw %q", again)
	}
}
