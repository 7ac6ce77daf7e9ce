package conformance

import (
	"context"
	"fmt"
	"math"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/latentbench/latentbench/metrics"
	"github.com/latentbench/latentbench/sdk"
)

// InvertedScores is the reason the orientation check gives for a detector
// whose scores rank the planted anomalies as more normal than the rest.
const InvertedScores = "scores look inverted: the contract wants higher = more normal"

// checkFit fits on the training split with the default parameters and seed 1
// and scores or encodes the test split: the answer must have one row per
// point, a float dtype and finite values (the host's client checks those and
// reports malformed output).
func (s *suite) checkFit(ctx context.Context) Result {
	start, cpu := time.Now(), cpuOf(s.a)
	m, err := s.fit(ctx, s.a, s.train, s.params, seedA)
	if err != nil {
		return fail("%v", err)
	}
	s.fitTime, s.fitCPU = time.Since(start), cpuOf(s.a)-cpu
	out, err := s.apply(ctx, s.a, m, s.test, s.params)
	if err != nil {
		return fail("%v", err)
	}
	if err := s.checkOutput(out, s.test.X.Rows); err != nil {
		return fail("%s: %v", s.applyOp(), err)
	}
	s.model1, s.out1 = m, out
	if s.kind == sdk.KindEncoder {
		return pass("fit on %d×%d float64 in %v (model %d bytes); %d×%d %s latent points", s.train.X.Rows, s.train.X.Cols,
			s.fitTime.Round(time.Millisecond), len(m), out.Rows, out.Cols, dtype(out))
	}
	return pass("fit on %d×%d float64 in %v (model %d bytes); %d finite scores", s.train.X.Rows, s.train.X.Cols,
		s.fitTime.Round(time.Millisecond), len(m), out.Rows)
}

// checkOutput checks an answer's shape and values.
func (s *suite) checkOutput(out sdk.Matrix, rows int) error {
	if out.Rows != rows {
		return fmt.Errorf("%d rows for %d points", out.Rows, rows)
	}
	if out.Cols < 1 || (s.kind == sdk.KindDetector && out.Cols != 1) {
		return fmt.Errorf("%d columns", out.Cols)
	}
	if s.out1.Rows > 0 && (out.Cols != s.out1.Cols || dtype(out) != dtype(s.out1)) {
		return fmt.Errorf("%d×%d %s, where the first answer was %d columns of %s", out.Rows, out.Cols, dtype(out), s.out1.Cols, dtype(s.out1))
	}
	return out.Check()
}

func dtype(m sdk.Matrix) string {
	if m.F32 != nil {
		return "float32"
	}
	return "float64"
}

// checkQuality is the orientation check of detectors and the clusters check
// of encoders.
func (s *suite) checkQuality() Result {
	if s.kind == sdk.KindEncoder {
		return s.checkClusters()
	}
	scores := s.out1.Float64()
	auc, err := metrics.ROCAUC(scores, s.test.Anomaly)
	if err != nil {
		return fail("ROC-AUC: %v", err)
	}
	n := 0
	for _, a := range s.test.Anomaly {
		if a {
			n++
		}
	}
	if auc < 0.5 {
		return fail("%s", InvertedScores)
	}
	return pass("ROC-AUC %.3f on %d planted anomalies among %d points", auc, n, len(scores))
}

// checkClusters fails when every latent point is the same, and reports how
// well a nearest-centroid rule recovers the planted clusters in the latent
// space.
func (s *suite) checkClusters() Result {
	z, d := s.out1.Float64(), s.out1.Cols
	same := true
	for i := d; i < len(z) && same; i++ {
		same = z[i] == z[i%d]
	}
	if same {
		return fail("all latent points are identical: the encoder ignores its input")
	}
	centroids := make([][]float64, s.test.NumClasses)
	counts := make([]int, s.test.NumClasses)
	for c := range centroids {
		centroids[c] = make([]float64, d)
	}
	for i, c := range s.test.Cluster {
		for j := 0; j < d; j++ {
			centroids[c][j] += z[i*d+j]
		}
		counts[c]++
	}
	for c := range centroids {
		for j := range centroids[c] {
			centroids[c][j] /= float64(max(1, counts[c]))
		}
	}
	right := 0
	for i, c := range s.test.Cluster {
		if nearest(centroids, z[i*d:(i+1)*d]) == c {
			right++
		}
	}
	return pass("the planted clusters are apart in the latent space (nearest centroid recovers %.0f%%)",
		100*float64(right)/float64(len(s.test.Cluster)))
}

// checkFloat32 fits and scores or encodes float32 input. Encoders must
// accept it (the harness sends a data set's own dtype). The contract sends
// detectors float64 only, so a detector may also refuse float32 as invalid
// input.
func (s *suite) checkFloat32(ctx context.Context) Result {
	c, err := s.alive(ctx, &s.a)
	if err != nil {
		return fail("%v", err)
	}
	m, err := s.fit(ctx, c, s.train.float32(), s.params, seedA)
	if err == nil {
		var out sdk.Matrix
		if out, err = s.apply(ctx, c, m, s.test.float32(), s.params); err == nil {
			if err := s.checkOutput(out, s.test.X.Rows); err != nil {
				return fail("float32 input: %s: %v", s.applyOp(), err)
			}
			return pass("float32 and float64 input both accepted")
		}
	}
	if s.kind == sdk.KindDetector && codeOf(err) == codes.InvalidArgument {
		return pass("float32 input refused as invalid input (the contract sends detectors float64)")
	}
	return fail("float32 input: %v", err)
}

// bigBytes is the size both arrays of the large-arrays check exceed: gRPC's
// default message limit, which chunking must get around.
const bigBytes = 4<<20 + 64<<10

// checkLarge scores or encodes an input larger than 4 MiB whose answer is
// larger than 4 MiB too: the test split tiled. Each row must get the answer
// its point got in the small test split (to a tolerance, for BLAS kernels that
// block by batch size).
func (s *suite) checkLarge(ctx context.Context) Result {
	c, err := s.alive(ctx, &s.a)
	if err != nil {
		return fail("%v", err)
	}
	elem := 8
	if s.out1.F32 != nil {
		elem = 4
	}
	rows := max(ceilDiv(bigBytes, s.test.X.Cols*8), ceilDiv(bigBytes, s.out1.Cols*elem))
	big := s.test.tile(rows)
	start, cpu := time.Now(), cpuOf(c)
	out, err := s.apply(ctx, c, s.model1, big, s.params)
	if err != nil {
		return fail("%d×%d input (%.1f MiB): %v", rows, big.X.Cols, mib(rows*big.X.Cols*8), err)
	}
	s.bigRows, s.bigTime, s.bigCPU = rows, time.Since(start), cpuOf(c)-cpu
	if err := s.checkOutput(out, rows); err != nil {
		return fail("%s of %d rows: %v", s.applyOp(), rows, err)
	}
	tol := 1e-9
	if out.F32 != nil {
		tol = 1e-4
	}
	small, large := s.out1.Float64(), out.Float64()
	n, d := len(small), out.Cols
	for i, v := range large {
		w := small[i%n]
		if math.Abs(v-w) > tol*(1+math.Abs(w)) {
			return fail("row %d column %d of the large answer is %g where the same point alone gave %g: "+
				"large arrays are reassembled out of order or corrupted", i/d, i%d, v, w)
		}
	}
	return pass("%.1f MiB in, %.1f MiB out in %v, rows equal to the small answer's",
		mib(rows*big.X.Cols*8), mib(rows*out.Cols*elem), s.bigTime.Round(time.Millisecond))
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func mib(n int) float64 { return float64(n) / (1 << 20) }
