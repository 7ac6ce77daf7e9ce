package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// staleTemp is how old a leftover temporary file (from a process that died
// between create and rename) must be before Prune removes it; younger ones
// may belong to a write in progress.
const staleTemp = time.Hour

// PruneOptions says which entries Prune removes. Entries are ordered by last
// use (a Put or a Get hit), least recent first.
type PruneOptions struct {
	// OlderThan removes entries not used for this long; 0 keeps them all.
	OlderThan time.Duration
	// MaxBytes then removes the least recently used entries until the cache
	// holds at most this many bytes; 0 means no limit.
	MaxBytes int64
	// DryRun reports what would be removed without removing it.
	DryRun bool
}

// Stats counts entries and their bytes.
type Stats struct {
	Entries int
	Bytes   int64
}

func (s Stats) String() string {
	if s.Entries == 1 {
		return "1 entry, " + FormatBytes(s.Bytes)
	}
	return fmt.Sprintf("%d entries, %s", s.Entries, FormatBytes(s.Bytes))
}

// PruneResult is what Prune found and removed.
type PruneResult struct {
	Before, Removed Stats
	// Temps is the number of stale temporary files removed.
	Temps int
}

type fileInfo struct {
	path string
	size int64
	used time.Time
}

// scan lists the entries (and stale temporary files) under the cache directory.
func (c *Cache) scan(now time.Time) (entries []fileInfo, temps []string, err error) {
	err = filepath.WalkDir(c.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed by a concurrent run
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".tmp-") {
			if now.Sub(info.ModTime()) > staleTemp {
				temps = append(temps, p)
			}
			return nil
		}
		entries = append(entries, fileInfo{p, info.Size(), info.ModTime()})
		return nil
	})
	return entries, temps, err
}

// Stat counts the cache's entries and bytes.
func (c *Cache) Stat() (Stats, error) {
	entries, _, err := c.scan(time.Now())
	if err != nil {
		return Stats{}, fmt.Errorf("cache stat %s: %w", c.dir, err)
	}
	var s Stats
	for _, e := range entries {
		s.Entries++
		s.Bytes += e.size
	}
	return s, nil
}

// Prune removes entries by age and then by total size, least recently used
// first, and temporary files left by crashed writers. A run that needs a
// removed entry recomputes it, so pruning never loses results, only time.
func (c *Cache) Prune(opt PruneOptions) (PruneResult, error) {
	now := time.Now()
	entries, temps, err := c.scan(now)
	if err != nil {
		return PruneResult{}, fmt.Errorf("cache prune %s: %w", c.dir, err)
	}
	var res PruneResult
	for _, e := range entries {
		res.Before.Entries++
		res.Before.Bytes += e.size
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].used.Before(entries[j].used) })
	remaining := res.Before.Bytes
	for _, e := range entries {
		old := opt.OlderThan > 0 && now.Sub(e.used) > opt.OlderThan
		big := opt.MaxBytes > 0 && remaining > opt.MaxBytes
		if !old && !big {
			continue
		}
		if !opt.DryRun {
			if err := os.Remove(e.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return res, fmt.Errorf("cache prune: %w", err)
			}
		}
		res.Removed.Entries++
		res.Removed.Bytes += e.size
		remaining -= e.size
	}
	for _, p := range temps {
		if !opt.DryRun {
			os.Remove(p)
		}
		res.Temps++
	}
	return res, nil
}

// FormatBytes renders a byte count with a binary unit (1.5 MiB).
func FormatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// ParseBytes reads a size such as 500M, 2G, 2GiB, 1.5GB or 1048576 (bytes).
// K, M, G and T are binary multiples, with or without a trailing "iB" or "B".
func ParseBytes(s string) (int64, error) {
	t := strings.TrimSpace(strings.ToUpper(s))
	t = strings.TrimSuffix(strings.TrimSuffix(t, "B"), "I")
	mult := int64(1)
	if n := len(t); n > 0 {
		if i := strings.IndexByte("KMGT", t[n-1]); i >= 0 {
			mult = int64(1) << (10 * (i + 1))
			t = t[:n-1]
		}
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
	if err != nil || v < 0 || math.IsInf(v, 0) {
		return 0, fmt.Errorf("size %q: want a number with an optional K, M, G or T suffix (500M, 2G)", s)
	}
	return int64(v * float64(mult)), nil
}
