package figures

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
)

// blobs returns n points in d dimensions around k class centres on a circle
// of radius 4 (like the C-ENC's "circle" prior means), unit noise, seeded.
func blobs(n, d, k int, seed uint64) (z []float64, labels []int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	z = make([]float64, n*d)
	labels = make([]int, n)
	for i := range n {
		c := i % k
		labels[i] = c
		a := 2 * math.Pi * float64(c) / float64(k)
		for j := range d {
			z[i*d+j] = rng.NormFloat64() * 0.6
		}
		z[i*d] += 4 * math.Cos(a)
		z[i*d+1] += 4 * math.Sin(a)
	}
	return z, labels
}

func digitNames() []string {
	return []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
}

// testImages returns k width×height images: image i is a vertical bar of
// value 1 at column 3+i on black, plus image 0 is all white.
func testImages(k, w, h int) [][]float32 {
	ims := make([][]float32, k)
	for i := range ims {
		ims[i] = make([]float32, w*h)
		for y := range h {
			ims[i][y*w+(3+i)%w] = 1
		}
	}
	for j := range ims[0] {
		ims[0][j] = 1
	}
	return ims
}

// figure is one call of a drawing function, writing to the given path.
type figure struct {
	name string
	draw func(path string, opt Options) error
}

func figureCases() []figure {
	z, labels := blobs(600, 2, 10, 1)
	z4, labels4 := blobs(300, 4, 4, 2)
	clusters := make([]int, len(labels))
	for i, l := range labels {
		clusters[i] = l / 2 // 5 clusters, pairs of classes merged
	}
	means := make([]float64, 0, 10)
	for c := range 5 {
		a := 2 * math.Pi * float64(2*c) / 10
		means = append(means, 4*math.Cos(a), 4*math.Sin(a))
	}
	all := []float64{.1, .1, .1, .1, .1, .1, .1, .1, .1, .1}
	flagged := []float64{.2, .15, .05, .05, .1, .05, .05, .2, .1, .05}
	return []figure{
		{"LatentScatter", func(p string, o Options) error {
			return LatentScatter(p, z, 600, 2, labels, digitNames(), o)
		}},
		{"LatentScatterD4", func(p string, o Options) error {
			return LatentScatter(p, z4, 300, 4, labels4, []string{"a", "b", "c", "d"}, o)
		}},
		{"ClusterScatter", func(p string, o Options) error {
			return ClusterScatter(p, z, 600, 2, clusters, o)
		}},
		{"ClusterScatterMeans", func(p string, o Options) error {
			o.Means = means
			return ClusterScatter(p, z, 600, 2, clusters, o)
		}},
		{"ClassShareBars", func(p string, o Options) error {
			return ClassShareBars(p, digitNames(), all, flagged, 0.0524, o)
		}},
		{"VersusK", func(p string, o Options) error {
			return VersusK(p, []Series{
				{Label: "VENC, EM", K: []int{2, 3, 4, 5, 6}, V: []float64{.3, .4, .45, .5, .48}},
				{Label: "C-ENC, k-means", K: []int{6, 2, 4}, V: []float64{.7, .5, .8}},
			}, o)
		}},
		{"MarkedScatter", func(p string, o Options) error {
			return MarkedScatter(p, z, 600, 2, labels, []int{5, 17, 42}, o)
		}},
		{"AnomalyGallery", func(p string, o Options) error {
			return AnomalyGallery(p, testImages(15, 28, 28), 28, 28, nil, o)
		}},
	}
}

// render draws f into a temporary file and returns the PNG bytes.
func render(t *testing.T, f figure, opt Options) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), f.name+".png")
	if err := f.draw(path, opt); err != nil {
		t.Fatalf("%s: %v", f.name, err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	im, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode PNG: %v", err)
	}
	return im
}

// rgba returns the rows [y0, y1) of im as an *image.RGBA.
func rgba(im image.Image, y0, y1 int) *image.RGBA {
	r := im.Bounds().Intersect(image.Rect(im.Bounds().Min.X, y0, im.Bounds().Max.X, y1))
	out := image.NewRGBA(r)
	draw.Draw(out, r, im, r.Min, draw.Src)
	return out
}

// countColor counts the pixels of exactly colour c in the rows [y0, y1).
func countColor(im image.Image, c color.Color, y0, y1 int) int {
	want := color.RGBAModel.Convert(c).(color.RGBA)
	px := rgba(im, y0, y1).Pix
	n := 0
	for i := 0; i < len(px); i += 4 {
		if px[i] == want.R && px[i+1] == want.G && px[i+2] == want.B {
			n++
		}
	}
	return n
}

