package figures

import (
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// legendEntry is one legend line: a thumbnail (may be nil) and its text.
type legendEntry struct {
	label string
	thumb plot.Thumbnailer
}

// legend lays out entries outside the data area. gonum's plot.Legend draws
// inside the data area, where it can cover points; this one takes its own
// strip of the canvas instead.
type legend struct {
	entries []legendEntry
	sty     text.Style
	thumbW  vg.Length // width of the thumbnail cell
	rowH    vg.Length // height of one entry
	gap     vg.Length // space between thumbnail and text, and between columns
}

// newLegend returns a legend of entries whose texts are shortened with an
// ellipsis to at most maxText wide.
func newLegend(r resolved, entries []legendEntry, maxText vg.Length) legend {
	sty := textStyle(r.FontSize, draw.XLeft, draw.YCenter)
	entries = append([]legendEntry(nil), entries...)
	for i := range entries {
		entries[i].label = ellipsize(sty, entries[i].label, maxText)
	}
	return legend{
		entries: entries,
		sty:     sty,
		thumbW:  vg.Points(2 * r.FontSize),
		rowH:    sty.Height("Ag") * 1.35,
		gap:     vg.Points(r.FontSize / 2),
	}
}

// entryWidth is the width of entry i: thumbnail, gap and text.
func (l legend) entryWidth(i int) vg.Length {
	return l.thumbW + l.gap + l.sty.Width(l.entries[i].label)
}

// drawEntry draws entry i with its thumbnail cell's lower-left corner at (x, y).
func (l legend) drawEntry(c draw.Canvas, i int, x, y vg.Length) {
	e := l.entries[i]
	if e.thumb != nil {
		tc := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: x, Y: y},
			Max: vg.Point{X: x + l.thumbW, Y: y + l.rowH},
		}}
		e.thumb.Thumbnail(&tc)
	}
	c.FillText(l.sty, vg.Point{X: x + l.thumbW + l.gap, Y: y + l.rowH/2}, e.label)
}

// placeRight draws the legend in a strip at the right of c, top-aligned, in
// as many columns as its height needs, and returns the rest of c.
func (l legend) placeRight(c draw.Canvas) draw.Canvas {
	n := len(l.entries)
	if n == 0 {
		return c
	}
	margin := vg.Points(6)
	avail := c.Max.Y - c.Min.Y - 2*margin
	perCol := int(math.Max(1, math.Floor(float64(avail/l.rowH))))
	ncol := (n + perCol - 1) / perCol
	perCol = (n + ncol - 1) / ncol // balance the columns
	colW := make([]vg.Length, ncol)
	for i := range n {
		colW[i/perCol] = max(colW[i/perCol], l.entryWidth(i))
	}
	total := margin
	for _, w := range colW {
		total += w + 2*l.gap
	}
	x := c.Max.X - total + margin
	top := c.Max.Y - margin
	for col := range ncol {
		for row := range perCol {
			i := col*perCol + row
			if i >= n {
				break
			}
			l.drawEntry(c, i, x, top-vg.Length(row+1)*l.rowH)
		}
		x += colW[col] + 2*l.gap
	}
	c.Max.X -= total
	return c
}

// placeTop draws the legend as centred rows at the top of c, wrapping at the
// canvas width, and returns the rest of c.
func (l legend) placeTop(c draw.Canvas) draw.Canvas {
	n := len(l.entries)
	if n == 0 {
		return c
	}
	width := c.Max.X - c.Min.X - 2*l.gap
	sep := 3 * l.gap
	// Split the entries into rows that fit the width.
	var rows [][2]int
	start, w := 0, vg.Length(0)
	for i := range n {
		ew := l.entryWidth(i)
		if i > start && w+sep+ew > width {
			rows = append(rows, [2]int{start, i})
			start, w = i, 0
		}
		if i > start {
			w += sep
		}
		w += ew
	}
	rows = append(rows, [2]int{start, n})
	y := c.Max.Y
	for _, r := range rows {
		rw := vg.Length(0)
		for i := r[0]; i < r[1]; i++ {
			rw += l.entryWidth(i)
		}
		rw += sep * vg.Length(r[1]-r[0]-1)
		x := c.Center().X - rw/2
		y -= l.rowH
		for i := r[0]; i < r[1]; i++ {
			l.drawEntry(c, i, x, y)
			x += l.entryWidth(i) + sep
		}
	}
	c.Max.Y = y - l.gap
	return c
}

// ellipsize shortens s, ending it with "…", so that it is at most maxW wide
// in sty; it keeps at least one character.
func ellipsize(sty text.Style, s string, maxW vg.Length) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if sty.Width(s) <= maxW {
		return s
	}
	r := []rune(s)
	lo, hi := 1, len(r) // the longest fitting prefix is in [lo, hi)
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if sty.Width(string(r[:mid])+"…") <= maxW {
			lo = mid
		} else {
			hi = mid
		}
	}
	return strings.TrimRight(string(r[:lo]), " ") + "…"
}

// glyphThumb is a legend thumbnail showing one glyph.
type glyphThumb struct{ sty draw.GlyphStyle }

// Thumbnail implements plot.Thumbnailer.
func (g glyphThumb) Thumbnail(c *draw.Canvas) { c.DrawGlyphNoClip(g.sty, c.Center()) }

// lineThumb is a legend thumbnail showing a line segment with a glyph.
type lineThumb struct {
	line  draw.LineStyle
	glyph draw.GlyphStyle
}

// Thumbnail implements plot.Thumbnailer.
func (t lineThumb) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(t.line, c.Min.X, y, c.Max.X, y)
	c.DrawGlyphNoClip(t.glyph, c.Center())
}

// boxThumb is a legend thumbnail showing a filled, outlined box.
type boxThumb struct {
	fill    draw.GlyphStyle // only the colour is used
	outline draw.LineStyle
}

// Thumbnail implements plot.Thumbnailer.
func (b boxThumb) Thumbnail(c *draw.Canvas) {
	h := (c.Max.Y - c.Min.Y) * 0.7
	cy := c.Center().Y
	pts := []vg.Point{
		{X: c.Min.X, Y: cy - h/2}, {X: c.Max.X, Y: cy - h/2},
		{X: c.Max.X, Y: cy + h/2}, {X: c.Min.X, Y: cy + h/2},
	}
	c.FillPolygon(b.fill.Color, pts)
	c.StrokeLines(b.outline, append(pts, pts[0]))
}
