package host

import (
	"os/exec"
	"syscall"
)

// configureProcess makes a plugin die with the harness and with its whole
// process group. Pdeathsig has the kernel SIGKILL the plugin when the harness
// dies, even by kill -9 (where no deferred cleanup runs); Setpgid puts the
// plugin and any children it starts (a shell wrapper's program) into a group
// of their own, which killProcess kills as a whole, so a child that keeps the
// plugin's output pipes open cannot outlive it and hang the harness. Being in
// their own group, plugins do not receive the terminal's Ctrl-C either: the
// harness stops them.
func configureProcess(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return killGroup(cmd) }
}

// killGroup SIGKILLs the plugin's process group (its pgid is its pid).
func killGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil && err != syscall.ESRCH {
		return cmd.Process.Kill()
	}
	return nil
}
