package cache

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// payload is what every writer stores under key i: the same bytes, as every
// process computing one stage does.
func payload(i int) []byte {
	return bytes.Repeat([]byte(fmt.Sprintf("entry %d;", i)), 20000)
}

const sharedKeys = 40

// TestHelperCacheWriter is the body of one writer process of
// TestSeveralProcessesShareOneCache (it does nothing when run directly).
func TestHelperCacheWriter(t *testing.T) {
	dir := os.Getenv("LATENTBENCH_CACHE_WRITER")
	if dir == "" {
		return
	}
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < sharedKeys; i++ {
		// Put unconditionally, so that the processes' renames race.
		if err := c.Put(Key("shared", fmt.Sprint(i)), &Entry{Payload: payload(i)}); err != nil {
			t.Fatal(err)
		}
	}
}

// Several processes (standing for hosts sharing the cache over a network
// file system) write the same entries at once while another reads them: no
// read ever sees a partial or mixed entry, and every entry ends complete.
func TestSeveralProcessesShareOneCache(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for p := 0; p < 4; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperCacheWriter$", "-test.count=1")
			cmd.Env = append(os.Environ(), "LATENTBENCH_CACHE_WRITER="+dir)
			if out, err := cmd.CombinedOutput(); err != nil {
				errs <- fmt.Sprintf("writer %d: %v\n%s", p, err, out)
			}
		}()
	}
	reader, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	hits := 0
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		for i := 0; i < sharedKeys; i++ {
			// Read the file itself: Get would turn a partial entry into a
			// silent miss, which is what this test must not see at all.
			b, _, err := readFile(reader.path(Key("shared", fmt.Sprint(i))))
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			e, err := decode(b)
			if err != nil {
				t.Fatalf("entry %d read while being written: %v (%d bytes)", i, err, len(b))
			}
			hits++
			if !bytes.Equal(e.Payload, payload(i)) {
				t.Fatalf("entry %d read with a wrong payload (%d bytes)", i, len(e.Payload))
			}
		}
	}
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	for i := 0; i < sharedKeys; i++ {
		e, ok, err := reader.Do(context.Background(), Key("shared", fmt.Sprint(i)), func(context.Context) (*Entry, error) {
			return nil, fmt.Errorf("entry %d missing after the writers ended", i)
		})
		if err != nil || !ok || !bytes.Equal(e.Payload, payload(i)) {
			t.Errorf("entry %d: ok=%v err=%v", i, ok, err)
		}
	}
	temps, _ := filepath.Glob(filepath.Join(dir, "*", ".tmp-*"))
	if len(temps) > 0 {
		t.Errorf("temporary files left: %s", strings.Join(temps, ", "))
	}
	t.Logf("%d reads hit complete entries while 4 processes wrote", hits)
}
