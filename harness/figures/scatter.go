package figures

import (
	"fmt"
	"image/color"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// LatentScatter draws the paper's Fig. 2: the latent points z (n×d, row
// major, d ≥ 2; only the first two dimensions are drawn, as the axis labels
// say when d > 2) coloured by class, labels[i] being an index into
// classNames, with a legend of class names beside the data.
//
// Colours are matplotlib's tab10 (tab20's light half and other marker shapes
// beyond ten classes). At most opt.MaxPoints points are drawn, chosen
// uniformly at random with opt.Seed, and they are drawn in a seeded random
// order so that no class systematically covers another.
func LatentScatter(path string, z []float64, n, d int, labels []int, classNames []string, opt Options) error {
	if err := latentScatter(path, z, n, d, labels, classNames, opt); err != nil {
		return fmt.Errorf("figures: LatentScatter: %w", err)
	}
	return nil
}

func latentScatter(path string, z []float64, n, d int, labels []int, classNames []string, opt Options) error {
	r, err := opt.resolve()
	if err != nil {
		return err
	}
	if err := checkLatent(z, n, d); err != nil {
		return err
	}
	if len(classNames) == 0 {
		return fmt.Errorf("%w: no class names", ErrInput)
	}
	if err := checkCategories("labels", labels, n, len(classNames)); err != nil {
		return err
	}
	radius := vg.Points(r.MarkerRadius)
	styles, entries := categoryLegend(classNames, radius)
	order := drawOrder(n, r.MaxPoints, r.Seed, nil)
	xl, yl := latentAxisLabels(d)
	return renderScatter(path, r, scatterSpec{
		title:   subsampleNote(pick(r.Title, "Latent space by class"), len(order), n),
		xlabel:  pick(r.XLabel, xl),
		ylabel:  pick(r.YLabel, yl),
		z:       z,
		d:       d,
		cat:     labels,
		order:   order,
		styles:  styles,
		entries: entries,
	})
}

// ClusterScatter draws the paper's Fig. 3: the latent points z (n×d, row
// major, first two dimensions drawn) coloured by their EM-GMM cluster
// (clusters[i] ≥ 0), with a legend "cluster j" for each cluster present.
// If opt.Means holds k×d component means they are marked with a haloed X and
// their component index. Subsampling and drawing order are as in LatentScatter.
func ClusterScatter(path string, z []float64, n, d int, clusters []int, opt Options) error {
	if err := clusterScatter(path, z, n, d, clusters, opt); err != nil {
		return fmt.Errorf("figures: ClusterScatter: %w", err)
	}
	return nil
}

func clusterScatter(path string, z []float64, n, d int, clusters []int, opt Options) error {
	r, err := opt.resolve()
	if err != nil {
		return err
	}
	if err := checkLatent(z, n, d); err != nil {
		return err
	}
	if err := checkCategories("clusters", clusters, n, math.MaxInt); err != nil {
		return err
	}
	var means plotter.XYs
	if len(r.Means) > 0 {
		if len(r.Means)%d != 0 {
			return fmt.Errorf("%w: %d means values is not a multiple of d = %d", ErrInput, len(r.Means), d)
		}
		for j := 0; j < len(r.Means); j += d {
			x, y := r.Means[j], r.Means[j+1]
			if !finite(x) || !finite(y) {
				return fmt.Errorf("%w: mean %d is not finite", ErrInput, j/d)
			}
			means = append(means, plotter.XY{X: x, Y: y})
		}
	}
	present := presentCategories(clusters)
	k := present[len(present)-1] + 1
	radius := vg.Points(r.MarkerRadius)
	styles := make([]draw.GlyphStyle, k)
	var entries []legendEntry
	for _, c := range present {
		styles[c] = categoryStyle(c, radius)
		entries = append(entries, legendEntry{
			label: "cluster " + strconv.Itoa(c),
			thumb: glyphThumb{categoryStyle(c, legendRadius(radius))},
		})
	}
	var extra []plot.Plotter
	if len(means) > 0 {
		ms := draw.GlyphStyle{Color: color.Black, Radius: vg.Points(5), Shape: meanGlyph{}}
		sc, err := plotter.NewScatter(means)
		if err != nil {
			return fmt.Errorf("means: %w", err)
		}
		sc.GlyphStyle = ms
		labels := make([]string, len(means))
		for j := range labels {
			labels[j] = strconv.Itoa(j)
		}
		lb, err := newPointLabels(means, labels, r.FontSize-1, vg.Points(5))
		if err != nil {
			return fmt.Errorf("means: %w", err)
		}
		extra = append(extra, sc, lb)
		entries = append(entries, legendEntry{label: "component mean", thumb: glyphThumb{ms}})
	}
	xl, yl := latentAxisLabels(d)
	order := drawOrder(n, r.MaxPoints, r.Seed, nil)
	return renderScatter(path, r, scatterSpec{
		title:   subsampleNote(pick(r.Title, fmt.Sprintf("Latent space by EM-GMM cluster (%d clusters)", len(present))), len(order), n),
		xlabel:  pick(r.XLabel, xl),
		ylabel:  pick(r.YLabel, yl),
		z:       z,
		d:       d,
		cat:     clusters,
		order:   order,
		styles:  styles,
		entries: entries,
		extra:   extra,
	})
}

// MarkedScatter draws the first part of the paper's Fig. 5: the latent
// points z (n×d, row major, first two dimensions drawn) coloured by class,
// with the points whose indices are in marked (the most anomalous, most
// anomalous first) drawn on top as large red stars numbered by rank 1, 2, …
// so they can be matched with AnomalyGallery's captions.
//
// Class names come from opt.ClassNames when given (labels index it),
// otherwise labels are shown as numbers. Marked points are always drawn;
// the other points are subsampled and ordered as in LatentScatter.
func MarkedScatter(path string, z []float64, n, d int, labels, marked []int, opt Options) error {
	if err := markedScatter(path, z, n, d, labels, marked, opt); err != nil {
		return fmt.Errorf("figures: MarkedScatter: %w", err)
	}
	return nil
}

func markedScatter(path string, z []float64, n, d int, labels, marked []int, opt Options) error {
	r, err := opt.resolve()
	if err != nil {
		return err
	}
	if err := checkLatent(z, n, d); err != nil {
		return err
	}
	limit := math.MaxInt
	if len(r.ClassNames) > 0 {
		limit = len(r.ClassNames)
	}
	if err := checkCategories("labels", labels, n, limit); err != nil {
		return err
	}
	if len(marked) == 0 {
		return fmt.Errorf("%w: no marked points", ErrInput)
	}
	isMarked := make([]bool, n)
	for _, i := range marked {
		if i < 0 || i >= n {
			return fmt.Errorf("%w: marked index %d outside [0, %d)", ErrInput, i, n)
		}
		if isMarked[i] {
			return fmt.Errorf("%w: marked index %d repeated", ErrInput, i)
		}
		isMarked[i] = true
	}
	names := r.ClassNames
	if len(names) == 0 {
		present := presentCategories(labels)
		names = make([]string, present[len(present)-1]+1)
		for _, c := range present {
			names[c] = strconv.Itoa(c)
		}
	}
	radius := vg.Points(r.MarkerRadius)
	styles, entries := categoryLegend(names, radius)

	starStyle := draw.GlyphStyle{Color: color.RGBA{R: 0xff, A: 0xff}, Radius: max(vg.Points(6), 4*radius), Shape: starGlyph{}}
	stars := make(plotter.XYs, len(marked))
	ranks := make([]string, len(marked))
	for j, i := range marked {
		stars[j] = plotter.XY{X: z[i*d], Y: z[i*d+1]}
		ranks[j] = strconv.Itoa(j + 1)
	}
	sc, err := plotter.NewScatter(stars)
	if err != nil {
		return fmt.Errorf("marked points: %w", err)
	}
	sc.GlyphStyle = starStyle
	lb, err := newPointLabels(stars, ranks, r.FontSize-2, starStyle.Radius)
	if err != nil {
		return fmt.Errorf("marked points: %w", err)
	}
	entries = append(entries, legendEntry{
		label: fmt.Sprintf("%d most anomalous", len(marked)),
		thumb: glyphThumb{draw.GlyphStyle{Color: starStyle.Color, Radius: vg.Points(5), Shape: starGlyph{}}},
	})

	order := drawOrder(n, r.MaxPoints, r.Seed, isMarked)
	xl, yl := latentAxisLabels(d)
	return renderScatter(path, r, scatterSpec{
		title:   subsampleNote(pick(r.Title, fmt.Sprintf("Latent space with the %d most anomalous points", len(marked))), len(order)+len(marked), n),
		xlabel:  pick(r.XLabel, xl),
		ylabel:  pick(r.YLabel, yl),
		z:       z,
		d:       d,
		cat:     labels,
		order:   order,
		styles:  styles,
		entries: entries,
		extra:   []plot.Plotter{sc, lb},
	})
}

// scatterSpec is what renderScatter needs to draw one scatter figure.
type scatterSpec struct {
	title, xlabel, ylabel string
	z                     []float64
	d                     int
	cat                   []int             // category of each point, indexing styles
	order                 []int             // points to draw, in drawing order
	styles                []draw.GlyphStyle // marker of each category
	entries               []legendEntry
	extra                 []plot.Plotter // drawn over the points
}

// renderScatter lays out title, legend and plot, draws, and writes the PNG.
func renderScatter(path string, r resolved, s scatterSpec) error {
	xys := make(plotter.XYs, len(s.order))
	for j, i := range s.order {
		xys[j] = plotter.XY{X: s.z[i*s.d], Y: s.z[i*s.d+1]}
	}
	p := newPlot(r, s.xlabel, s.ylabel)
	if len(xys) > 0 {
		sc, err := plotter.NewScatter(xys)
		if err != nil {
			return fmt.Errorf("points: %w", err)
		}
		sc.GlyphStyleFunc = func(j int) draw.GlyphStyle { return s.styles[s.cat[s.order[j]]] }
		p.Add(sc)
	}
	p.Add(s.extra...)

	img := r.canvas()
	c := inset(draw.New(img), vg.Points(4))
	c = drawTitle(c, s.title, r.FontSize+2)
	c = newLegend(r, s.entries, 0.3*(c.Max.X-c.Min.X)).placeRight(c)
	p.Draw(c)
	return writePNG(path, img)
}

// categoryLegend returns the marker of each category and a legend entry for
// each non-empty name.
func categoryLegend(names []string, radius vg.Length) ([]draw.GlyphStyle, []legendEntry) {
	styles := make([]draw.GlyphStyle, len(names))
	var entries []legendEntry
	for i, name := range names {
		styles[i] = categoryStyle(i, radius)
		if name != "" {
			entries = append(entries, legendEntry{label: name, thumb: glyphThumb{categoryStyle(i, legendRadius(radius))}})
		}
	}
	return styles, entries
}

// legendRadius is the marker radius shown in legends: at least 3 pt, so
// colours are recognisable even when the data markers are tiny.
func legendRadius(r vg.Length) vg.Length { return max(r, vg.Points(3)) }

// drawOrder returns the indices of the points to draw, in drawing order: a
// random permutation of 0..n-1 (PCG seeded with seed), without the points
// for which skip is true, cut to at most limit points. Taking the head of a
// uniform permutation is a uniform subsample, and its order interleaves the
// classes.
func drawOrder(n, limit int, seed uint64, skip []bool) []int {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	perm := rng.Perm(n)
	if skip != nil {
		perm = slices.DeleteFunc(perm, func(i int) bool { return skip[i] })
	}
	if len(perm) > limit {
		perm = perm[:limit]
	}
	return perm
}

// subsampleNote appends a line saying how many points are shown when not all are.
func subsampleNote(title string, shown, n int) string {
	if shown >= n {
		return title
	}
	return fmt.Sprintf("%s\n(%d of %d points shown, random subsample)", title, shown, n)
}

// latentAxisLabels returns the axis labels of a latent scatter plot.
func latentAxisLabels(d int) (string, string) {
	if d == 2 {
		return "latent dimension 1", "latent dimension 2"
	}
	return fmt.Sprintf("latent dimension 1 of %d (first two shown)", d),
		fmt.Sprintf("latent dimension 2 of %d (first two shown)", d)
}

// checkLatent validates a row-major n×d latent matrix whose first two
// columns are drawn.
func checkLatent(z []float64, n, d int) error {
	switch {
	case n <= 0:
		return fmt.Errorf("%w: no points (n = %d)", ErrInput, n)
	case d < 2:
		return fmt.Errorf("%w: latent dimension d = %d, need at least 2", ErrInput, d)
	case n > math.MaxInt/d || len(z) != n*d:
		return fmt.Errorf("%w: len(z) = %d, want n·d = %d·%d", ErrInput, len(z), n, d)
	}
	for i := range n {
		if !finite(z[i*d]) || !finite(z[i*d+1]) {
			return fmt.Errorf("%w: point %d is not finite", ErrInput, i)
		}
	}
	return nil
}

// checkCategories validates n category indices in [0, limit).
func checkCategories(what string, cat []int, n, limit int) error {
	if len(cat) != n {
		return fmt.Errorf("%w: len(%s) = %d, want n = %d", ErrInput, what, len(cat), n)
	}
	for i, c := range cat {
		if c < 0 || c >= limit {
			if limit == math.MaxInt {
				return fmt.Errorf("%w: %s[%d] = %d is negative", ErrInput, what, i, c)
			}
			return fmt.Errorf("%w: %s[%d] = %d outside [0, %d)", ErrInput, what, i, c, limit)
		}
	}
	return nil
}

// presentCategories returns the distinct values of cat in increasing order;
// cat must be non-empty.
func presentCategories(cat []int) []int {
	out := slices.Clone(cat)
	slices.Sort(out)
	return slices.Compact(out)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// pointLabels writes short texts beside points, up and to the right.
type pointLabels struct {
	xys    plotter.XYs
	labels []string
	size   float64
	offset vg.Length
}

func newPointLabels(xys plotter.XYs, labels []string, size float64, offset vg.Length) (*pointLabels, error) {
	if len(xys) != len(labels) {
		return nil, fmt.Errorf("%d points but %d labels", len(xys), len(labels))
	}
	return &pointLabels{xys: xys, labels: labels, size: max(size, 5), offset: offset}, nil
}

// Plot implements plot.Plotter.
func (l *pointLabels) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	sty := textStyle(l.size, draw.XLeft, draw.YBottom)
	off := l.offset * 0.6
	for i, xy := range l.xys {
		pt := vg.Point{X: trX(xy.X) + off, Y: trY(xy.Y) + off}
		c.FillText(sty, pt, l.labels[i])
	}
}
