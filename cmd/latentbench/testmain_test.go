package main

import (
	"os"
	"testing"

	"github.com/latentbench/latentbench/internal/plugintest"
)

// TestMain shares one build of each executable among this package's tests
// (plugintest.Build copies it into each test's directory) and gives them a
// temporary user cache directory, so that the CLI's plugin descriptions stay
// out of the user's (plugintest.Main).
func TestMain(m *testing.M) { os.Exit(plugintest.Main(m)) }
