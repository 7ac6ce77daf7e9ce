package figures

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// AnomalyGallery draws the second part of the paper's Fig. 5: grayscale
// images (each width×height values in row-major order, 0 = black, 1 = white,
// as matplotlib's "gray" colour map shows them; values outside [0, 1] are
// clipped) in a grid of opt.Columns columns (default 5, so 15 images make
// 3 rows), in the given order, each with its caption below it (e.g. "#1
// class 7\nscore −0.61"; captions may have several lines). With nil captions
// the images are captioned by rank "#1", "#2", …, matching the rank numbers
// of MarkedScatter.
//
// Images keep their aspect ratio and are scaled with nearest-neighbour
// sampling to a whole number of output pixels, so digits stay crisp.
func AnomalyGallery(path string, images [][]float32, width, height int, captions []string, opt Options) error {
	if err := anomalyGallery(path, images, width, height, captions, opt); err != nil {
		return fmt.Errorf("figures: AnomalyGallery: %w", err)
	}
	return nil
}

// maxImageSide bounds the side of a gallery image in values.
const maxImageSide = 4096

func anomalyGallery(path string, images [][]float32, width, height int, captions []string, opt Options) error {
	r, err := opt.resolve()
	if err != nil {
		return err
	}
	n := len(images)
	switch {
	case n == 0:
		return fmt.Errorf("%w: no images", ErrInput)
	case width <= 0 || height <= 0:
		return fmt.Errorf("%w: image size %d×%d must be positive", ErrInput, width, height)
	case width > maxImageSide || height > maxImageSide:
		return fmt.Errorf("%w: image size %d×%d exceeds %d a side", ErrInput, width, height, maxImageSide)
	case captions != nil && len(captions) != n:
		return fmt.Errorf("%w: %d captions for %d images", ErrInput, len(captions), n)
	}
	for i, im := range images {
		if len(im) != width*height {
			return fmt.Errorf("%w: image %d has %d values, want %d×%d", ErrInput, i, len(im), width, height)
		}
		for _, v := range im {
			if math.IsNaN(float64(v)) {
				return fmt.Errorf("%w: image %d has a NaN value", ErrInput, i)
			}
		}
	}
	if captions == nil {
		captions = make([]string, n)
		for i := range captions {
			captions[i] = fmt.Sprintf("#%d", i+1)
		}
	}

	img := r.canvas()
	c := inset(draw.New(img), vg.Points(4))
	c = drawTitle(c, pick(r.Title, fmt.Sprintf("The %d most anomalous images", n)), r.FontSize+2)

	cols := min(r.Columns, n)
	rows := (n + cols - 1) / cols
	capSty := textStyle(r.FontSize-1, draw.XCenter, draw.YTop)
	lines := 1
	for _, s := range captions {
		lines = max(lines, strings.Count(strings.TrimRight(s, "\n"), "\n")+1)
	}
	pad := vg.Points(4)
	capH := capSty.Height(strings.Repeat("Ag\n", lines-1)+"Ag") + pad
	cellW := (c.Max.X - c.Min.X) / vg.Length(cols)
	cellH := (c.Max.Y - c.Min.Y) / vg.Length(rows)
	scale := min((cellW-2*pad)/vg.Length(width), (cellH-capH-2*pad)/vg.Length(height))
	if scale <= 0 {
		return fmt.Errorf("%w: %d images with %d-line captions do not fit in %g×%g in", ErrInput, n, lines, r.Width, r.Height)
	}
	dpi := float64(r.DPI)
	pw := max(1, int(math.Floor((scale * vg.Length(width)).Dots(dpi))))
	ph := max(1, int(math.Floor((scale * vg.Length(height)).Dots(dpi))))
	fromDots := func(d float64) vg.Length { return vg.Length(d/dpi) * vg.Inch }
	frame := draw.LineStyle{Color: color.Gray{0x99}, Width: vg.Points(0.5)}

	for i, im := range images {
		row, col := i/cols, i%cols
		cx := c.Min.X + (vg.Length(col)+0.5)*cellW
		// Centre image and caption vertically in the cell.
		top := c.Max.Y - vg.Length(row)*cellH - (cellH-fromDots(float64(ph))-capH)/2
		// Snap the image to whole output pixels so its pixels map 1:1.
		x0 := fromDots(math.Round((cx).Dots(dpi) - float64(pw)/2))
		y0 := fromDots(math.Round((top).Dots(dpi) - float64(ph)))
		rect := vg.Rectangle{Min: vg.Point{X: x0, Y: y0}, Max: vg.Point{X: x0 + fromDots(float64(pw)), Y: y0 + fromDots(float64(ph))}}
		c.DrawImage(rect, upscaleGray(im, width, height, pw, ph))
		c.StrokeLines(frame, []vg.Point{rect.Min, {X: rect.Max.X, Y: rect.Min.Y}, rect.Max, {X: rect.Min.X, Y: rect.Max.Y}, rect.Min})
		c.FillText(capSty, vg.Point{X: cx, Y: y0 - pad/2}, captions[i])
	}
	return writePNG(path, img)
}

// upscaleGray renders a row-major grayscale image with values in [0, 1]
// (clipped) at pw×ph pixels by nearest-neighbour sampling.
func upscaleGray(v []float32, w, h, pw, ph int) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, pw, ph))
	for y := range ph {
		sy := y * h / ph
		row := out.Pix[y*out.Stride : y*out.Stride+pw]
		for x := range row {
			f := float64(v[sy*w+x*w/pw])
			row[x] = uint8(math.Round(255 * math.Min(1, math.Max(0, f))))
		}
	}
	return out
}
