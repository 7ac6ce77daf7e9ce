package python_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/latentbench/latentbench/harness/host"
	"github.com/latentbench/latentbench/internal/testenv"
	"github.com/latentbench/latentbench/sdk"
)

// faultPlugins are Python plugins broken in the ways a newcomer's are, by
// name: the script after the SDK import line.
var faultPlugins = map[string]string{
	// A syntax error: the interpreter exits before the handshake.
	"syntax": "def broken(:\n",
	// A plugin that prints to stdout before it imports the SDK: the line
	// lands where the harness expects the handshake.
	"stdout": "",
	// A plugin without GRPCController/Shutdown: the harness must still stop it.
	// A plugin built before FitScore existed (its stubs answer Unimplemented).
	"nofitscore": "import latentbench_sdk._serve as s\ndel s._DetectorServicer.FitScore\n",
	"noshutdown": `import latentbench_sdk._serve as s
handlers = s.grpc.method_handlers_generic_handler
s.grpc.method_handlers_generic_handler = lambda name, h: handlers(name, {} if name == "plugin.GRPCController" else h)
`,
}

func writeFault(t *testing.T, dir, mode string) string {
	t.Helper()
	sdkDir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("#!/usr/bin/python3\nimport sys\n")
	if mode == "stdout" {
		b.WriteString("print('starting up')\nsys.stdout.flush()\n")
	}
	b.WriteString("sys.path.insert(0, '" + sdkDir + "')\n")
	b.WriteString("from latentbench_sdk import Detector, serve_detector\n")
	b.WriteString(faultPlugins[mode])
	b.WriteString(`
class D(Detector):
    name, version = "fault-` + mode + `", "1"
    def fit(self, x, params, call):
        return 0
    def score(self, model, x, params, call):
        return -x[:, 0]

serve_detector(D())
`)
	path := filepath.Join(dir, "latentbench-detector-fault-"+mode)
	if err := os.WriteFile(path, []byte(b.String()), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// processesRunning returns the pids of live processes whose command line
// mentions s.
func processesRunning(s string) []string {
	var pids []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !strings.Contains(string(cmdline), s) {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if i := strings.LastIndexByte(string(stat), ')'); err == nil && i > 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
			continue // a zombie has exited
		}
		pids = append(pids, e.Name())
	}
	return pids
}

// Each broken Python plugin gives an error whose first line names the plugin
// and the problem, and no process of it is left once the host is done.
func TestPythonFaults(t *testing.T) {
	testenv.RequirePython(t, "numpy", "grpc", "google.protobuf")
	dir := t.TempDir()
	want := map[string]string{
		"syntax":     "SyntaxError",
		"stdout":     "starting up",
		"noshutdown": "",
	}
	for mode, msg := range want {
		t.Run(mode, func(t *testing.T) {
			path := writeFault(t, dir, mode)
			h := host.New()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			s, err := h.Start(ctx, path, sdk.KindDetector)
			if err == nil {
				s.Close()
			}
			h.KillAll()
			if msg == "" {
				if err != nil {
					t.Fatalf("a plugin without Shutdown works otherwise: %v", err)
				}
			} else {
				if err == nil {
					t.Fatal("no error")
				}
				first, _, _ := strings.Cut(err.Error(), "\n")
				t.Logf("error: %s", err)
				if !strings.Contains(first, "fault-"+mode) || !strings.Contains(first, msg) {
					t.Errorf("first line of the error %q: want the plugin's name and %q", first, msg)
				}
			}
			for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				if len(processesRunning(path)) == 0 {
					return
				}
			}
			t.Errorf("processes of %s still running: %v", path, processesRunning(path))
		})
	}
}
