// Command latentbench-detector-iforest serves the isolation forest detector.
package main

import (
	"github.com/latentbench/latentbench/plugins/detectors/iforest"
	"github.com/latentbench/latentbench/sdk/serve"
)

func main() { serve.Detector(iforest.Plugin()) }
