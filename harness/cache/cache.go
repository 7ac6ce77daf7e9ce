// Package cache stores stage results (trained models, latent matrices,
// scores, clusterings) content-addressed: the key of an entry is a hash of
// everything that determines it (plugin name and version, parameters, the
// digest of its input data, seed), so a rerun finds every result it already
// made and an interrupted run resumes where it stopped.
//
// Writes are atomic (a temporary file in the same directory, synced, then
// renamed), and every entry carries a SHA-256 of its content, checked on read:
// a crash never leaves an entry that reads as valid but is not. A corrupt
// entry reads as a miss and is removed.
package cache

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/latentbench/latentbench/internal/atomicfile"
)

// magic starts every entry: "LBCACHE" and format version 1.
const magic = "LBCACHE\x01"

// Cache is a directory of entries, safe for concurrent use by goroutines and
// by several processes (each write is a rename).
type Cache struct {
	dir    string
	opened time.Time
	// earlier counts Get hits on entries made before Open: results of
	// earlier runs, not of this one.
	earlier atomic.Int64

	mu       sync.Mutex
	inflight map[string]*flight
}

type flight struct {
	done  chan struct{}
	entry *Entry
	err   error
}

// Entry is one cached result: a payload and its metadata.
type Entry struct {
	Meta    Meta
	Payload []byte
}

// Meta describes how an entry was made.
type Meta struct {
	// What names the stage and its inputs, for people browsing the cache.
	What string `json:"what"`
	// Seconds is how long the computation took when it ran.
	Seconds float64 `json:"seconds"`
	// CPUSeconds and PeakRSS are what the plugin process spent computing
	// it, when a plugin did (host.Usage: CPU seconds, peak resident bytes).
	CPUSeconds float64 `json:"cpu_seconds,omitempty"`
	PeakRSS    int64   `json:"peak_rss,omitempty"`
	// ComputeSeconds is the time the plugin's own code ran making it, as
	// the plugin reported it (host.Usage.Compute; 0 when it reports none).
	ComputeSeconds float64   `json:"compute_seconds,omitempty"`
	Created        time.Time `json:"created"`
	// Extra holds stage-specific data (a training history, say).
	Extra json.RawMessage `json:"extra,omitempty"`
}

// Open opens (creating if needed) a cache directory.
func Open(dir string) (*Cache, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open cache: %w", err)
	}
	return &Cache{dir: dir, opened: time.Now(), inflight: map[string]*flight{}}, nil
}

// Earlier reports how many entries read since Open were made before it: the
// results of earlier runs that this one reused (entries this process made
// and read again do not count).
func (c *Cache) Earlier() int { return int(c.earlier.Load()) }

// Dir returns the cache directory.
func (c *Cache) Dir() string { return c.dir }

