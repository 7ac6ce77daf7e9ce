//go:build !linux

package conformance

import (
	"errors"
	"time"
)

var errNoProc = errors.New("watching a process's CPU use needs Linux's /proc")

// cpuTime is only implemented on Linux (from /proc).
func cpuTime(int) (time.Duration, error) { return 0, errNoProc }

// running is only implemented on Linux (from /proc).
func running(int) (bool, error) { return false, errNoProc }
