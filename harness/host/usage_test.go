package host_test

import (
	"context"
	"math"
	"testing"

	"github.com/latentbench/latentbench/harness/host"
	"github.com/latentbench/latentbench/sdk"
)

// TestMeterKnownCost has the sink plugin allocate a known amount and burn a
// known CPU time, twice in one process (as a reused plugin process would),
// and checks that each call's reported peak memory and CPU time are within
// 10 % of what it spent.
func TestMeterKnownCost(t *testing.T) {
	h := host.New()
	defer h.KillAll()
	ctx := context.Background()
	s, err := h.Start(ctx, path(t, sdk.KindEncoder, "sink"), sdk.KindEncoder)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	x := sdk.NewMatrix32(4, 2, make([]float32, 8))
	fit := func(allocMB int64, cpu float64) host.Usage {
		t.Helper()
		enc := s.Encoder()
		m := enc.Meter()
		_, err := enc.Fit(ctx, &sdk.EncoderFit{X: x, Params: map[string]any{"alloc_mb": allocMB, "cpu_seconds": cpu}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return m.Stop()
	}
	const mib = 1 << 20
	mem := fit(400, 0)
	t.Logf("400 MiB allocated: peak %.1f MiB, CPU %.2f s, wall %.2f s", float64(mem.PeakRSS)/mib, mem.CPU, mem.Wall)
	if got := float64(mem.PeakRSS) / mib; got < 400 || got > 440 {
		t.Errorf("peak RSS %.1f MiB for 400 MiB allocated: want within 10 %%", got)
	}
	// The same process again, burning CPU without allocating: the peak is
	// this call's, not the first one's.
	cpu := fit(0, 1.0)
	t.Logf("1 CPU s burnt: peak %.1f MiB, CPU %.2f s, wall %.2f s", float64(cpu.PeakRSS)/mib, cpu.CPU, cpu.Wall)
	if math.Abs(cpu.CPU-1) > 0.1 {
		t.Errorf("CPU %.3f s for 1 s burnt: want within 10 %%", cpu.CPU)
	}
	if got := float64(cpu.PeakRSS) / mib; got > 200 || got <= 0 {
		t.Errorf("second call's peak %.1f MiB: want the call's own (small), not the first call's 400 MiB", got)
	}
}
