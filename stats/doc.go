// Package stats holds the statistical tests the reports use to say whether a
// difference between methods is real: ranks with ties averaged, the Friedman
// test and its Iman–Davenport F refinement over many data sets, the Wilcoxon
// signed-rank test, Holm's step-down correction, and Student's paired and
// Welch's two-sample t-tests over seeds.
//
// The tests reproduce SciPy 1.10.1 (scipy.stats, as Debian 12 ships it) to
// 1e-12 on the goldens in testdata/goldens.json, which
// testdata/goldens.py writes; each function's comment names the SciPy
// function it matches and any SciPy behaviour that a reader might not
// expect. The distribution tails come from gonum's mathext (ports of the
// Cephes routines SciPy uses).
//
// References:
//
//   - J. Demšar (2006), Statistical comparisons of classifiers over multiple
//     data sets, JMLR 7:1–30.
//   - A. Benavoli, G. Corani, F. Mangili (2016), Should we really use
//     post-hoc tests based on mean-ranks?, JMLR 17(5):1–10.
//   - F. Wilcoxon (1945), Individual comparisons by ranking methods,
//     Biometrics Bulletin 1(6):80–83.
//   - S. Holm (1979), A simple sequentially rejective multiple test
//     procedure, Scandinavian Journal of Statistics 6(2):65–70.
//   - R. L. Iman, J. M. Davenport (1980), Approximations of the critical
//     region of the Friedman statistic, Communications in Statistics 9(6).
//   - B. L. Welch (1947), The generalization of "Student's" problem when
//     several different population variances are involved, Biometrika 34.
package stats
