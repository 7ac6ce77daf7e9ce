package grid

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Plan prints the expanded cells as an aligned table (index, id, dataset,
// encoder label, detector label, seed) followed by a summary of the work
// (testdata/valid/basic.toml, with its plugin names
// written here as enc-… and det-…):
//
//	#   id            dataset  encoder                 detector           seed
//	0   33a2245e15e2  tiny     enc-a(latent_dim=2)     det-a              0
//	...
//	47  dc4b0502ce01  tiny-b   enc-b(hidden=[512,256]) det-b(n_neighbors=20)  1
//	48 cells: 2 datasets × 4 encoder instances × 3 detector instances × 2 seeds; 16 encoder fits, 16 clustering sweeps (kmeans; k = 2..10), 48 detector fits; timeout 10m0s per cell
//
// A grid without detectors shows "-" in the detector column.
func (g *Grid) Plan(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tid\tdataset\tencoder\tdetector\tseed")
	for i := range g.Cells {
		c := &g.Cells[i]
		det := "-"
		if c.Detector != nil {
			det = c.Detector.Label
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\n", c.Index, c.ID, c.Dataset.Name, c.Encoder.Label, det, c.Seed)
	}
	tw.Flush()
	fmt.Fprintln(w, g.Summary())
}

// Summary is the one-line summary Plan ends with: the number of cells and how
// they factor, and the number of encoder fits, clustering sweeps and detector
// fits they need (an encoder fit is shared by the cells that differ only in
// the detector).
func (g *Grid) Summary() string {
	plural := func(n int, one string) string {
		if n == 1 {
			return fmt.Sprintf("%d %s", n, one)
		}
		return fmt.Sprintf("%d %ss", n, one)
	}
	encFits := len(g.Datasets) * len(g.EncoderInstances) * len(g.Experiment.Seeds)
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s × %s", plural(len(g.Cells), "cell"),
		plural(len(g.Datasets), "dataset"), plural(len(g.EncoderInstances), "encoder instance"))
	if len(g.DetectorInstances) > 0 {
		fmt.Fprintf(&b, " × %s", plural(len(g.DetectorInstances), "detector instance"))
	} else {
		b.WriteString(" (no detector)")
	}
	fmt.Fprintf(&b, " × %s; %s", plural(len(g.Experiment.Seeds), "seed"), plural(encFits, "encoder fit"))
	if n := len(g.Clustering.Methods); n > 0 {
		fmt.Fprintf(&b, ", %s (%s; k = %d..%d)", plural(encFits*n, "clustering sweep"),
			strings.Join(g.Clustering.Methods, ", "), g.Clustering.KMin, g.Clustering.KMax)
	}
	if len(g.DetectorInstances) > 0 {
		fmt.Fprintf(&b, ", %s", plural(len(g.Cells), "detector fit"))
	}
	fmt.Fprintf(&b, "; timeout %s per cell", g.Experiment.Timeout)
	return b.String()
}
