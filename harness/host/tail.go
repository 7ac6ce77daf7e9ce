package host

import (
	"strings"
	"sync"
)

// Tail keeps the last lines written to it: the stderr of a plugin, shown when
// one of its calls fails.
type Tail struct {
	mu      sync.Mutex
	max     int
	lines   []string
	partial []byte
	// oom records that a line told of a failed allocation, however many
	// lines (a Go runtime's stack dump) followed it.
	oom bool
}

// NewTail keeps the last max lines.
func NewTail(max int) *Tail { return &Tail{max: max} }

// Write implements io.Writer; it never fails.
func (t *Tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, b := range p {
		if b == '\n' {
			t.push(string(t.partial))
			t.partial = t.partial[:0]
			continue
		}
		if len(t.partial) < 4096 {
			t.partial = append(t.partial, b)
		}
	}
	return len(p), nil
}

func (t *Tail) push(line string) {
	t.oom = t.oom || outOfMemory(line)
	if len(t.lines) == t.max {
		copy(t.lines, t.lines[1:])
		t.lines = t.lines[:t.max-1]
	}
	t.lines = append(t.lines, line)
}

// String returns the kept lines (and any unfinished one).
func (t *Tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := t.lines
	if len(t.partial) > 0 {
		lines = append(lines[:len(lines):len(lines)], string(t.partial))
	}
	return strings.Join(lines, "\n")
}

// OutOfMemory reports whether any line written told of a failed allocation
// (see outOfMemory).
func (t *Tail) OutOfMemory() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.oom || outOfMemory(string(t.partial))
}
