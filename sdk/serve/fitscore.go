package serve

import (
	"context"
	"strconv"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/latentbench/latentbench/internal/wire"
	lbv1 "github.com/latentbench/latentbench/proto/latentbench/v1"
	"github.com/latentbench/latentbench/sdk"
)

// FitScore serves a batch of fit-then-score jobs with the plugin's own Fit
// and Score (sdk.FitScoreSeparately), so the models never leave the process
// and no plugin author writes anything for it. Only the scores go back.
func (s *detectorServer) FitScore(stream lbv1.Detector_FitScoreServer) error {
	return s.handle(stream.Context(), "fitscore", func(ctx context.Context) error {
		in, params, err := receiveCall(stream, s.impl.Describe())
		if err != nil {
			return err
		}
		req, err := fitScoreArgs(in, params)
		if err != nil {
			return err
		}
		var t timer
		jobs, err := sdk.FitScoreSeparately(ctx, timedDetector{s.impl, &t}, req)
		if err != nil {
			return err
		}
		t.report(stream)
		var scores []float64
		for _, j := range jobs {
			scores = append(append(scores, j.Eval...), j.Extra...)
		}
		return wire.SendArray(stream, wire.ArrayScores, wire.Float64s(scores))
	})
}

// fitScoreArgs reads a FitScore call's arrays into a request.
func fitScoreArgs(in *wire.Message, params sdk.Params) (*sdk.FitScoreRequest, error) {
	x, err := matrixArg(in, wire.ArrayX)
	if err != nil {
		return nil, err
	}
	eval, err := matrixArg(in, wire.ArrayEval)
	if err != nil {
		return nil, err
	}
	req := &sdk.FitScoreRequest{X: x, Eval: eval, Params: params, Seed: in.Call.GetSeed()}
	a, err := in.Array(wire.ArrayCols)
	if err != nil {
		return nil, sdk.Invalid(err)
	}
	cols, err := a.Int32Values()
	if err != nil || a.Cols < 1 {
		return nil, sdk.Invalidf("%s: want an int32 jobs×k matrix (%v)", wire.ArrayCols, err)
	}
	for j := range a.Rows {
		job := make([]int, a.Cols)
		for c := range job {
			job[c] = int(cols[j*a.Cols+c])
		}
		req.Cols = append(req.Cols, job)
	}
	if _, ok := in.Arrays[wire.ArrayExtra]; !ok {
		return req, req.Check()
	}
	extra, err := matrixArg(in, wire.ArrayExtra)
	if err != nil {
		return nil, err
	}
	jobs := len(req.Cols)
	if jobs == 0 || extra.Rows%jobs != 0 || extra.Cols != a.Cols {
		return nil, sdk.Invalidf("%s: %d×%d points for %d jobs of %d columns", wire.ArrayExtra, extra.Rows, extra.Cols, jobs, a.Cols)
	}
	u, k, e := extra.Rows/jobs, extra.Cols, extra.Float64()
	for j := range jobs {
		req.Extra = append(req.Extra, sdk.NewMatrix64(u, k, e[j*u*k:(j+1)*u*k]))
	}
	return req, req.Check()
}

// timer adds up the time a plugin's own code runs during one call.
type timer struct{ d time.Duration }

// time runs f, adding its duration.
func (t *timer) time(f func()) {
	start := time.Now()
	f()
	t.d += time.Since(start)
}

// report sets the call's trailing metadata wire.TrailerCompute, which the
// host subtracts from a cell's wall time to give the harness's overhead.
func (t *timer) report(stream grpc.ServerStream) {
	stream.SetTrailer(metadata.Pairs(wire.TrailerCompute, strconv.FormatFloat(t.d.Seconds(), 'g', -1, 64)))
}

// timedDetector is a detector whose Fit and Score calls are timed.
type timedDetector struct {
	sdk.Detector
	t *timer
}

func (d timedDetector) Fit(ctx context.Context, req *sdk.DetectorFit) (m []byte, err error) {
	d.t.time(func() { m, err = d.Detector.Fit(ctx, req) })
	return m, err
}

func (d timedDetector) Score(ctx context.Context, req *sdk.ScoreRequest) (s []float64, err error) {
	d.t.time(func() { s, err = d.Detector.Score(ctx, req) })
	return s, err
}
