package figures

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Series is one curve of VersusK: the V-measure V[j] reached with K[j]
// clusters by one encoder and clustering method (e.g. "my-encoder, EM-GMM").
type Series struct {
	Label string
	K     []int
	V     []float64
}

// VersusK draws the V-measure (Rosenberg & Hirschberg 2007) against
// the number of clusters k: one line with markers per series, in increasing
// k, with each series' best value ringed and reported in its legend entry
// ("best V at k"), which is what the paper's Table 1 tabulates. V must lie in
// [0, 1]; the k of one series must be positive and distinct.
func VersusK(path string, series []Series, opt Options) error {
	if err := versusK(path, series, opt); err != nil {
		return fmt.Errorf("figures: VersusK: %w", err)
	}
	return nil
}

func versusK(path string, series []Series, opt Options) error {
	r, err := opt.resolve()
	if err != nil {
		return err
	}
	if len(series) == 0 {
		return fmt.Errorf("%w: no series", ErrInput)
	}
	p := newPlot(r, pick(r.XLabel, "number of clusters k"), pick(r.YLabel, "V-measure"))
	grid := plotter.NewGrid()
	grid.Vertical.Color = nil
	grid.Horizontal.Dashes = []vg.Length{vg.Points(1), vg.Points(2)}
	p.Add(grid)
	var entries []legendEntry
	kmin, kmax := math.MaxInt, 0
	for s, ser := range series {
		xys, err := seriesXYs(ser)
		if err != nil {
			return fmt.Errorf("series %d (%q): %w", s, ser.Label, err)
		}
		kmin = min(kmin, int(xys[0].X))
		kmax = max(kmax, int(xys[len(xys)-1].X))
		line, glyph := seriesStyle(s)
		l, pts, err := plotter.NewLinePoints(xys)
		if err != nil {
			return fmt.Errorf("series %d (%q): %w", s, ser.Label, err)
		}
		l.LineStyle = line
		pts.GlyphStyle = glyph
		best := 0
		for j := range xys {
			if xys[j].Y > xys[best].Y {
				best = j
			}
		}
		ring, err := plotter.NewScatter(xys[best : best+1])
		if err != nil {
			return fmt.Errorf("series %d (%q): %w", s, ser.Label, err)
		}
		ring.GlyphStyle = draw.GlyphStyle{Color: line.Color, Radius: 2.2 * glyph.Radius, Shape: draw.RingGlyph{}}
		p.Add(l, pts, ring)
		label := ser.Label
		if label == "" {
			label = fmt.Sprintf("series %d", s+1)
		}
		entries = append(entries, legendEntry{
			label: fmt.Sprintf("%s (best %.3f at k = %d)", label, xys[best].Y, int(xys[best].X)),
			thumb: lineThumb{line, glyph},
		})
	}
	p.X.Tick.Marker = integerTicks{}
	p.X.Min, p.X.Max = float64(kmin)-0.5, float64(kmax)+0.5

	img := r.canvas()
	c := inset(draw.New(img), vg.Points(4))
	c = drawTitle(c, pick(r.Title, "V-measure against the number of clusters"), r.FontSize+2)
	// Legend entries carry long texts, so they go above the plot, which
	// keeps the full width for the k axis.
	c = newLegend(r, entries, c.Max.X-c.Min.X-vg.Points(4*r.FontSize)).placeTop(c)
	p.Draw(c)
	return writePNG(path, img)
}

// seriesXYs validates a series and returns its points sorted by k.
func seriesXYs(s Series) (plotter.XYs, error) {
	if len(s.K) == 0 {
		return nil, fmt.Errorf("%w: empty series", ErrInput)
	}
	if len(s.K) != len(s.V) {
		return nil, fmt.Errorf("%w: %d values of k but %d of V", ErrInput, len(s.K), len(s.V))
	}
	xys := make(plotter.XYs, len(s.K))
	for j, k := range s.K {
		v := s.V[j]
		if k <= 0 {
			return nil, fmt.Errorf("%w: k = %d must be positive", ErrInput, k)
		}
		if !finite(v) || v < 0 || v > 1 {
			return nil, fmt.Errorf("%w: V = %g at k = %d is not in [0, 1]", ErrInput, v, k)
		}
		xys[j] = plotter.XY{X: float64(k), Y: v}
	}
	sort.SliceStable(xys, func(a, b int) bool { return xys[a].X < xys[b].X })
	for j := 1; j < len(xys); j++ {
		if xys[j].X == xys[j-1].X {
			return nil, fmt.Errorf("%w: k = %d repeated", ErrInput, int(xys[j].X))
		}
	}
	return xys, nil
}
