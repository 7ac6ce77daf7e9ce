package host_test

import (
	"context"
	"testing"

	"github.com/latentbench/latentbench/harness/host"
	"github.com/latentbench/latentbench/sdk"
)

const benchRows, benchCols = 60000, 784

// BenchmarkPluginBoundary moves a 60000×784 float32 matrix (the size of a
// training set of 60000 images of 28×28 pixels) into a plugin and its 60000×2 float32 result back; the throughput is
// the bytes moved both ways per second.
func BenchmarkPluginBoundary(b *testing.B) {
	h := host.New()
	ctx := context.Background()
	s, err := h.Start(ctx, path(b, sdk.KindEncoder, "sink"), sdk.KindEncoder)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	x := sdk.NewMatrix32(benchRows, benchCols, make([]float32, benchRows*benchCols))
	b.SetBytes(4 * (benchRows*benchCols + benchRows*2))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Encoder().Encode(ctx, &sdk.EncodeRequest{X: x, Params: sdk.Params{}}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInProcessCopy is the peer of BenchmarkPluginBoundary: the same
// bytes copied within one process, the floor any boundary is measured against.
func BenchmarkInProcessCopy(b *testing.B) {
	src := make([]float32, benchRows*benchCols)
	dst := make([]float32, benchRows*benchCols)
	z := make([]float32, benchRows*2)
	zz := make([]float32, benchRows*2)
	b.SetBytes(4 * (benchRows*benchCols + benchRows*2))
	for i := 0; i < b.N; i++ {
		copy(dst, src)
		copy(zz, z)
	}
}
