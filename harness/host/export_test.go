package host

import "github.com/hashicorp/go-plugin"

// DropConnection closes the session's gRPC connection without asking the
// plugin to shut down and without touching the process, as the death of the
// host would, and returns the plugin's pid.
func (s *Session) DropConnection() int {
	pid := s.client.ReattachConfig().Pid
	if rpc, err := s.client.Client(); err == nil {
		if g, ok := rpc.(*plugin.GRPCClient); ok {
			g.Conn.Close()
		}
	}
	return pid
}
