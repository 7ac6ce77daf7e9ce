package host

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Limits bound the resources of every plugin process a Host starts.
type Limits struct {
	// Memory caps a plugin process's memory in bytes (0: no cap). It is
	// enforced as RLIMIT_DATA (prlimit(2) on the child once it has started,
	// before any call): the process's private writable memory — its heap,
	// anonymous mappings, data segments — cannot grow past it, so an
	// allocation beyond it fails inside the plugin (Go: "fatal error:
	// runtime: out of memory"; Python: MemoryError) and the call fails
	// with ErrMemoryLimit instead of the machine swapping. File-backed and
	// shared memory are not counted.
	Memory int64
}

// ErrMemoryLimit is wrapped by the error of a call whose plugin process
// ran out of memory under Limits.Memory.
var ErrMemoryLimit = errors.New("plugin exceeded its memory limit")

// apply sets the limits on the process pid.
func (l Limits) apply(pid int) error {
	if l.Memory <= 0 || pid <= 0 {
		return nil
	}
	lim := &unix.Rlimit{Cur: uint64(l.Memory), Max: uint64(l.Memory)}
	if err := unix.Prlimit(pid, unix.RLIMIT_DATA, lim, nil); err != nil {
		return fmt.Errorf("limit plugin memory to %s: prlimit: %w", FormatBytes(l.Memory), err)
	}
	return nil
}

// outOfMemory reports whether a plugin's last stderr lines tell that an
// allocation failed.
func outOfMemory(stderr string) bool {
	s := strings.ToLower(stderr)
	for _, sign := range []string{"out of memory", "cannot allocate memory", "memoryerror", "std::bad_alloc"} {
		if strings.Contains(s, sign) {
			return true
		}
	}
	return false
}

// FormatBytes renders n bytes in the largest binary unit that keeps it ≥ 1.
func FormatBytes(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	v, u := float64(n), 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	return strconv.FormatFloat(v, 'f', -1, 64) + " " + units[u]
}
