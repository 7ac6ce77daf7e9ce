package figures

import (
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Points is one method's points of QualityCost: Cost[j] (seconds, > 0) and
// Quality[j] on data set j.
type Points struct {
	Label         string
	Cost, Quality []float64
}

// QualityCost draws quality against cost: one marker per method and data
// set, a colour and shape per method, cost on a logarithmic x axis (as
// ADBench and TimeEval plot quality against run time). Opt's XLabel and
// YLabel name the two.
func QualityCost(path string, methods []Points, opt Options) error {
	if err := qualityCost(path, methods, opt); err != nil {
		return fmt.Errorf("figures: QualityCost: %w", err)
	}
	return nil
}

func qualityCost(path string, methods []Points, opt Options) error {
	r, err := opt.resolve()
	if err != nil {
		return err
	}
	if len(methods) == 0 {
		return fmt.Errorf("%w: no methods", ErrInput)
	}
	p := newPlot(r, pick(r.XLabel, "cost (s, log scale)"), pick(r.YLabel, "quality"))
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = logTicks125{}
	grid := plotter.NewGrid()
	grid.Horizontal.Dashes = []vg.Length{vg.Points(1), vg.Points(2)}
	grid.Vertical.Dashes = grid.Horizontal.Dashes
	p.Add(grid)
	var entries []legendEntry
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, m := range methods {
		if len(m.Cost) != len(m.Quality) || len(m.Cost) == 0 {
			return fmt.Errorf("%w: method %q has %d costs and %d values", ErrInput, m.Label, len(m.Cost), len(m.Quality))
		}
		xys := make(plotter.XYs, len(m.Cost))
		for j := range m.Cost {
			if !(m.Cost[j] > 0) || !finite(m.Cost[j]) || !finite(m.Quality[j]) {
				return fmt.Errorf("%w: method %q point %d: cost %g, quality %g", ErrInput, m.Label, j, m.Cost[j], m.Quality[j])
			}
			xys[j] = plotter.XY{X: m.Cost[j], Y: m.Quality[j]}
			lo, hi = math.Min(lo, m.Cost[j]), math.Max(hi, m.Cost[j])
		}
		sc, err := plotter.NewScatter(xys)
		if err != nil {
			return err
		}
		sty := categoryStyle(i, vg.Points(3.5))
		sc.GlyphStyle = sty
		p.Add(sc)
		entries = append(entries, legendEntry{label: m.Label, thumb: glyphThumb{sty}})
	}
	// At least one decade, so the log axis has labelled ticks.
	mid := math.Sqrt(lo * hi)
	if hi/lo < 10 {
		lo, hi = math.Min(lo, mid/math.Sqrt(10)), math.Max(hi, mid*math.Sqrt(10))
	}
	p.X.Min, p.X.Max = lo/1.3, hi*1.3

	img := r.canvas()
	c := inset(draw.New(img), vg.Points(4))
	c = drawTitle(c, pick(r.Title, "quality against cost"), r.FontSize+2)
	c = newLegend(r, entries, vg.Points(20*r.FontSize)).placeRight(c)
	p.Draw(c)
	return writePNG(path, img)
}

// logTicks125 labels 1, 2 and 5 times each power of ten on a log axis, with
// unlabelled minor ticks at the other integers, so that a range under one
// decade still reads.
type logTicks125 struct{}

func (logTicks125) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		p := math.Pow(10, e)
		for m := 1; m <= 9; m++ {
			v := float64(m) * p
			if v < lo || v > hi {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}
