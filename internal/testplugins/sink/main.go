// Command sink is an encoder plugin that does no work of its own: Encode
// returns the first two columns of its input, so it measures the cost of
// the plugin boundary. Its Fit can be told to cost a known amount, for the
// tests of the harness's cost measurement and resource limits: alloc_mb
// MiB of memory allocated and touched (held until Fit returns, then given
// back to the system), and
// cpu_seconds of CPU time burnt on one thread.
package main

import (
	"context"
	"runtime"
	"runtime/debug"
	"time"

	"golang.org/x/sys/unix"

	"github.com/latentbench/latentbench/sdk"
	"github.com/latentbench/latentbench/sdk/serve"
)

type encoder struct{}

func (encoder) Describe() sdk.Description {
	return sdk.Description{Name: "sink", Version: "0.0.2", Doc: "returns the first two input columns",
		Params: []sdk.ParamSpec{
			{Name: "alloc_mb", Type: sdk.TypeInt, Default: int64(0), Doc: "MiB Fit allocates and touches"},
			{Name: "cpu_seconds", Type: sdk.TypeFloat, Default: 0.0, Doc: "CPU seconds Fit burns on one thread"},
		}}
}

func (encoder) Fit(ctx context.Context, req *sdk.EncoderFit, _ func(sdk.Progress)) ([]byte, error) {
	var buf []byte
	if mb := req.Params.Int("alloc_mb"); mb > 0 {
		buf = make([]byte, mb<<20)
		for i := 0; i < len(buf); i += 4096 {
			buf[i] = 1 // touch every page so it is resident
		}
		sdk.Logger(ctx).Info("allocated", "mib", mb)
	}
	burn(req.Params.Float("cpu_seconds"))
	runtime.KeepAlive(buf) // held until the burn is over
	if buf != nil {
		buf = nil
		debug.FreeOSMemory() // the next call's peak starts low again
	}
	return []byte{}, nil
}

// burn spins until this thread has used sec seconds of CPU time.
func burn(sec float64) {
	if sec <= 0 {
		return
	}
	runtime.LockOSThread() // the thread clock must stay this goroutine's
	defer runtime.UnlockOSThread()
	start := threadCPU()
	x := 1.0
	for threadCPU()-start < sec {
		for i := 0; i < 100000; i++ {
			x = x*1.0000001 + 1e-9
		}
	}
	_ = x
}

func threadCPU() float64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return float64(time.Now().UnixNano()) / 1e9
	}
	return float64(ts.Nano()) / 1e9
}

func (encoder) Encode(_ context.Context, req *sdk.EncodeRequest) (sdk.Matrix, error) {
	n, d := req.X.Rows, req.X.Cols
	x := req.X.Float32()
	z := make([]float32, 2*n)
	for i := 0; i < n; i++ {
		z[2*i], z[2*i+1] = x[i*d], x[i*d+1]
	}
	return sdk.NewMatrix32(n, 2, z), nil
}

func main() { serve.Encoder(encoder{}) }
