//go:build unix

package cache

import (
	"os"
	"syscall"
	"testing"
)

// Entries get 0666 less the umask (0644 under the usual 022), so a cache
// shared by a group works; os.CreateTemp's 0600 did not.
func TestPutRespectsUmask(t *testing.T) {
	c, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	old := syscall.Umask(0o002)
	defer syscall.Umask(old)
	key := Key("mode")
	if err := c.Put(key, &Entry{Payload: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(c.path(key))
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != 0o664 {
		t.Errorf("entry mode %03o, want 0664 under umask 002", got)
	}
}
