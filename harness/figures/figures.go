// Package figures draws the figures of Norlander & Sopasakis 2019, "Latent
// space conditioning for improved classification and anomaly detection"
// (paper/latent-space-conditioning-2019.txt, Figures 2–5), as PNG files with
// gonum.org/v1/plot.
//
// Every function is a pure function from plain Go data to one PNG file: it
// depends on nothing else in the harness, keeps no state between calls, and
// writes byte-identical files for identical inputs (random subsampling and
// drawing orders come from a PCG generator seeded with Options.Seed).
//
//   - LatentScatter: Fig. 2, the 2-D latent space coloured by class.
//   - ClusterScatter: Fig. 3, the latent space coloured by EM-GMM cluster.
//   - ClassShareBars: Fig. 4, per-class share among all points and among the
//     flagged anomalies, with the class-distribution RMSE.
//   - VersusK: V-measure against the number of clusters k (Table 1's sweep).
//   - MarkedScatter and AnomalyGallery: Fig. 5, the most anomalous points
//     marked in the latent space, and their images in a grid.
//
// Legends are drawn outside the data area (to the right of scatter and line
// plots, above bar charts) so they never hide data. Text uses gonum/plot's
// embedded Liberation fonts; nothing is read from the system.
package figures

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/latentbench/latentbench/internal/atomicfile"
)

// Default values used where an Options field is zero.
const (
	DefaultWidth        = 6.0   // inches
	DefaultHeight       = 5.0   // inches
	DefaultDPI          = 150   // dots per inch
	DefaultMaxPoints    = 10000 // points drawn by the scatter figures
	DefaultMarkerRadius = 1.2   // points (1/72 in)
	DefaultFontSize     = 10.0  // points
	DefaultColumns      = 5     // images per row in AnomalyGallery

	// maxPixels bounds each side of the output image, so that a wrong unit
	// (e.g. pixels given as inches) fails instead of allocating gigabytes.
	maxPixels = 20000
)

// ErrInput is wrapped by every error caused by invalid arguments, so callers
// can tell bad input (errors.Is(err, ErrInput)) from I/O failures.
var ErrInput = errors.New("invalid input")

// Options controls the size and annotations of a figure. The zero value is
// valid: every zero field takes the default given in its comment. Fields that
// a figure does not use are ignored by it.
type Options struct {
	// Width and Height of the image in inches (default 6 × 5).
	Width, Height float64
	// DPI is the resolution in dots per inch (default 150), so the PNG is
	// round(Width·DPI) × round(Height·DPI) pixels.
	DPI int
	// Title replaces the figure's default title.
	Title string
	// XLabel and YLabel replace the default axis labels.
	XLabel, YLabel string
	// FontSize is the size of tick labels and legend text in points
	// (default 10); titles are 2 points larger.
	FontSize float64

	// MaxPoints is the largest number of points a scatter figure draws
	// (default 10000). Larger inputs are subsampled uniformly at random
	// with Seed; MarkedScatter always keeps its marked points.
	MaxPoints int
	// Seed seeds the subsampling and the random drawing order of scatter
	// points. The zero value is a valid (and the default) seed.
	Seed uint64
	// MarkerRadius is the radius of scatter markers in points (default 1.2).
	MarkerRadius float64

	// ClassNames names the classes in MarkedScatter's legend (label i is
	// ClassNames[i]); without it labels are shown as numbers.
	ClassNames []string
	// Means optionally marks the EM-GMM component means in ClusterScatter:
	// k×d values in row-major order, in the same latent space as z.
	Means []float64

	// Columns is the number of images per row in AnomalyGallery (default 5).
	Columns int
}

// resolved is Options with the defaults filled in.
type resolved struct {
	Options
	w, h vg.Length
}