// countDark counts pixels darker than mid-grey in rows [y0, y1).
func countDark(im image.Image, y0, y1 int) int {
	px := rgba(im, y0, y1).Pix
	n := 0
	for i := 0; i < len(px); i += 4 {
		if int(px[i])+int(px[i+1])+int(px[i+2]) < 3*0x80 {
			n++
		}
	}
	return n
}

func TestFiguresSizeAndDeterminism(t *testing.T) {
	sizes := []struct {
		opt  Options
		w, h int
	}{
		{Options{}, 900, 750},                                   // 6×5 in at 150 dpi
		{Options{Width: 4, Height: 3, DPI: 100}, 400, 300},      // explicit
		{Options{Width: 3.333, Height: 2.5, DPI: 72}, 240, 180}, // rounded to the nearest pixel
	}
	for _, f := range figureCases() {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s/%dx%d", f.name, sz.w, sz.h), func(t *testing.T) {
				b1 := render(t, f, sz.opt)
				im := decode(t, b1)
				if got := im.Bounds().Size(); got != image.Pt(sz.w, sz.h) {
					t.Fatalf("size %v, want %dx%d", got, sz.w, sz.h)
				}
				// At the default size the title's text lies in the top 45
				// rows, above the data area and the plot's tick labels.
				if sz.h == 750 && countDark(im, 0, 45) < 100 {
					t.Errorf("no text in the title strip")
				}
				if sz.h != 750 {
					return // determinism is checked at the default size
				}
				if b2 := render(t, f, sz.opt); !bytes.Equal(b1, b2) {
					t.Errorf("two renderings of the same input differ")
				}
			})
		}
	}
}

func TestScatterColoursAndMarkers(t *testing.T) {
	cases := figureCases()
	get := func(name string) figure {
		i := slices.IndexFunc(cases, func(f figure) bool { return f.name == name })
		return cases[i]
	}
	// Every class colour of tab10 appears (points and legend).
	im := decode(t, render(t, get("LatentScatter"), Options{}))
	for i, c := range tab10() {
		if n := countColor(im, c, 0, 750); n < 20 {
			t.Errorf("LatentScatter: class %d colour %v on %d pixels", i, c, n)
		}
	}
	// Four classes: the fifth colour (purple) must not appear.
	im = decode(t, render(t, get("LatentScatterD4"), Options{}))
	if n := countColor(im, tab10()[4], 0, 750); n != 0 {
		t.Errorf("LatentScatterD4: unused class colour on %d pixels", n)
	}
	// The stars are pure red, a colour no class uses.
	red := color.RGBA{R: 0xff, A: 0xff}
	if n := countColor(decode(t, render(t, get("LatentScatter"), Options{})), red, 0, 750); n != 0 {
		t.Errorf("LatentScatter: %d star-red pixels without marked points", n)
	}
	if n := countColor(decode(t, render(t, get("MarkedScatter"), Options{})), red, 0, 750); n < 3*50 {
		t.Errorf("MarkedScatter: %d star-red pixels for 3 large stars", n)
	}
	// Clusters use the first five colours only (grey, 7, is left out: text
	// antialiasing makes it too).
	im = decode(t, render(t, get("ClusterScatter"), Options{}))
	for i, c := range tab10() {
		n := countColor(im, c, 0, 750)
		if i < 5 && n < 20 || i >= 5 && i != 7 && n != 0 {
			t.Errorf("ClusterScatter: colour %d on %d pixels", i, n)
		}
	}
	// Means add black strokes inside the data area compared to no means.
	plain := decode(t, render(t, get("ClusterScatter"), Options{}))
	withMeans := decode(t, render(t, get("ClusterScatterMeans"), Options{}))
	if a, b := countDark(plain, 100, 650), countDark(withMeans, 100, 650); b <= a+50 {
		t.Errorf("ClusterScatter: means added %d dark pixels", b-a)
	}
}

func TestSeedChangesOrder(t *testing.T) {
	f := figureCases()[0]
	a := render(t, f, Options{Seed: 1})
	b := render(t, f, Options{Seed: 2})
	if bytes.Equal(a, b) {
		t.Errorf("seeds 1 and 2 drew the points in the same order")
	}
}

