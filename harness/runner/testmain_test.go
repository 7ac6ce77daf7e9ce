package runner_test

import (
	"os"
	"testing"

	"github.com/latentbench/latentbench/internal/plugintest"
)

// TestMain shares one build of each plugin among this package's tests and
// keeps the plugin descriptions of any CLI they start out of the user's cache
// directory (plugintest.Main).
func TestMain(m *testing.M) { os.Exit(plugintest.Main(m)) }
