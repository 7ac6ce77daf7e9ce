package host

import (
	"errors"
	"strings"
	"testing"
)

func TestStartErrorOneLine(t *testing.T) {
	goPlugin := "\nThis usually means\n  the plugin was not compiled for this architecture,\n"
	cases := []struct {
		err, stderr, want string
	}{
		{"Unrecognized remote plugin message: " + goPlugin, "Traceback (most recent call last):\n  File \"x\", line 1\nImportError: no module named foo\n[WARN]  x: plugin failed to exit gracefully\n",
			"no handshake: it exited before the handshake: ImportError: no module named foo"},
		{"Unrecognized remote plugin message: hello" + goPlugin, "",
			`no handshake: it printed "hello" on stdout before the handshake line (stdout is reserved for the handshake: log to stderr)`},
		{"Unrecognized remote plugin message: " + goPlugin, "[ERROR] x: plugin process exited\n",
			"no handshake: it exited before the handshake, writing nothing to stderr"},
		{"timeout while waiting for plugin to start", "", "timeout while waiting for plugin to start"},
	}
	for _, c := range cases {
		got := startError(errors.New(c.err), c.stderr)
		if got.Error() != c.want || strings.Contains(got.Error(), "\n") {
			t.Errorf("startError(%q):\n got %q\nwant %q", c.err, got, c.want)
		}
	}
}