// resolve validates opt and fills in the defaults.
func (opt Options) resolve() (resolved, error) {
	r := resolved{Options: opt}
	if r.Width == 0 {
		r.Width = DefaultWidth
	}
	if r.Height == 0 {
		r.Height = DefaultHeight
	}
	if r.DPI == 0 {
		r.DPI = DefaultDPI
	}
	if r.MaxPoints == 0 {
		r.MaxPoints = DefaultMaxPoints
	}
	if r.MarkerRadius == 0 {
		r.MarkerRadius = DefaultMarkerRadius
	}
	if r.FontSize == 0 {
		r.FontSize = DefaultFontSize
	}
	if r.Columns == 0 {
		r.Columns = DefaultColumns
	}
	switch {
	case !(r.Width > 0) || !(r.Height > 0) || math.IsInf(r.Width, 0) || math.IsInf(r.Height, 0):
		return r, fmt.Errorf("%w: size %g×%g in must be positive", ErrInput, r.Width, r.Height)
	case r.DPI < 0:
		return r, fmt.Errorf("%w: DPI %d must be positive", ErrInput, r.DPI)
	case r.Width*float64(r.DPI) > maxPixels || r.Height*float64(r.DPI) > maxPixels:
		return r, fmt.Errorf("%w: %g×%g in at %d dpi exceeds %d pixels a side", ErrInput, r.Width, r.Height, r.DPI, maxPixels)
	case r.Width*float64(r.DPI) < 50 || r.Height*float64(r.DPI) < 50:
		return r, fmt.Errorf("%w: %g×%g in at %d dpi is below 50 pixels a side", ErrInput, r.Width, r.Height, r.DPI)
	case r.MaxPoints < 0:
		return r, fmt.Errorf("%w: MaxPoints %d must be positive", ErrInput, r.MaxPoints)
	case !(r.MarkerRadius > 0) || r.MarkerRadius > 72:
		return r, fmt.Errorf("%w: MarkerRadius %g pt must be in (0, 72]", ErrInput, r.MarkerRadius)
	case !(r.FontSize >= 4) || r.FontSize > 72:
		return r, fmt.Errorf("%w: FontSize %g pt must be in [4, 72]", ErrInput, r.FontSize)
	case r.Columns < 0:
		return r, fmt.Errorf("%w: Columns %d must be positive", ErrInput, r.Columns)
	}
	r.w = vg.Length(r.Width) * vg.Inch
	r.h = vg.Length(r.Height) * vg.Inch
	return r, nil
}

// canvas returns a white image canvas of the resolved size.
func (r resolved) canvas() *vgimg.Canvas {
	return vgimg.NewWith(vgimg.UseWH(r.w, r.h), vgimg.UseDPI(r.DPI), vgimg.UseBackgroundColor(color.White))
}

// textStyle returns a plain-text style in the plot's default font.
func textStyle(size float64, xa draw.XAlignment, ya draw.YAlignment) text.Style {
	return text.Style{
		Color:   color.Black,
		Font:    font.From(plot.DefaultFont, vg.Points(size)),
		XAlign:  xa,
		YAlign:  ya,
		Handler: plot.DefaultTextHandler,
	}
}

// writePNG encodes the canvas as PNG and writes it to path atomically: a
// figure is the old one or the new one, never half.
func writePNG(path string, c *vgimg.Canvas) error {
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return fmt.Errorf("encode PNG: %w", err)
	}
	if err := atomicfile.Write(path, buf.Bytes()); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// drawTitle draws title centred at the top of c, each line shortened to the
// canvas width, and returns the canvas below it.
func drawTitle(c draw.Canvas, title string, size float64) draw.Canvas {
	if title == "" {
		return c
	}
	sty := textStyle(size, draw.XCenter, draw.YTop)
	pad := vg.Points(size / 2)
	lines := strings.Split(strings.TrimRight(title, "\n"), "\n")
	for i, l := range lines {
		lines[i] = ellipsize(sty, l, c.Max.X-c.Min.X)
	}
	title = strings.Join(lines, "\n")
	c.FillText(sty, vg.Point{X: c.Center().X, Y: c.Max.Y - pad}, title)
	c.Max.Y -= sty.Height(title) + 1.5*pad
	return c
}

// newPlot returns a plot with no title and the figure's font sizes.
func newPlot(r resolved, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = vg.Points(r.FontSize + 1)
		a.Tick.Label.Font.Size = vg.Points(r.FontSize)
		a.Tick.Length = vg.Points(5)
		a.Tick.Marker = niceTicks{target: 6}
	}
	return p
}

// pick returns override if it is not empty, else def.
func pick(override, def string) string {
	if override != "" {
		return override
	}
	return def
}

// inset shrinks c by m on every side.
func inset(c draw.Canvas, m vg.Length) draw.Canvas {
	return draw.Crop(c, m, -m, m, -m)
}
