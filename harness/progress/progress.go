// Package progress shows what a run is doing: a redrawn display with a bar
// of finished cells and one line per active cell (stage, epoch, loss) on a
// terminal, plain log lines otherwise.
package progress

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-runewidth"
	"golang.org/x/term"

	"github.com/latentbench/latentbench/harness/grid"
	"github.com/latentbench/latentbench/harness/runner"
	"github.com/latentbench/latentbench/sdk"
)

// New returns a terminal display when w is a terminal, plain lines otherwise.
func New(w io.Writer) runner.Progress {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		width, _, err := term.GetSize(int(f.Fd()))
		if err != nil || width < 40 {
			width = 100
		}
		return newTerminal(w, width)
	}
	return &Plain{W: w}
}

func describe(c *grid.Cell) string {
	s := c.Dataset.Name + " / " + c.Encoder.Label
	if c.Detector != nil {
		s += " / " + c.Detector.Label
	}
	return fmt.Sprintf("%s seed %d", s, c.Seed)
}

func doneLine(c *grid.Cell, r *runner.Result) string {
	var cached []string
	for stage, hit := range r.Cache {
		if hit {
			cached = append(cached, stage)
		}
	}
	sort.Strings(cached)
	line := fmt.Sprintf("%-8s %s %s (%.1fs", r.Status, c.ID, describe(c), r.Wall)
	if len(cached) > 0 {
		line += ", cached: " + strings.Join(cached, " ")
	}
	line += ")"
	if r.Error != "" {
		line += "\n    " + strings.ReplaceAll(r.Error, "\n", "\n    ")
	}
	return line
}

func epochText(p sdk.Progress) string {
	s := fmt.Sprintf("epoch %d/%d", p.Epoch, p.Epochs)
	keys := make([]string, 0, len(p.Values))
	for k := range p.Values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s += fmt.Sprintf(" %s %.4g", k, p.Values[k])
	}
	return s
}

// Plain writes one line per finished cell and per training epoch.
type Plain struct {
	W     io.Writer
	mu    sync.Mutex
	total int
	done  int
}

// Start implements runner.Progress.
func (p *Plain) Start(total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total = total
	fmt.Fprintf(p.W, "running %d cells\n", total)
}

// CellStarted implements runner.Progress.
func (p *Plain) CellStarted(*grid.Cell) {}

// Stage implements runner.Progress.
func (p *Plain) Stage(*grid.Cell, string) {}

// Epoch implements runner.Progress.
func (p *Plain) Epoch(c *grid.Cell, e sdk.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.W, "         %s %s: %s\n", c.ID, c.Encoder.Label, epochText(e))
}

// CellDone implements runner.Progress.
func (p *Plain) CellDone(c *grid.Cell, r *runner.Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	fmt.Fprintf(p.W, "[%*d/%d] %s\n", len(fmt.Sprint(p.total)), p.done, p.total, doneLine(c, r))
}

// Finish implements runner.Progress.
func (p *Plain) Finish() {}

// terminal redraws a bar and the active cells ten times a second.
type terminal struct {
	w     io.Writer
	width int

	mu     sync.Mutex
	total  int
	done   int
	failed int
	start  time.Time
	active map[*grid.Cell]string
	lines  int // lines drawn last time
	stop   chan struct{}
	wg     sync.WaitGroup
}

func newTerminal(w io.Writer, width int) *terminal {
	return &terminal{w: w, width: width, active: map[*grid.Cell]string{}}
}

func (t *terminal) Start(total int) {
	t.mu.Lock()
	t.total, t.start, t.stop = total, time.Now(), make(chan struct{})
	t.mu.Unlock()
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-t.stop:
				return
			case <-tick.C:
				t.mu.Lock()
				t.redraw("")
				t.mu.Unlock()
			}
		}
	}()
}

func (t *terminal) CellStarted(c *grid.Cell)           { t.set(c, "starting") }
func (t *terminal) Stage(c *grid.Cell, s string)       { t.set(c, s) }
func (t *terminal) Epoch(c *grid.Cell, p sdk.Progress) { t.set(c, "fit "+epochText(p)) }

func (t *terminal) set(c *grid.Cell, s string) {
	t.mu.Lock()
	t.active[c] = s
	t.mu.Unlock()
}

func (t *terminal) CellDone(c *grid.Cell, r *runner.Result) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.active, c)
	t.done++
	above := ""
	if r.Status != runner.StatusOK {
		t.failed++
		above = doneLine(c, r)
	}
	t.redraw(above)
}

func (t *terminal) Finish() {
	if t.stop != nil {
		close(t.stop)
		t.wg.Wait()
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.active = map[*grid.Cell]string{}
	t.redraw("")
	fmt.Fprintln(t.w)
	t.lines = 0
}

// redraw erases the last drawing, prints above (a permanent line) if any,
// then draws the bar and the active cells. Called with t.mu held.
func (t *terminal) redraw(above string) {
	var b strings.Builder
	if t.lines > 0 {
		fmt.Fprintf(&b, "\r\x1b[%dA\x1b[J", t.lines)
	} else {
		b.WriteString("\r\x1b[J")
	}
	if above != "" {
		b.WriteString(above + "\n")
	}
	barWidth := 30
	filled := 0
	if t.total > 0 {
		filled = barWidth * t.done / t.total
	}
	fmt.Fprintf(&b, "cells [%s%s] %d/%d", strings.Repeat("#", filled), strings.Repeat(".", barWidth-filled), t.done, t.total)
	if t.failed > 0 {
		fmt.Fprintf(&b, ", %d failed", t.failed)
	}
	fmt.Fprintf(&b, "  %s", time.Since(t.start).Round(time.Second))
	cells := make([]*grid.Cell, 0, len(t.active))
	for c := range t.active {
		cells = append(cells, c)
	}
	sort.Slice(cells, func(i, j int) bool { return cells[i].Index < cells[j].Index })
	for _, c := range cells {
		b.WriteString("\n" + clip(fmt.Sprintf("  %s %s: %s", c.ID, describe(c), t.active[c]), t.width-1))
	}
	t.lines = len(cells)
	io.WriteString(t.w, b.String())
}

// clip cuts s to at most width terminal columns, between characters (never
// inside a UTF-8 sequence or a grapheme cluster), so that a line never wraps
// and breaks the redraw. East Asian wide characters take two columns,
// combining marks none; ambiguous-width characters count as one whatever the
// locale, so the display is the same everywhere.
func clip(s string, width int) string {
	if width < 0 {
		width = 0
	}
	cells := &runewidth.Condition{StrictEmojiNeutral: true}
	if cells.StringWidth(s) <= width {
		return s
	}
	return cells.Truncate(s, width, "")
}