func TestSubsampleNote(t *testing.T) {
	f := figureCases()[0] // 600 points
	full := decode(t, render(t, f, Options{}))
	sub := decode(t, render(t, f, Options{MaxPoints: 100}))
	// The subsampled figure has a second title line, and fewer coloured points.
	if a, b := countDark(full, 0, 750*10/100), countDark(sub, 0, 750*10/100); b <= a {
		t.Errorf("subsample note: %d dark title pixels, full figure %d", b, a)
	}
	if a, b := countColor(full, tab10()[0], 0, 750), countColor(sub, tab10()[0], 0, 750); b >= a {
		t.Errorf("subsample: %d blue pixels, full figure %d", b, a)
	}
}

func TestDrawOrder(t *testing.T) {
	skip := make([]bool, 50)
	skip[3], skip[10] = true, true
	for _, tc := range []struct {
		n, limit int
		skip     []bool
		want     int
	}{
		{50, 10000, nil, 50},
		{50, 20, nil, 20},
		{50, 10000, skip, 48},
		{50, 5, skip, 5},
	} {
		got := drawOrder(tc.n, tc.limit, 7, tc.skip)
		if len(got) != tc.want {
			t.Fatalf("drawOrder(%d, %d): %d indices, want %d", tc.n, tc.limit, len(got), tc.want)
		}
		seen := make(map[int]bool)
		for _, i := range got {
			if i < 0 || i >= tc.n || seen[i] || tc.skip != nil && tc.skip[i] {
				t.Fatalf("drawOrder(%d, %d): bad or repeated index %d", tc.n, tc.limit, i)
			}
			seen[i] = true
		}
		if !slices.Equal(got, drawOrder(tc.n, tc.limit, 7, tc.skip)) {
			t.Errorf("drawOrder not deterministic")
		}
		if tc.want == tc.n && slices.IsSorted(got) {
			t.Errorf("drawOrder(%d) returned the identity order", tc.n)
		}
	}
}

func TestIntegerTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		labels []string
		minors int
	}{
		{1.5, 6.5, []string{"2", "3", "4", "5", "6"}, 0},
		{1.5, 20.5, []string{"2", "4", "6", "8", "10", "12", "14", "16", "18", "20"}, 9},
		{0.5, 50.5, []string{"5", "10", "15", "20", "25", "30", "35", "40", "45", "50"}, 40},
	} {
		var labels []string
		minors := 0
		for _, tk := range (integerTicks{}).Ticks(tc.lo, tc.hi) {
			if tk.Value != math.Trunc(tk.Value) {
				t.Fatalf("tick at non-integer %g", tk.Value)
			}
			if tk.IsMinor() {
				minors++
			} else {
				labels = append(labels, tk.Label)
			}
		}
		if !slices.Equal(labels, tc.labels) || minors != tc.minors {
			t.Errorf("Ticks(%g, %g): labels %v, %d minor; want %v, %d", tc.lo, tc.hi, labels, minors, tc.labels, tc.minors)
		}
	}
}

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		labels []string
		minors int
	}{
		{0, 28, []string{"0", "5", "10", "15", "20", "25"}, 23},
		{0.17, 0.4, []string{"0.20", "0.25", "0.30", "0.35", "0.40"}, 19},
		{-4.3, 9.2, []string{"-2.5", "0.0", "2.5", "5.0", "7.5"}, 22},
		{-5.3, 5.3, []string{"-4", "-2", "0", "2", "4"}, 16},
		{0, 1, []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}, 15},
		{100, 700, []string{"100", "200", "300", "400", "500", "600", "700"}, 24},
		{1, 1, nil, 0},
	} {
		var labels []string
		minors := 0
		for _, tk := range (niceTicks{target: 6}).Ticks(tc.lo, tc.hi) {
			if tk.Value < tc.lo || tk.Value > tc.hi {
				t.Fatalf("Ticks(%g, %g): tick %g out of range", tc.lo, tc.hi, tk.Value)
			}
			if tk.IsMinor() {
				minors++
			} else {
				labels = append(labels, tk.Label)
			}
		}
		if !slices.Equal(labels, tc.labels) || minors != tc.minors {
			t.Errorf("Ticks(%g, %g): labels %v, %d minor; want %v, %d", tc.lo, tc.hi, labels, minors, tc.labels, tc.minors)
		}
	}
}