// Key hashes its parts, each length-prefixed so that no two part lists
// collide, into a hex key.
func Key(parts ...string) string {
	h := sha256.New()
	var n [8]byte
	for _, p := range parts {
		binary.LittleEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (c *Cache) path(key string) string {
	return filepath.Join(c.dir, key[:2], key[2:])
}

// Get returns the entry stored under key, or ok == false. A hit marks the
// entry as used now (its modification time), which is what Prune orders by.
func (c *Cache) Get(key string) (e *Entry, ok bool, err error) {
	b, read, err := readFile(c.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("cache get %s: %w", key[:12], err)
	}
	e, err = decode(b)
	if err != nil {
		// Corrupt (a disk error, or a file someone edited): drop it and
		// recompute. Only the file read is removed: another process (on
		// another host of a shared file system) may have renamed a good
		// entry into its place since.
		if now, err := os.Stat(c.path(key)); err == nil && os.SameFile(read, now) {
			os.Remove(c.path(key))
		}
		return nil, false, nil
	}
	now := time.Now()
	os.Chtimes(c.path(key), now, now) // best effort: a read-only cache still reads
	if e.Meta.Created.Before(c.opened) {
		c.earlier.Add(1)
	}
	return e, true, nil
}

// readFile reads a whole file and returns what it read with the file's
// identity (to tell it from a file renamed into its place since).
func readFile(path string) ([]byte, fs.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	b, err := io.ReadAll(f)
	return b, st, err
}

// Put stores an entry atomically: written to a temporary file in the
// entry's own directory (never another directory or file system, so the
// rename is atomic on a local disk and on NFS alike), synced, then renamed
// over the entry. Several processes, on one host or several, may Put the
// same key at once: each rename replaces a whole entry, and readers see one
// complete entry or another, whose checksum they verify.
func (c *Cache) Put(key string, e *Entry) error {
	p := c.path(key)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("cache put: %w", err)
	}
	tmp, err := atomicfile.CreateTemp(filepath.Dir(p), ".tmp-")
	if err != nil {
		return fmt.Errorf("cache put: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := encode(tmp, e); err != nil {
		tmp.Close()
		return fmt.Errorf("cache put %s: %w", key[:12], err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("cache put %s: %w", key[:12], err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cache put %s: %w", key[:12], err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("cache put %s: %w", key[:12], err)
	}
	return nil
}

// Do returns the entry under key, computing and storing it if absent. Calls
// for the same key at the same time share one computation. hit reports
// whether the entry came from the cache (or from another caller's computation
// in this process) rather than from this call's compute.
func (c *Cache) Do(ctx context.Context, key string, compute func(context.Context) (*Entry, error)) (e *Entry, hit bool, err error) {
	for {
		c.mu.Lock()
		f, running := c.inflight[key]
		if !running {
			f = &flight{done: make(chan struct{})}
			c.inflight[key] = f
		}
		c.mu.Unlock()
		if running {
			select {
			case <-f.done:
			case <-ctx.Done():
				return nil, false, ctx.Err()
			}
			if f.err == nil {
				return f.entry, true, nil
			}
			// The other computation failed (perhaps its own context ended):
			// try again ourselves.
			if ctx.Err() != nil {
				return nil, false, ctx.Err()
			}
			continue
		}
		e, hit, err = c.get(ctx, key, compute)
		f.entry, f.err = e, err
		c.mu.Lock()
		delete(c.inflight, key)
		c.mu.Unlock()
		close(f.done)
		return e, hit, err
	}
}

func (c *Cache) get(ctx context.Context, key string, compute func(context.Context) (*Entry, error)) (*Entry, bool, error) {
	if e, ok, err := c.Get(key); err != nil || ok {
		return e, ok, err
	}
	start := time.Now()
	e, err := compute(ctx)
	if err != nil {
		return nil, false, err
	}
	if e.Meta.Seconds == 0 {
		e.Meta.Seconds = time.Since(start).Seconds()
	}
	if e.Meta.Created.IsZero() {
		e.Meta.Created = time.Now().UTC()
	}
	return e, false, c.Put(key, e)
}

// The entry format: magic (8 bytes), SHA-256 of the rest (32), meta length
// (uint32 LE), meta JSON, payload.
func encode(w *os.File, e *Entry) error {
	meta, err := json.Marshal(e.Meta)
	if err != nil {
		return err
	}
	var body bytes.Buffer
	var n [4]byte
	binary.LittleEndian.PutUint32(n[:], uint32(len(meta)))
	body.Write(n[:])
	body.Write(meta)
	body.Write(e.Payload)
	sum := sha256.Sum256(body.Bytes())
	if _, err := w.Write([]byte(magic)); err != nil {
		return err
	}
	if _, err := w.Write(sum[:]); err != nil {
		return err
	}
	_, err = w.Write(body.Bytes())
	return err
}

func decode(b []byte) (*Entry, error) {
	if len(b) < len(magic)+32+4 || string(b[:len(magic)]) != magic {
		return nil, errors.New("not a cache entry")
	}
	body := b[len(magic)+32:]
	if sha256.Sum256(body) != [32]byte(b[len(magic):len(magic)+32]) {
		return nil, errors.New("checksum mismatch")
	}
	m := int(binary.LittleEndian.Uint32(body))
	if 4+m > len(body) {
		return nil, errors.New("bad meta length")
	}
	e := &Entry{Payload: body[4+m:]}
	if err := json.Unmarshal(body[4:4+m], &e.Meta); err != nil {
		return nil, err
	}
	return e, nil
}
