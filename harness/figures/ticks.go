package figures

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// niceTicks labels about target values on a continuous axis at multiples
// of 1, 2, 2.5 or 5 × 10^e, with minor ticks between them. gonum's
// DefaultTicks aims at about three labels, too few for reading values off
// these figures, and pads every label to the same number of decimals.
type niceTicks struct{ target int }

// Ticks implements plot.Ticker.
func (t niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return nil
	}
	raw := (hi - lo) / float64(max(t.target, 2))
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	var m float64
	for _, m = range [...]float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw*(1-1e-9) {
			break
		}
	}
	step := m * mag
	prec := max(0, -int(math.Floor(math.Log10(mag*(1+1e-9)))))
	if m == 2.5 && mag < 10 {
		prec++
	}
	if m == 10 {
		prec = max(0, prec-1)
	}
	sub := 5.0
	if m == 2 {
		sub = 4
	}
	minor := step / sub
	var ticks []plot.Tick
	for j := math.Ceil(lo/minor - 1e-9); j <= math.Floor(hi/minor+1e-9); j++ {
		v := j * minor
		if math.Mod(j, sub) == 0 {
			if math.Abs(v) < step*1e-9 {
				v = 0
			}
			ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', prec, 64)})
		} else {
			ticks = append(ticks, plot.Tick{Value: v})
		}
	}
	return ticks
}

// integerTicks puts labelled ticks on integers, every 1, 2, 5, 10, … so that
// at most about 12 are labelled, and unlabelled minor ticks on the other
// integers when there are not too many of them.
type integerTicks struct{}

// Ticks implements plot.Ticker.
func (integerTicks) Ticks(lo, hi float64) []plot.Tick {
	first, last := int(math.Ceil(lo)), int(math.Floor(hi))
	if last < first {
		return nil
	}
	span := last - first
	step := 1
steps:
	for mult := 1; ; mult *= 10 {
		for _, b := range [...]int{1, 2, 5} {
			if step = b * mult; span/step <= 12 {
				break steps
			}
		}
	}
	var ticks []plot.Tick
	if span > 200 {
		first = (first + step - 1) / step * step
		for k := first; k <= last; k += step {
			ticks = append(ticks, plot.Tick{Value: float64(k), Label: strconv.Itoa(k)})
		}
		return ticks
	}
	for k := first; k <= last; k++ {
		t := plot.Tick{Value: float64(k)}
		if k%step == 0 {
			t.Label = strconv.Itoa(k)
		}
		ticks = append(ticks, t)
	}
	return ticks
}
