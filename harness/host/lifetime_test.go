package host_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/latentbench/latentbench/harness/host"
	"github.com/latentbench/latentbench/sdk"
)

// alive reports whether a process exists and is not a zombie.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return syscall.Kill(pid, 0) == nil
	}
	// The state follows the parenthesised command name.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

func waitGone(pid int, within time.Duration) bool {
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if !alive(pid) {
			return true
		}
	}
	return !alive(pid)
}

// A Go plugin exits by itself when its host's connection goes away (the host
// died without killing it): it must not idle forever with ppid 1.
func TestPluginExitsWhenHostConnectionCloses(t *testing.T) {
	h := host.New()
	s, err := h.Start(context.Background(), path(t, sdk.KindDetector, "fault-ok"), sdk.KindDetector)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Description() == nil { // Start has described the plugin
		t.Fatal("no description")
	}
	pid := s.DropConnection()
	if !waitGone(pid, 10*time.Second) {
		t.Fatalf("plugin %d still running 10 s after its host connection closed", pid)
	}
}

// wrapper writes a shell-wrapper plugin that starts a child holding the
// plugin's stdout and stderr open (a background sleep), then execs the real
// plugin; it returns the wrapper's path and the file the child's pid goes to.
func wrapper(t *testing.T, dir, name string) (string, string) {
	t.Helper()
	real := path(t, sdk.KindDetector, "fault-ok")
	pidFile := filepath.Join(dir, name+".childpid")
	script := fmt.Sprintf("#!/bin/sh\nsleep 3600 &\necho $! > %q\nexec %q \"$@\"\n", pidFile, real)
	p := filepath.Join(dir, host.Filename(sdk.KindDetector, name))
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p, pidFile
}

func childPid(t *testing.T, pidFile string) int {
	t.Helper()
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	if _, err := fmt.Sscan(string(b), &pid); err != nil {
		t.Fatalf("child pid %q: %v", b, err)
	}
	return pid
}

// A shell-wrapper plugin whose child keeps the output pipes open: closing
// the session kills the child too instead of waiting for it forever, both
// for a plain Close and for a cancellation (Ctrl-C) during discovery.
func TestWrapperChildHoldingPipes(t *testing.T) {
	dir := t.TempDir()
	t.Run("close", func(t *testing.T) {
		p, pidFile := wrapper(t, dir, "fault-ok")
		h := host.New()
		s, err := h.Start(context.Background(), p, sdk.KindDetector)
		if err != nil {
			t.Fatal(err)
		}
		if s.Description() == nil { // Start has described the plugin
			t.Fatal("no description")
		}
		done := make(chan struct{})
		go func() { s.Close(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("Close hangs on the wrapper's child")
		}
		if child := childPid(t, pidFile); !waitGone(child, 5*time.Second) {
			t.Errorf("the wrapper's child %d outlived the session", child)
		}
	})
	t.Run("discover", func(t *testing.T) {
		ddir := t.TempDir()
		_, pidFile := wrapper(t, ddir, "fault-ok")
		h := host.New()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			reg, err := host.Discover(ctx, h, []string{ddir}, "")
			if err == nil {
				reg.DescribeAll()
			}
			done <- err
		}()
		// Cancel once the wrapper has started its child.
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if _, err := os.Stat(pidFile); err == nil {
				break
			}
		}
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("Discover hangs after cancellation")
		}
		if h.Live() != 0 {
			t.Errorf("%d plugin processes left", h.Live())
		}
		if child := childPid(t, pidFile); !waitGone(child, 5*time.Second) {
			t.Errorf("the wrapper's child %d outlived discovery", child)
		}
	})
}
