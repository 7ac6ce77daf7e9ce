// Package testenv decides what a test does when something it needs beyond Go
// is missing (a Debian package, root, a running Slurm): on a developer's
// machine it skips with the reason printed; under CI=true it fails, because a
// green CI that skipped the real thing is a defect.
//
// scripts/install-deps installs the Debian packages (make test runs it).
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Python is the interpreter the project's Python code and tests use: Debian's,
// which has the python3-* packages, not whatever python3 is first on PATH.
const Python = "/usr/bin/python3"

// InCI reports whether the tests run in CI (CI=true), where a missing
// component is a failure, not a skip.
func InCI() bool { return os.Getenv("CI") == "true" }

// Missing ends the test because a component it needs is absent: a skip with
// the reason, or a failure under CI=true.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if InCI() {
		t.Fatalf("%s (required under CI=true; scripts/install-deps installs the Debian packages)", msg)
	}
	t.Logf("SKIP: %s", msg)
	t.Skipf("%s (scripts/install-deps installs it as root; CI=true turns this skip into a failure)", msg)
}

// RequirePython returns the path of Debian's python3 after checking that it
// imports every module named (e.g. "numpy", "grpc", "sklearn"); otherwise it
// calls Missing.
func RequirePython(t testing.TB, modules ...string) string {
	t.Helper()
	if _, err := os.Stat(Python); err != nil {
		Missing(t, "%s is not installed", Python)
	}
	if len(modules) == 0 {
		return Python
	}
	script := "import " + strings.Join(modules, ", ")
	out, err := exec.Command(Python, "-c", script).CombinedOutput()
	if err != nil {
		Missing(t, "%s cannot %q: %s", Python, script, lastLine(string(out)))
	}
	return Python
}

// RequireRoot calls Missing unless the test runs as root.
func RequireRoot(t testing.TB, why string) {
	t.Helper()
	if os.Geteuid() != 0 {
		Missing(t, "%s needs root", why)
	}
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
