package figures

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ClassShareBars draws the paper's Fig. 4: for each class a pair of bars,
// the class's share among all evaluated points (p_c) and among the flagged
// anomalies (q_c), in percent. Shares are given as fractions in [0, 1] (docs/method.md,
// "Class-distribution RMSE"); rmse = sqrt(mean_c (q_c − p_c)²) is printed in the legend entry of
// the flagged bars (the paper prints it in a box next to each algorithm).
// The legend sits above the plot.
func ClassShareBars(path string, classNames []string, all, flagged []float64, rmse float64, opt Options) error {
	if err := classShareBars(path, classNames, all, flagged, rmse, opt); err != nil {
		return fmt.Errorf("figures: ClassShareBars: %w", err)
	}
	return nil
}

func classShareBars(path string, classNames []string, all, flagged []float64, rmse float64, opt Options) error {
	r, err := opt.resolve()
	if err != nil {
		return err
	}
	n := len(classNames)
	switch {
	case n == 0:
		return fmt.Errorf("%w: no classes", ErrInput)
	case len(all) != n || len(flagged) != n:
		return fmt.Errorf("%w: %d class names, %d shares among all, %d among flagged", ErrInput, n, len(all), len(flagged))
	case !finite(rmse) || rmse < 0:
		return fmt.Errorf("%w: RMSE %g must be finite and non-negative", ErrInput, rmse)
	}
	top := 0.0
	series := [2][]float64{make([]float64, n), make([]float64, n)}
	for s, src := range [2][]float64{all, flagged} {
		for i, v := range src {
			if !finite(v) || v < 0 || v > 1 {
				return fmt.Errorf("%w: share %g of class %q is not a fraction in [0, 1]", ErrInput, v, classNames[i])
			}
			series[s][i] = 100 * v
			top = math.Max(top, 100*v)
		}
	}
	if top == 0 {
		top = 1
	}

	fills := [2]color.Color{tab10()[0], tab10()[1]}
	outline := draw.LineStyle{Color: color.Black, Width: vg.Points(0.5)}
	p := newPlot(r, pick(r.XLabel, "class"), pick(r.YLabel, "share of points (%)"))
	grid := plotter.NewGrid()
	grid.Vertical.Color = nil
	grid.Horizontal.Color = color.Gray{0xdd}
	grid.Horizontal.Dashes = nil
	p.Add(grid, &groupedBars{series: series[:], fills: fills[:], outline: outline, span: 0.8})
	p.Y.Min, p.Y.Max = 0, top*1.05
	p.Y.Padding = 0
	p.X.Padding = 0
	img := r.canvas()
	c := inset(draw.New(img), vg.Points(4))
	c = drawTitle(c, pick(r.Title, "Class shares among all points and among flagged anomalies"), r.FontSize+2)
	c = newLegend(r, []legendEntry{
		{label: "all points", thumb: boxThumb{draw.GlyphStyle{Color: fills[0]}, outline}},
		{label: fmt.Sprintf("flagged anomalies (RMSE %.4f)", rmse), thumb: boxThumb{draw.GlyphStyle{Color: fills[1]}, outline}},
	}, c.Max.X-c.Min.X-vg.Points(4*r.FontSize)).placeTop(c)

	// Class names are written under their bars; when they would collide
	// (the data area is at most the canvas width, shared by n slots) they
	// are turned by 45°, and shortened so they take at most a quarter of
	// the height.
	sty := p.X.Tick.Label
	slot := (c.Max.X - c.Min.X) / vg.Length(n)
	names := append([]string(nil), classNames...)
	widest := vg.Length(0)
	for _, name := range names {
		widest = max(widest, sty.Width(name))
	}
	if widest > 0.8*slot {
		p.X.Tick.Label.Rotation = math.Pi / 4
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YTop
		for i, name := range names {
			names[i] = ellipsize(sty, name, 0.25*(c.Max.Y-c.Min.Y)*math.Sqrt2)
		}
	}
	ticks := make([]plot.Tick, n)
	for i, name := range names {
		ticks[i] = plot.Tick{Value: float64(i), Label: name}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.Draw(c)
	return writePNG(path, img)
}

// groupedBars draws, for each category i at x = i, one bar per series side
// by side, filling span data units in total. Bar widths are in data units,
// so they scale with the plot instead of being fixed lengths as in gonum's
// BarChart.
type groupedBars struct {
	series  [][]float64 // series[s][i]: height of series s at category i
	fills   []color.Color
	outline draw.LineStyle
	span    float64
}

// Plot implements plot.Plotter.
func (g *groupedBars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	bw := g.span / float64(len(g.series))
	for s, vals := range g.series {
		for i, v := range vals {
			x0 := float64(i) - g.span/2 + float64(s)*bw
			l, r := trX(x0), trX(x0+bw)
			b, t := trY(0), trY(v)
			pts := []vg.Point{{X: l, Y: b}, {X: r, Y: b}, {X: r, Y: t}, {X: l, Y: t}}
			c.FillPolygon(g.fills[s], c.ClipPolygonXY(pts))
			c.StrokeLines(g.outline, c.ClipLinesXY(append(pts, pts[0]))...)
		}
	}
}

// DataRange implements plot.DataRanger.
func (g *groupedBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	n := 0
	for _, vals := range g.series {
		n = max(n, len(vals))
		for _, v := range vals {
			ymax = math.Max(ymax, v)
		}
	}
	return -0.5, float64(n) - 0.5, 0, ymax
}
