package figures

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strconv"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// CriticalDifference draws a critical-difference diagram (Demšar 2006,
// Fig. 1 and 2): an axis of average ranks (1 = best, on the left), each
// method's name joined by an elbow line to its average rank (the better half
// on the left, the rest on the right), and a thick bar under the axis for
// each clique, a group of methods whose pairwise differences are not
// significant. ranks[i] is the average rank of names[i]; each clique lists
// indices into names (groups of fewer than two are not drawn). The title
// defaults to "average rank (1 = best)".
func CriticalDifference(path string, names []string, ranks []float64, cliques [][]int, opt Options) error {
	if err := criticalDifference(path, names, ranks, cliques, opt); err != nil {
		return fmt.Errorf("figures: CriticalDifference: %w", err)
	}
	return nil
}

func criticalDifference(path string, names []string, ranks []float64, cliques [][]int, opt Options) error {
	k := len(names)
	if k < 2 || len(ranks) != k {
		return fmt.Errorf("%w: %d names, %d ranks (need ≥ 2, equal)", ErrInput, k, len(ranks))
	}
	for i, r := range ranks {
		if !(r >= 1) || r > float64(k) {
			return fmt.Errorf("%w: rank %g of %q outside [1, %d]", ErrInput, r, names[i], k)
		}
	}
	for _, c := range cliques {
		for _, i := range c {
			if i < 0 || i >= k {
				return fmt.Errorf("%w: clique index %d outside [0, %d)", ErrInput, i, k)
			}
		}
	}
	if opt.Height == 0 {
		opt.Height = 0.9 + 0.23*float64((k+1)/2) + 0.1*float64(len(cliques))
	}
	if opt.Width == 0 {
		opt.Width = 7
	}
	r, err := opt.resolve()
	if err != nil {
		return err
	}
	img := r.canvas()
	c := drawTitle(draw.New(img), pick(r.Title, "average rank (1 = best)"), r.FontSize+2)
	c = inset(c, vg.Points(r.FontSize))
	drawCD(c, r.FontSize, names, ranks, cliques)
	return writePNG(path, img)
}

// drawCD lays the diagram out on c.
func drawCD(c draw.Canvas, size float64, names []string, ranks []float64, cliques [][]int) {
	k := len(names)
	order := make([]int, k)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return ranks[order[a]] < ranks[order[b]] })

	label := textStyle(size, draw.XLeft, draw.YCenter)
	small := textStyle(size, draw.XCenter, draw.YBottom)
	textW := vg.Length(0)
	for _, n := range names {
		textW = max(textW, label.Width(n+"  0.00"))
	}
	left, right := c.Min.X+textW+vg.Points(size), c.Max.X-textW-vg.Points(size)
	pos := func(rank float64) vg.Length {
		return left + (right-left)*vg.Length((rank-1)/float64(k-1))
	}
	black := draw.LineStyle{Color: color.Black, Width: vg.Points(1)}

	// The axis with a tick and a number at each integer rank.
	axisY := c.Max.Y - small.Height("1") - vg.Points(6)
	c.StrokeLine2(black, left, axisY, right, axisY)
	for i := 1; i <= k; i++ {
		x := pos(float64(i))
		c.StrokeLine2(black, x, axisY, x, axisY+vg.Points(5))
		c.FillText(small, vg.Point{X: x, Y: axisY + vg.Points(6)}, strconv.Itoa(i))
	}
	for i := 1; i < k; i++ {
		x := pos(float64(i) + 0.5)
		c.StrokeLine2(black, x, axisY, x, axisY+vg.Points(2.5))
	}

	// Clique bars just below the axis, stacked.
	barStep := vg.Points(size * 0.7)
	y := axisY - barStep
	thick := draw.LineStyle{Color: color.RGBA{0x1f, 0x77, 0xb4, 0xff}, Width: vg.Points(3.5)}
	for _, cl := range cliques {
		if len(cl) < 2 {
			continue
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, i := range cl {
			lo, hi = math.Min(lo, ranks[i]), math.Max(hi, ranks[i])
		}
		c.StrokeLine2(thick, pos(lo)-vg.Points(3), y, pos(hi)+vg.Points(3), y)
		y -= barStep
	}

	// Names: the better half on the left, the others on the right, each on
	// its own row joined to its rank by an elbow.
	rowStep := vg.Points(size * 1.6)
	top := y - vg.Points(size*0.5)
	half := (k + 1) / 2
	for j, i := range order {
		var row int
		var lx vg.Length
		var sty = label
		txt := fmt.Sprintf("%s  %.2f", names[i], ranks[i])
		if j < half {
			row, lx = j, left-vg.Points(4)
			sty.XAlign = draw.XRight
			txt = fmt.Sprintf("%.2f  %s", ranks[i], names[i])
		} else {
			row, lx = k-1-j, right+vg.Points(4)
		}
		ry := top - rowStep*vg.Length(row)
		x := pos(ranks[i])
		c.StrokeLines(black, []vg.Point{{X: x, Y: axisY}, {X: x, Y: ry}, {X: lx, Y: ry}})
		c.FillText(sty, vg.Point{X: lx + vg.Points(2)*sign(j >= half), Y: ry}, txt)
	}
}

func sign(pos bool) vg.Length {
	if pos {
		return 1
	}
	return -1
}
