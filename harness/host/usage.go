package host

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Usage is what one plugin call cost its process.
type Usage struct {
	// Wall is the call's elapsed time in seconds.
	Wall float64
	// CPU is the user + system CPU time the process (all its threads) used
	// during the call, in seconds, at the kernel's clock-tick resolution
	// (10 ms).
	CPU float64
	// PeakRSS is the process's peak resident memory during the call, in
	// bytes: its high-water mark (VmHWM), reset at the start of the call
	// where the kernel allows it (else the peak since the process started,
	// the same for a process started for the call).
	PeakRSS int64
	// Compute is the time the plugin's own code ran during the call, in
	// seconds, as the plugin reported it (0 when it reports none): Wall
	// minus Compute is what the process boundary and the transfers cost.
	Compute float64
}

// Meter measures one call of a running plugin process from /proc, which
// works whether the process serves one call or many: Stop reports the CPU
// time used since Meter (utime + stime of /proc/PID/stat) and the peak RSS
// since Meter (VmHWM of /proc/PID/status, reset by writing 5 to
// /proc/PID/clear_refs; proc(5)). Read it before the process ends.
type Meter struct {
	pid      int
	start    time.Time
	cpu0     float64
	s        *Session
	compute0 float64
}

// userHZ is the unit of the CPU times in /proc/PID/stat: USER_HZ, which the
// kernel fixes at 100 on every architecture Go supports on Linux.
const userHZ = 100

// Meter starts measuring the session's process.
func (s *Session) Meter() *Meter {
	m := meterPID(s.Pid())
	m.s, m.compute0 = s, s.ComputeSeconds()
	return m
}

// Meter starts measuring the encoder's process.
func (c *EncoderClient) Meter() *Meter { return c.s.Meter() }

// Meter starts measuring the detector's process.
func (c *DetectorClient) Meter() *Meter { return c.s.Meter() }

func meterPID(pid int) *Meter {
	m := &Meter{pid: pid, start: time.Now()}
	if pid <= 0 {
		return m
	}
	// Reset the high-water mark to the current RSS; a kernel or a
	// permission refusing it leaves the peak since the process started.
	_ = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
	m.cpu0, _ = procCPU(pid)
	return m
}

// Stop returns the usage since the Meter started. Values it cannot read
// (the process has ended, no /proc, a nil Meter) are 0.
func (m *Meter) Stop() Usage {
	if m == nil {
		return Usage{}
	}
	u := Usage{Wall: time.Since(m.start).Seconds()}
	if m.s != nil {
		u.Compute = m.s.ComputeSeconds() - m.compute0
	}
	if m.pid <= 0 {
		return u
	}
	if cpu, err := procCPU(m.pid); err == nil && cpu >= m.cpu0 {
		u.CPU = cpu - m.cpu0
	}
	u.PeakRSS, _ = procHWM(m.pid)
	return u
}

// procCPU returns utime + stime of /proc/PID/stat in seconds.
func procCPU(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces: fields count from the
	// last ')'. utime and stime are fields 14 and 15.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f)+2)
	}
	ut, err1 := strconv.ParseUint(f[11], 10, 64)
	st, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: utime %q, stime %q", pid, f[11], f[12])
	}
	return float64(ut+st) / userHZ, nil
}

// procHWM returns VmHWM of /proc/PID/status in bytes.
func procHWM(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest) // "123456 kB"
			if len(f) != 2 || f[1] != "kB" {
				break
			}
			kb, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				break
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no VmHWM", pid)
}
