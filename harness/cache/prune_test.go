package cache

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// putAged stores an entry of n payload bytes last used age ago.
func putAged(t *testing.T, c *Cache, key string, n int, age time.Duration) {
	t.Helper()
	if err := c.Put(key, &Entry{Payload: make([]byte, n)}); err != nil {
		t.Fatal(err)
	}
	when := time.Now().Add(-age)
	if err := os.Chtimes(c.path(key), when, when); err != nil {
		t.Fatal(err)
	}
}

func TestPruneByAgeAndSize(t *testing.T) {
	c, _ := Open(t.TempDir())
	putAged(t, c, Key("old"), 1000, 48*time.Hour)
	putAged(t, c, Key("mid"), 1000, 2*time.Hour)
	putAged(t, c, Key("new"), 1000, time.Minute)
	st, err := c.Stat()
	if err != nil || st.Entries != 3 {
		t.Fatalf("stat = %+v, %v", st, err)
	}
	one := st.Bytes / 3

	// A dry run removes nothing.
	res, err := c.Prune(PruneOptions{OlderThan: 24 * time.Hour, DryRun: true})
	if err != nil || res.Removed.Entries != 1 {
		t.Fatalf("dry run: %+v, %v", res, err)
	}
	if s, _ := c.Stat(); s.Entries != 3 {
		t.Fatalf("dry run removed entries: %+v", s)
	}

	res, err = c.Prune(PruneOptions{OlderThan: 24 * time.Hour})
	if err != nil || res.Removed.Entries != 1 || res.Before.Entries != 3 {
		t.Fatalf("by age: %+v, %v", res, err)
	}
	if _, ok, _ := c.Get(Key("old")); ok {
		t.Error("the entry unused for 48h survived OlderThan 24h")
	}

	// A Get hit marks "mid" as used now, so a size limit of one entry
	// keeps it and removes "new", the least recently used.
	if _, ok, _ := c.Get(Key("mid")); !ok {
		t.Fatal("mid missing")
	}
	res, err = c.Prune(PruneOptions{MaxBytes: one})
	if err != nil || res.Removed.Entries != 1 {
		t.Fatalf("by size: %+v, %v", res, err)
	}
	if _, ok, _ := c.Get(Key("new")); ok {
		t.Error("least recently used entry survived the size limit")
	}
	if _, ok, _ := c.Get(Key("mid")); !ok {
		t.Error("recently read entry was pruned")
	}
}

func TestPruneRemovesOnlyStaleTemporaries(t *testing.T) {
	c, _ := Open(t.TempDir())
	dir := filepath.Join(c.Dir(), "ab")
	os.MkdirAll(dir, 0o755)
	stale, fresh := filepath.Join(dir, ".tmp-1"), filepath.Join(dir, ".tmp-2")
	os.WriteFile(stale, []byte("x"), 0o644)
	os.WriteFile(fresh, []byte("x"), 0o644)
	old := time.Now().Add(-2 * staleTemp)
	os.Chtimes(stale, old, old)
	res, err := c.Prune(PruneOptions{})
	if err != nil || res.Temps != 1 || res.Removed.Entries != 0 {
		t.Fatalf("%+v, %v", res, err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Error("stale temporary file kept")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("a write in progress lost its temporary file")
	}
}

func TestParseBytes(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"1048576", 1 << 20, true}, {"500M", 500 << 20, true}, {"2G", 2 << 30, true},
		{"2GiB", 2 << 30, true}, {"1.5GB", 3 << 29, true}, {"10k", 10 << 10, true}, {" 3T ", 3 << 40, true},
		{"", 0, false}, {"G", 0, false}, {"-1G", 0, false}, {"1.5x", 0, false}, {"lots", 0, false},
	} {
		got, err := ParseBytes(c.in)
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
	if s := FormatBytes(3 << 29); s != "1.5 GiB" {
		t.Errorf("FormatBytes = %q", s)
	}
}
