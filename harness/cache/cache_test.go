package cache

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestKeyParts(t *testing.T) {
	if Key("ab", "c") == Key("a", "bc") {
		t.Error("part boundaries must matter")
	}
	if Key("x") != Key("x") || len(Key("x")) != 64 {
		t.Error("key not deterministic hex sha256")
	}
}

func TestPutGetRoundTrip(t *testing.T) {
	c, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	k := Key("model", "1")
	if _, ok, err := c.Get(k); ok || err != nil {
		t.Fatalf("empty cache: ok=%v err=%v", ok, err)
	}
	want := &Entry{Meta: Meta{What: "test", Seconds: 1.5, Extra: []byte(`{"a":1}`)}, Payload: []byte("payload")}
	if err := c.Put(k, want); err != nil {
		t.Fatal(err)
	}
	got, ok, err := c.Get(k)
	if !ok || err != nil {
		t.Fatalf("ok=%v err=%v", ok, err)
	}
	if string(got.Payload) != "payload" || got.Meta.Seconds != 1.5 || string(got.Meta.Extra) != `{"a":1}` {
		t.Errorf("got %+v", got)
	}
	// No temporary files are left behind.
	files, _ := filepath.Glob(filepath.Join(c.Dir(), "*", ".tmp-*"))
	if len(files) != 0 {
		t.Errorf("temporary files left: %v", files)
	}
}

func TestCorruptEntryIsAMiss(t *testing.T) {
	for name, damage := range map[string]func([]byte) []byte{
		"truncated":   func(b []byte) []byte { return b[:len(b)-3] },
		"flipped bit": func(b []byte) []byte { b[len(b)-1] ^= 1; return b },
		"empty":       func([]byte) []byte { return nil },
		"foreign":     func([]byte) []byte { return []byte("hello, world, this is not an entry at all....") },
	} {
		t.Run(name, func(t *testing.T) {
			c, _ := Open(t.TempDir())
			k := Key(name)
			if err := c.Put(k, &Entry{Payload: []byte("some payload bytes")}); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(c.path(k))
			if err := os.WriteFile(c.path(k), damage(b), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, ok, err := c.Get(k); ok || err != nil {
				t.Fatalf("damaged entry read as ok=%v err=%v", ok, err)
			}
			if _, err := os.Stat(c.path(k)); !errors.Is(err, os.ErrNotExist) {
				t.Error("damaged entry not removed")
			}
		})
	}
}

func TestDoComputesOnce(t *testing.T) {
	c, _ := Open(t.TempDir())
	var calls atomic.Int32
	compute := func(context.Context) (*Entry, error) {
		calls.Add(1)
		return &Entry{Payload: []byte("v")}, nil
	}
	var wg sync.WaitGroup
	var hits atomic.Int32
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, hit, err := c.Do(context.Background(), Key("k"), compute)
			if err != nil || string(e.Payload) != "v" {
				t.Errorf("Do: %v %v", e, err)
			}
			if hit {
				hits.Add(1)
			}
		}()
	}
	wg.Wait()
	if calls.Load() != 1 || hits.Load() != 15 {
		t.Errorf("computed %d times, %d hits; want 1 and 15", calls.Load(), hits.Load())
	}
	// A later call is a hit from disk, with the stored timing.
	e, hit, err := c.Do(context.Background(), Key("k"), compute)
	if !hit || err != nil || e.Meta.Created.IsZero() {
		t.Errorf("second Do: hit=%v err=%v meta=%+v", hit, err, e.Meta)
	}
}

func TestDoErrorIsNotCached(t *testing.T) {
	c, _ := Open(t.TempDir())
	boom := errors.New("boom")
	if _, _, err := c.Do(context.Background(), Key("e"), func(context.Context) (*Entry, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	e, hit, err := c.Do(context.Background(), Key("e"), func(context.Context) (*Entry, error) { return &Entry{Payload: []byte("ok")}, nil })
	if err != nil || hit || string(e.Payload) != "ok" {
		t.Errorf("retry after error: %v %v %v", e, hit, err)
	}
}

func TestEarlierCountsOnlyEntriesOfEarlierRuns(t *testing.T) {
	dir := t.TempDir()
	c1, _ := Open(dir)
	if err := c1.Put(Key("a"), &Entry{Meta: Meta{Created: time.Now().Add(-time.Second)}, Payload: []byte("a")}); err != nil {
		t.Fatal(err)
	}
	c2, _ := Open(dir) // a later run
	compute := func(context.Context) (*Entry, error) { return &Entry{Payload: []byte("b")}, nil }
	if _, _, err := c2.Do(context.Background(), Key("b"), compute); err != nil {
		t.Fatal(err)
	}
	c2.Get(Key("b")) // made by this run: not earlier
	c2.Get(Key("a"))
	c2.Get(Key("a"))
	if got := c2.Earlier(); got != 2 {
		t.Errorf("Earlier = %d, want 2", got)
	}
}
