package adbenchtest

import (
	"os"
	"testing"

	"github.com/latentbench/latentbench/internal/plugintest"
)

// TestMain shares one build of each executable among this package's tests
// and gives them a temporary user cache directory (plugintest.Main).
func TestMain(m *testing.M) { os.Exit(plugintest.Main(m)) }
