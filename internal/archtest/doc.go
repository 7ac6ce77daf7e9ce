// Package archtest holds tests of the repository's structure rather than of
// its behaviour: what the harness may know about. It has no API.
//
// The harness (harness/) runs whatever plugins and data sets a grid names
// and renders whatever reference figures and claims a grid declares; no
// plugin, data set or paper is built into it. TestHarnessKnowsNoPluginDataSetOrPaper
// keeps it so, for its code and its tests: the names of the repository's
// plugins (from plugins/), the word "mnist" and the reference figures of
// the grids in configs/ appear nowhere under harness/. Tests of the
// harness that need a real plugin take it from internal/plugintest's
// fixtures by role (plugintest.Forest, ...), and a real data set from
// internal/fixtures.
package archtest
