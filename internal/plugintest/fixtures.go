package plugintest

import (
	"github.com/latentbench/latentbench/plugins/detectors/iforest"
	"github.com/latentbench/latentbench/sdk"
)

// Fixture is one of the repository's plugins that the harness's own tests
// run for the role its constructor names (a linear projection, a seeded
// detector, ...). Those tests name the role, never the plugin: which plugin
// plays a role is decided here, outside harness/, so that the harness's code
// and tests name no plugin.
type Fixture struct {
	// Kind is the plugin's kind.
	Kind sdk.Kind
	// Name is the plugin's name, as a grid's plugin key writes it.
	Name string
	// Package is the import path of its main package.
	Package string
	// InProcess returns the plugin as a Go value, for a test comparing it
	// in-process with out-of-process; nil when the fixture offers none.
	InProcess func() sdk.Detector
}

// File is the fixture's executable name, latentbench-<kind>-<name>.
func (f Fixture) File() string { return "latentbench-" + string(f.Kind) + "-" + f.Name }

func plugin(kind sdk.Kind, name string) Fixture {
	return Fixture{Kind: kind, Name: name, Package: Module + "/plugins/" + string(kind) + "s/" + name + "/cmd"}
}

// Projection is a deterministic linear encoder onto the leading principal
// components (in decreasing order of variance), with the parameters
// latent_dim (int, default 2) and whiten (bool).
func Projection() Fixture { return plugin(sdk.KindEncoder, "pca") }

// Passthrough is an encoder whose latent points are its input rows, with the
// parameter standardize (bool); its fit is seed-independent.
func Passthrough() Fixture { return plugin(sdk.KindEncoder, "identity") }

// Forest is a seeded detector (its scores change with the seed) with the
// parameter n_estimators (int); it has an in-process form.
func Forest() Fixture {
	f := plugin(sdk.KindDetector, "iforest")
	f.InProcess = iforest.Plugin
	return f
}

// Neighbours is a deterministic detector: its fit is seed-independent and
// its scores are the same whatever the seed.
func Neighbours() Fixture { return plugin(sdk.KindDetector, "lof") }

// Packages returns the executables of fixtures by name, for Build.
func Packages(fixtures ...Fixture) map[string]string {
	out := make(map[string]string, len(fixtures))
	for _, f := range fixtures {
		out[f.File()] = f.Package
	}
	return out
}
