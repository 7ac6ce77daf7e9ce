package main

import (
	"os"
	"testing"

	"github.com/latentbench/latentbench/internal/plugintest"
)

// TestMain shares one build of each executable among this package's tests
// (plugintest.Build copies it into each test's directory).
func TestMain(m *testing.M) { os.Exit(plugintest.Main(m)) }
