package lof

import (
	"context"
	"encoding/binary"
	"math"
	"os"
	"syscall"
	"testing"
	"time"
)

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestZZCPU(t *testing.T) {
	for _, n := range []int{10000, 60000} {
		raw, _ := os.ReadFile("/tmp/mix" + map[int]string{10000: "10000", 60000: "60000"}[n] + ".f64")
		x := make([]float64, 2*n)
		for i := range x {
			x[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
		}
		for _, score := range []bool{false, true} {
			for _, w := range []int{1, 2} {
				bestCPU, bestWall := time.Hour, time.Hour
				for r := 0; r < 15; r++ {
					c0, w0 := cpuNow(), time.Now()
					m, _ := Fit(context.Background(), x, n, 2, Options{Workers: w})
					if score {
						m.Score(x, n)
					}
					c1, w1 := cpuNow(), time.Now()
					bestCPU = min(bestCPU, c1-c0)
					bestWall = min(bestWall, w1.Sub(w0))
				}
				t.Logf("n=%d score=%v workers=%d best cpu %.4fs best wall %.4fs", n, score, w, bestCPU.Seconds(), bestWall.Seconds())
			}
		}
	}
}
