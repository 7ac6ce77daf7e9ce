package report

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/latentbench/latentbench/harness/ranking"
	"github.com/latentbench/latentbench/harness/runner"
)

// rankingMetrics lists, per compared axis, the metrics a report ranks by,
// in order of preference: the first one the cells report is used.
func rankingMetrics(by string) []string {
	if by == "encoder" {
		return []string{"auc", "v_gmm", "v_kmeans"}
	}
	return []string{"auc", "em"}
}

// writeRanking adds a section per axis (detectors, encoders) with at least
// two methods on at least two data sets (a single data set's encoders and
// detectors are not ranked against each other's blocks): the ranking of package ranking
// with its critical-difference diagram in figDir.
func writeRanking(b *strings.Builder, figDir string, results []runner.Result, withFigures bool) error {
	for _, by := range []string{"detector", "encoder"} {
		var a *ranking.Analysis
		for _, m := range rankingMetrics(by) {
			if x, err := ranking.Analyze(results, ranking.Options{Metric: m, By: by}); err == nil && x.Datasets >= 2 {
				a = x
				break
			}
		}
		if a == nil {
			continue
		}
		fig := ""
		if withFigures {
			name := fmt.Sprintf("cd__%s__%s.png", by, a.Metric)
			if err := a.DrawCD(filepath.Join(figDir, name)); err != nil {
				return err
			}
			fig = "figures/" + name
		}
		fmt.Fprintf(b, "## Ranking the %ss over the data sets\n\n%s", by, a.Markdown(fig))
	}
	return nil
}
