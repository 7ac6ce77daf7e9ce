//go:build !linux

package host

import "os/exec"

// configureProcess kills only the plugin process itself where process groups
// and parent-death signals are not available; the SDK's plugins still exit
// when their connection to the harness goes away.
func configureProcess(cmd *exec.Cmd) {
	cmd.Cancel = func() error { return cmd.Process.Kill() }
}
