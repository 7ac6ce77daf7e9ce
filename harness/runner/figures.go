package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"

	"github.com/latentbench/latentbench/harness/dataset"
	"github.com/latentbench/latentbench/harness/figures"
	"github.com/latentbench/latentbench/harness/grid"
	"github.com/latentbench/latentbench/sdk"
)

// Figure file names, under Options.FiguresDir. The report links them by
// these names.
const (
	FigLatent   = "latent"   // paper Fig. 2: latent points by class
	FigClusters = "clusters" // paper Fig. 3: best EM-GMM clustering
	FigMarked   = "marked"   // paper Fig. 5: the most anomalous points marked
	FigGallery  = "gallery"  // paper Fig. 5: their images (image data only)
)

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._=-]+`)

// FigureName is the file name of a figure: its kind and the labels of what
// it shows, made safe for file systems.
func FigureName(kind string, labels ...string) string {
	name := kind
	for _, l := range labels {
		name += "__" + unsafeName.ReplaceAllString(l, "_")
	}
	return name + ".png"
}

// galleryCount is the number of most anomalous points marked (paper Fig. 5).
const galleryCount = 15

// FigureDPI is the resolution of the figures: 6×5 inches at 100 dpi, sharp in
// a Markdown view and about 100 KB for a 10000-point scatter.
const FigureDPI = 100

// drawFigures draws the cell's figures; a figure that cannot be drawn or
// written is a note in the cell, never a failure of a cell whose metrics were
// computed.
func (r *run) drawFigures(c *grid.Cell, res *Result, data *dataset.Loaded, z sdk.Matrix, cl *clustering, scores []float64) {
	if err := r.figures(c, data, z, cl, scores); err != nil {
		res.Notes = append(res.Notes, fmt.Sprintf("figures not drawn: %v", err))
	}
}

// figures draws the latent-space figures of a cell of the grid's first seed:
// they need the latent points, which only the run has.
func (r *run) figures(c *grid.Cell, data *dataset.Loaded, z sdk.Matrix, cl *clustering, scores []float64) error {
	dir := r.opt.FiguresDir
	if dir == "" || c.Seed != r.g.Experiment.Seeds[0] {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	x := z.Float64()
	truth := labelsInt(data.Test.Labels)
	title := func(what string) figures.Options {
		return figures.Options{Title: fmt.Sprintf("%s: %s on %s", what, c.Encoder.Label, data.Name), Seed: uint64(c.Seed), DPI: FigureDPI}
	}
	// Encoder figures are the same for every detector of the cell's encoding:
	// the first cell to get here draws them.
	if r.once(FigureName(FigLatent, data.Name, c.Encoder.Label)) {
		if truth != nil {
			if err := figures.LatentScatter(filepath.Join(dir, FigureName(FigLatent, data.Name, c.Encoder.Label)),
				x, z.Rows, z.Cols, truth, data.Test.Classes, title("latent space")); err != nil {
				return err
			}
		}
		if cl != nil && cl.Best[grid.MethodGMM] != nil {
			o := title(fmt.Sprintf("EM-GMM clusters (k = %d)", cl.BestK[grid.MethodGMM]))
			if err := figures.ClusterScatter(filepath.Join(dir, FigureName(FigClusters, data.Name, c.Encoder.Label)),
				x, z.Rows, z.Cols, cl.Best[grid.MethodGMM], o); err != nil {
				return err
			}
		}
	}
	// The most-anomalous figures are drawn for the grid's first detector
	// only: one per encoding keeps the report readable and small.
	if scores == nil || c.Detector == nil || c.DetectorIndex != 0 || truth == nil {
		return nil
	}
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] < scores[idx[b]] })
	marked := idx[:min(galleryCount, len(idx))]
	o := figures.Options{Title: fmt.Sprintf("%d most anomalous by %s: %s on %s", len(marked), c.Detector.Label, c.Encoder.Label, data.Name),
		ClassNames: data.Test.Classes, Seed: uint64(c.Seed), DPI: FigureDPI}
	if err := figures.MarkedScatter(filepath.Join(dir, FigureName(FigMarked, data.Name, c.Encoder.Label, c.Detector.Label)),
		x, z.Rows, z.Cols, truth, marked, o); err != nil {
		return err
	}
	if side := imageSide(&data.Test); side > 0 {
		images := make([][]float32, len(marked))
		captions := make([]string, len(marked))
		for i, j := range marked {
			images[i] = data.Test.Row(j)
			captions[i] = fmt.Sprintf("#%d: %s, %.3f", i+1, data.Test.Classes[truth[j]], scores[j])
		}
		o.Title = fmt.Sprintf("The %d most anomalous test images by %s on %s", len(marked), c.Detector.Label, c.Encoder.Label)
		if err := figures.AnomalyGallery(filepath.Join(dir, FigureName(FigGallery, data.Name, c.Encoder.Label, c.Detector.Label)),
			images, side, side, captions, o); err != nil {
			return err
		}
	}
	return nil
}

// imageSide returns the side of square grayscale images (28 for 28×28 digits), or 0
// when the rows are not images.
func imageSide(d *dataset.Data) int {
	if len(d.Features) != 1 || d.Features[0].Kind != sdk.FeatureUnit {
		return 0
	}
	for s := 2; s*s <= d.D; s++ {
		if s*s == d.D {
			return s
		}
	}
	return 0
}

// once reports whether key is seen for the first time in this run.
func (r *run) once(key string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.drawn == nil {
		r.drawn = map[string]bool{}
	}
	if r.drawn[key] {
		return false
	}
	r.drawn[key] = true
	return true
}