func TestLongNames(t *testing.T) {
	sty := textStyle(10, 0, 0)
	for _, tc := range []struct {
		in   string
		max  float64 // points
		want string
	}{
		{"short", 100, "short"},
		{"a\nb", 100, "a b"},
		{strings.Repeat("long name ", 30), 80, ""},
	} {
		got := ellipsize(sty, tc.in, vg.Points(tc.max))
		if tc.want != "" && got != tc.want {
			t.Errorf("ellipsize(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if w := sty.Width(got); w > vg.Points(tc.max) || tc.want == "" && !strings.HasSuffix(got, "…") {
			t.Errorf("ellipsize(%q) = %q, %v wide, limit %v pt", tc.in, got, w, tc.max)
		}
	}
	// A 300-character class name must not squeeze the data area away.
	z, labels := blobs(300, 2, 3, 1)
	names := []string{strings.Repeat("long name ", 30), "b", "c"}
	path := filepath.Join(t.TempDir(), "long.png")
	if err := LatentScatter(path, z, 300, 2, labels, names, Options{}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := countColor(decode(t, b), tab10()[0], 0, 750); n < 200 {
		t.Errorf("long legend text: %d pixels of class 0's colour", n)
	}
}

func TestGalleryPixels(t *testing.T) {
	// Image 0 is all white, image 1 all black but one column: at 150 dpi the
	// white image covers a solid block of white, framed by grey.
	ims := [][]float32{make([]float32, 28*28), make([]float32, 28*28)}
	for j := range ims[0] {
		ims[0][j] = 1.5 // clipped to 1
	}
	path := filepath.Join(t.TempDir(), "g.png")
	if err := AnomalyGallery(path, ims, 28, 28, []string{"7\n-0.61", "1\n-0.55"}, Options{Columns: 2}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	im := decode(t, b)
	black := countColor(im, color.Black, 0, 750)
	// The black image is at least 28·28 pixels (scaled up, never down).
	if black < 28*28 {
		t.Errorf("%d black pixels, want the black image (≥ %d)", black, 28*28)
	}
	if white := countColor(im, color.White, 0, 750); white < 28*28 {
		t.Errorf("%d white pixels, want the white image (≥ %d)", white, 28*28)
	}
	// Captions add dark text compared to empty ones.
	if err := AnomalyGallery(path, ims, 28, 28, []string{"", ""}, Options{Columns: 2}); err != nil {
		t.Fatal(err)
	}
	if b, err = os.ReadFile(path); err != nil {
		t.Fatal(err)
	}
	bare := decode(t, b)
	if d0, d1 := countDark(bare, 0, 750), countDark(im, 0, 750); d1 <= d0+20 {
		t.Errorf("captions added %d dark pixels", d1-d0)
	}
}

func TestErrors(t *testing.T) {
	z, labels := blobs(20, 2, 2, 3)
	names := []string{"a", "b"}
	img := testImages(3, 4, 4)
	nan := slices.Clone(z)
	nan[7] = math.NaN()
	bad := func(i int, v int) []int { l := slices.Clone(labels); l[i] = v; return l }
	cases := []struct {
		name string
		call func(path string) error
	}{
		{"scatter empty", func(p string) error { return LatentScatter(p, nil, 0, 2, nil, names, Options{}) }},
		{"scatter len z", func(p string) error { return LatentScatter(p, z[:39], 20, 2, labels, names, Options{}) }},
		{"scatter d=1", func(p string) error { return LatentScatter(p, z, 40, 1, append(labels, labels...), names, Options{}) }},
		{"scatter len labels", func(p string) error { return LatentScatter(p, z, 20, 2, labels[:19], names, Options{}) }},
		{"scatter label range", func(p string) error { return LatentScatter(p, z, 20, 2, bad(4, 2), names, Options{}) }},
		{"scatter negative label", func(p string) error { return LatentScatter(p, z, 20, 2, bad(4, -1), names, Options{}) }},
		{"scatter no names", func(p string) error { return LatentScatter(p, z, 20, 2, labels, nil, Options{}) }},
		{"scatter NaN", func(p string) error { return LatentScatter(p, nan, 20, 2, labels, names, Options{}) }},
		{"scatter bad size", func(p string) error { return LatentScatter(p, z, 20, 2, labels, names, Options{Width: -1}) }},
		{"scatter huge", func(p string) error {
			return LatentScatter(p, z, 20, 2, labels, names, Options{Width: 900, DPI: 150})
		}},
		{"scatter bad marker", func(p string) error {
			return LatentScatter(p, z, 20, 2, labels, names, Options{MarkerRadius: -2})
		}},
		{"cluster empty", func(p string) error { return ClusterScatter(p, nil, 0, 2, nil, Options{}) }},
		{"cluster len", func(p string) error { return ClusterScatter(p, z, 20, 2, labels[:3], Options{}) }},
		{"cluster negative", func(p string) error { return ClusterScatter(p, z, 20, 2, bad(0, -1), Options{}) }},
		{"cluster means shape", func(p string) error {
			return ClusterScatter(p, z, 20, 2, labels, Options{Means: []float64{1, 2, 3}})
		}},
		{"cluster means NaN", func(p string) error {
			return ClusterScatter(p, z, 20, 2, labels, Options{Means: []float64{1, math.NaN()}})
		}},
		{"bars empty", func(p string) error { return ClassShareBars(p, nil, nil, nil, 0, Options{}) }},
		{"bars len", func(p string) error { return ClassShareBars(p, names, []float64{.5}, []float64{.5, .5}, 0, Options{}) }},
		{"bars percent", func(p string) error {
			return ClassShareBars(p, names, []float64{50, 50}, []float64{.5, .5}, 0, Options{})
		}},
		{"bars negative", func(p string) error {
			return ClassShareBars(p, names, []float64{.5, .5}, []float64{-.1, 1}, 0, Options{})
		}},
		{"bars rmse NaN", func(p string) error {
			return ClassShareBars(p, names, []float64{.5, .5}, []float64{.5, .5}, math.NaN(), Options{})
		}},
		{"versus empty", func(p string) error { return VersusK(p, nil, Options{}) }},
		{"versus empty series", func(p string) error { return VersusK(p, []Series{{Label: "x"}}, Options{}) }},
		{"versus len", func(p string) error {
			return VersusK(p, []Series{{Label: "x", K: []int{2, 3}, V: []float64{.5}}}, Options{})
		}},
		{"versus repeated k", func(p string) error {
			return VersusK(p, []Series{{Label: "x", K: []int{2, 2}, V: []float64{.5, .6}}}, Options{})
		}},
		{"versus V > 1", func(p string) error {
			return VersusK(p, []Series{{Label: "x", K: []int{2, 3}, V: []float64{.5, 1.5}}}, Options{})
		}},
		{"versus k = 0", func(p string) error {
			return VersusK(p, []Series{{Label: "x", K: []int{0, 3}, V: []float64{.5, .5}}}, Options{})
		}},
		{"marked empty", func(p string) error { return MarkedScatter(p, z, 20, 2, labels, nil, Options{}) }},
		{"marked range", func(p string) error { return MarkedScatter(p, z, 20, 2, labels, []int{20}, Options{}) }},
		{"marked repeated", func(p string) error { return MarkedScatter(p, z, 20, 2, labels, []int{1, 1}, Options{}) }},
		{"marked names", func(p string) error {
			return MarkedScatter(p, z, 20, 2, labels, []int{1}, Options{ClassNames: []string{"a"}})
		}},
		{"marked len labels", func(p string) error { return MarkedScatter(p, z, 20, 2, labels[1:], []int{1}, Options{}) }},
		{"gallery empty", func(p string) error { return AnomalyGallery(p, nil, 4, 4, nil, Options{}) }},
		{"gallery size", func(p string) error { return AnomalyGallery(p, img, 0, 4, nil, Options{}) }},
		{"gallery len image", func(p string) error { return AnomalyGallery(p, img, 4, 5, nil, Options{}) }},
		{"gallery captions", func(p string) error { return AnomalyGallery(p, img, 4, 4, []string{"a"}, Options{}) }},
		{"gallery NaN", func(p string) error {
			ims := testImages(2, 4, 4)
			ims[1][3] = float32(math.NaN())
			return AnomalyGallery(p, ims, 4, 4, nil, Options{})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out.png")
			err := tc.call(path)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrInput) {
				t.Errorf("error %q does not wrap ErrInput", err)
			}
			if _, serr := os.Stat(path); !errors.Is(serr, os.ErrNotExist) {
				t.Errorf("a file was written despite the error")
			}
		})
	}
	// An unwritable path is an I/O error, not ErrInput.
	err := LatentScatter(filepath.Join(t.TempDir(), "missing", "x.png"), z, 20, 2, labels, names, Options{})
	if err == nil || errors.Is(err, ErrInput) {
		t.Errorf("unwritable path: error %v", err)
	}
}

func BenchmarkLatentScatter10k(b *testing.B) {
	z, labels := blobs(10000, 2, 10, 1)
	path := filepath.Join(b.TempDir(), "z.png")
	for b.Loop() {
		if err := LatentScatter(path, z, 10000, 2, labels, digitNames(), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAnomalyGallery15(b *testing.B) {
	ims := testImages(15, 28, 28)
	path := filepath.Join(b.TempDir(), "g.png")
	for b.Loop() {
		if err := AnomalyGallery(path, ims, 28, 28, nil, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
