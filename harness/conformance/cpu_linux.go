package conformance

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// userHZ is the unit of the CPU times in /proc/PID/stat (USER_HZ, 100 on
// every Linux architecture Go supports).
const userHZ = 100

// statFields returns the fields of a /proc stat file after the command name
// (which may hold spaces): the state is the first.
func statFields(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return nil, fmt.Errorf("%s: unexpected format", path)
	}
	return strings.Fields(s[i+1:]), nil
}

// cpuTime returns the user plus system CPU time a process has used so far,
// over all its threads.
func cpuTime(pid int) (time.Duration, error) {
	path := fmt.Sprintf("/proc/%d/stat", pid)
	f, err := statFields(path)
	if err != nil {
		return 0, err
	}
	if len(f) < 13 {
		return 0, fmt.Errorf("%s: unexpected format", path)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("%s: unexpected format", path)
	}
	return time.Duration(utime+stime) * time.Second / userHZ, nil
}

// running reports whether any thread of a process is running or waiting for
// a CPU (state R). Unlike its CPU time, this does not depend on how busy the
// machine is: a thread computing on a loaded machine is still runnable.
func running(pid int) (bool, error) {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", pid))
	if err != nil || len(tasks) == 0 {
		return false, fmt.Errorf("process %d: no threads in /proc", pid)
	}
	for _, t := range tasks {
		f, err := statFields(t)
		if err != nil {
			continue // the thread ended
		}
		if len(f) > 0 && f[0] == "R" {
			return true, nil
		}
	}
	return false, nil
}
