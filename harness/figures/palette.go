package figures

import (
	"image/color"
	"math"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// tab10 is matplotlib's qualitative "tab10" palette (Vega category10), the
// palette of matplotlib's default colour cycle that the paper's figures use.
func tab10() [10]color.RGBA {
	return [10]color.RGBA{
		{0x1f, 0x77, 0xb4, 0xff}, // blue
		{0xff, 0x7f, 0x0e, 0xff}, // orange
		{0x2c, 0xa0, 0x2c, 0xff}, // green
		{0xd6, 0x27, 0x28, 0xff}, // red
		{0x94, 0x67, 0xbd, 0xff}, // purple
		{0x8c, 0x56, 0x4b, 0xff}, // brown
		{0xe3, 0x77, 0xc2, 0xff}, // pink
		{0x7f, 0x7f, 0x7f, 0xff}, // grey
		{0xbc, 0xbd, 0x22, 0xff}, // olive
		{0x17, 0xbe, 0xcf, 0xff}, // cyan
	}
}

// tab10Light is the light half of matplotlib's "tab20", in tab10's order.
func tab10Light() [10]color.RGBA {
	return [10]color.RGBA{
		{0xae, 0xc7, 0xe8, 0xff},
		{0xff, 0xbb, 0x78, 0xff},
		{0x98, 0xdf, 0x8a, 0xff},
		{0xff, 0x98, 0x96, 0xff},
		{0xc5, 0xb0, 0xd5, 0xff},
		{0xc4, 0x9c, 0x94, 0xff},
		{0xf7, 0xb6, 0xd2, 0xff},
		{0xc7, 0xc7, 0xc7, 0xff},
		{0xdb, 0xdb, 0x8d, 0xff},
		{0x9e, 0xda, 0xe5, 0xff},
	}
}

// categoryStyle returns the marker of category i (a class or a cluster):
// filled circles in tab10's colours for 0–9 and in tab20's light colours for
// 10–19; then the same twenty colours as filled triangles (20–39) and filled
// squares (40–59), and so on cyclically.
func categoryStyle(i int, radius vg.Length) draw.GlyphStyle {
	shapes := [...]draw.GlyphDrawer{draw.CircleGlyph{}, draw.PyramidGlyph{}, draw.BoxGlyph{}}
	block := i / 10
	var c color.RGBA
	if block%2 == 0 {
		c = tab10()[i%10]
	} else {
		c = tab10Light()[i%10]
	}
	return draw.GlyphStyle{Color: c, Radius: radius, Shape: shapes[(block/2)%len(shapes)]}
}

// seriesStyle returns the line and marker of series i in a line plot: tab10's
// colour, and a marker shape that also differs between neighbouring series
// so the plot stays readable in grey scale.
func seriesStyle(i int) (draw.LineStyle, draw.GlyphStyle) {
	shapes := [...]draw.GlyphDrawer{
		draw.CircleGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}, draw.RingGlyph{},
		draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{},
	}
	c := tab10()[i%10]
	dashes := [][]vg.Length{nil, {vg.Points(5), vg.Points(2)}, {vg.Points(1.5), vg.Points(1.5)}}
	line := draw.LineStyle{Color: c, Width: vg.Points(1.3), Dashes: dashes[(i/10)%len(dashes)]}
	return line, draw.GlyphStyle{Color: c, Radius: vg.Points(2.8), Shape: shapes[i%len(shapes)]}
}

// starGlyph draws a filled five-pointed star with a dark outline, the
// marker the paper's Fig. 5 uses for the most anomalous points.
type starGlyph struct{}

// DrawGlyph implements draw.GlyphDrawer.
func (starGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	p := make(vg.Path, 0, 11)
	for k := range 10 {
		r := sty.Radius
		if k%2 == 1 {
			r *= 0.42
		}
		a := math.Pi/2 + float64(k)*math.Pi/5
		q := vg.Point{X: pt.X + r*vg.Length(math.Cos(a)), Y: pt.Y + r*vg.Length(math.Sin(a))}
		if k == 0 {
			p.Move(q)
		} else {
			p.Line(q)
		}
	}
	p.Close()
	c.SetColor(sty.Color)
	c.Fill(p)
	c.SetLineStyle(draw.LineStyle{Color: color.Black, Width: vg.Points(0.6)})
	c.Stroke(p)
}

// meanGlyph marks a mixture component mean: a black X over a white halo,
// visible on any point colour.
type meanGlyph struct{}

// DrawGlyph implements draw.GlyphDrawer.
func (meanGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius * 0.7071
	for _, s := range []draw.LineStyle{
		{Color: color.White, Width: vg.Points(3.2)},
		{Color: color.Black, Width: vg.Points(1.4)},
	} {
		c.StrokeLine2(s, pt.X-r, pt.Y-r, pt.X+r, pt.Y+r)
		c.StrokeLine2(s, pt.X-r, pt.Y+r, pt.X+r, pt.Y-r)
	}
}
