package host

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNoHandshake marks a plugin that did not complete go-plugin's handshake:
// it exited first, or printed something else on stdout.
var ErrNoHandshake = errors.New("no handshake")

// startError turns go-plugin's multi-line handshake failure ("Unrecognized
// remote plugin message: ...", then a list of possible causes) into one line
// that says what happened: the plugin exited before the handshake (with the
// last line it wrote to stderr, such as a Python SyntaxError), or it printed
// the quoted text on stdout where the handshake line belongs. Other errors
// are returned unchanged.
func startError(err error, stderr string) error {
	const prefix = "Unrecognized remote plugin message: "
	msg := err.Error()
	if !strings.HasPrefix(msg, prefix) {
		return err
	}
	line, _, _ := strings.Cut(strings.TrimPrefix(msg, prefix), "\n")
	if line != "" {
		return fmt.Errorf("%w: it printed %q on stdout before the handshake line (stdout is reserved for the handshake: log to stderr)", ErrNoHandshake, line)
	}
	if last := lastPluginLine(stderr); last != "" {
		return fmt.Errorf("%w: it exited before the handshake: %s", ErrNoHandshake, last)
	}
	return fmt.Errorf("%w: it exited before the handshake, writing nothing to stderr", ErrNoHandshake)
}

// lastPluginLine returns the last non-empty stderr line written by the
// plugin itself (go-plugin's own lines start with a [LEVEL] tag).
func lastPluginLine(stderr string) string {
	lines := strings.Split(stderr, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if l != "" && !strings.HasPrefix(l, "[") {
			return l
		}
	}
	return ""
}
