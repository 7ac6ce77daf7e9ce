package conformance

import (
	"context"
	"testing"
)

// Test runs the kit on the plugin executable at path inside a Go test: one
// subtest per check, failed where the check fails and skipped where it is
// skipped. A plugin's own tests can call it on a freshly built executable
// (the skeletons `latentbench plugin new` writes do).
func Test(t *testing.T, path string, opts Options) *Report {
	t.Helper()
	rep := Run(context.Background(), path, opts)
	for _, r := range rep.Results {
		t.Run(r.Check, func(t *testing.T) {
			switch r.Status {
			case Fail:
				t.Error(r.Reason)
			case Skip:
				t.Skip(r.Reason)
			default:
				t.Log(r.Reason)
			}
		})
	}
	return rep
}
