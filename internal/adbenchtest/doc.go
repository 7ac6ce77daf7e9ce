// Package adbenchtest holds the acceptance test "ROC-AUC of each detector
// within 0.02 of scikit-learn's on each ADBench set" (adbench_test.go). It has
// no API: the package exists for its test and benchmarks.
//
// For the ADBench sets cardio, thyroid and pima (data/adbench), the test
// standardises X over all rows, fits the Go isolation forest
// (plugins/detectors/iforest), LOF (plugins/detectors/lof) and one-class SVM
// (plugins/detectors/ocsvm) on all rows, scores the same rows, and compares
// metrics.ROCAUC of the scores with the AUCs scikit-learn 1.2.1 obtains by the
// same protocol (testdata/gen_golden.py, which writes
// testdata/adbench_auc.json; its docstring states the protocol).
//
// The same goldens check the protocol through the loader (TestSplitNoneMatchesSklearn:
// the eight bundled sets loaded with split = "none") and through the whole
// harness (allrows_test.go, TestAllRowsGrid: the built CLI and plugins run
// configs/adbench-allrows.toml, whose ROC-AUCs per data set and detector must
// be scikit-learn's within the same 0.02, the forest's as a mean over 20 seeds).
//
// BenchmarkCellOverhead (overhead_bench_test.go) measures the runner's
// per-cell overhead on configs/adbench.toml's isolation-forest cells against
// the same computation in-process.
package adbenchtest
