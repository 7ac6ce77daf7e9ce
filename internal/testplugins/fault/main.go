// Command fault is a detector plugin that misbehaves on purpose, for the
// harness's fault tests. Its behaviour comes from its file name,
// latentbench-detector-fault-MODE, so one build serves every mode:
//
//	exit        exits during Score
//	hang        never answers Score
//	wrongcount  returns one score too few
//	nan         returns NaN scores
//	stdout      prints to stdout before the handshake
//	stdoutlater prints to stdout before the handshake from its second launch
//	            on (so it describes itself fine, then breaks mid-run)
//	panic       panics in Fit
//	selfkill    SIGKILLs itself during Score (as the out-of-memory killer would)
//	slow        behaves, after sleeping 2 s in Score (to be caught mid-run)
//	inverted    returns scores of the wrong sign (higher = more anomalous)
//	nondeterministic
//	            fits a different model at every call, whatever the seed
//	ignorecancel
//	            spends about 3 µs of CPU per point in Score without looking at
//	            its context
//	owndeadline fails Score with a deadline of its own (not the host's)
//	seedfree    declares its fit seed-independent, yet its model holds the seed
//	ok          behaves (scores = −squared norm of the point), reporting
//	            progress in Fit
//
// The conformance kit (harness/conformance) must fail each broken mode with
// its own reason; see cmd/latentbench/plugin_test.go.
package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/latentbench/latentbench/sdk"
	"github.com/latentbench/latentbench/sdk/serve"
)

type detector struct{ mode string }

func (d detector) Describe() sdk.Description {
	desc := sdk.Description{Name: "fault-" + d.mode, Version: "0.0.1", Doc: "misbehaves on purpose (" + d.mode + ")"}
	if d.mode == "seedfree" {
		desc.SeedIndependent = []string{sdk.StageFit}
	}
	return desc
}

func (d detector) Fit(ctx context.Context, req *sdk.DetectorFit) ([]byte, error) {
	return d.FitWithProgress(ctx, req, func(sdk.Progress) {})
}

// FitWithProgress makes the plugin an sdk.DetectorWithProgress: two reports,
// the second with the mean of the first column.
func (d detector) FitWithProgress(ctx context.Context, req *sdk.DetectorFit, progress func(sdk.Progress)) ([]byte, error) {
	switch d.mode {
	case "panic":
		panic("fault plugin panics in Fit")
	case "nondeterministic":
		return fmt.Appendf(nil, "model %d", time.Now().UnixNano()), nil
	case "seedfree":
		return fmt.Appendf(nil, "model %d", req.Seed), nil
	}
	progress(sdk.Progress{Epoch: 1, Epochs: 2, Message: "looking at the data"})
	x, mean := req.X.Float64(), 0.0
	for i := 0; i < req.X.Rows; i++ {
		mean += x[i*req.X.Cols] / float64(req.X.Rows)
	}
	progress(sdk.Progress{Epoch: 2, Epochs: 2, Values: map[string]float64{"mean": mean}})
	return []byte("model"), nil
}

func (d detector) Score(ctx context.Context, req *sdk.ScoreRequest) ([]float64, error) {
	n := req.X.Rows
	switch d.mode {
	case "exit":
		fmt.Fprintln(os.Stderr, "fault plugin: exiting during Score")
		os.Exit(3)
	case "hang":
		fmt.Fprintln(os.Stderr, "fault plugin: hanging in Score")
		time.Sleep(time.Hour)
	case "selfkill":
		fmt.Fprintln(os.Stderr, "fault plugin: killing itself during Score")
		p, _ := os.FindProcess(os.Getpid())
		p.Kill()
		time.Sleep(time.Hour)
	case "slow":
		time.Sleep(2 * time.Second)
	case "wrongcount":
		n--
	case "ignorecancel":
		// About 3 µs of CPU per point, whatever the load, never looking at ctx.
		acc := 0.0
		for i := 0; i < n*1000; i++ {
			acc = acc*0.999 + 1
		}
		if acc < 0 {
			n = 0 // never: keeps the loop from being optimised away
		}
	case "owndeadline":
		// A deadline of the plugin's own: an internal step given 1 ms.
		inner, cancel := context.WithTimeout(ctx, time.Millisecond)
		defer cancel()
		<-inner.Done()
		return nil, fmt.Errorf("fault plugin: internal step: %w", inner.Err())
	}
	x := req.X.Float64()
	scores := make([]float64, n)
	for i := range scores {
		for j := 0; j < req.X.Cols; j++ {
			scores[i] -= x[i*req.X.Cols+j] * x[i*req.X.Cols+j]
		}
		switch d.mode {
		case "nan":
			scores[i] = math.NaN()
		case "inverted":
			scores[i] = -scores[i]
		}
	}
	return scores, nil
}

func main() {
	mode := strings.TrimPrefix(filepath.Base(os.Args[0]), "latentbench-detector-fault-")
	if mode == "stdout" || (mode == "stdoutlater" && launchedBefore()) {
		fmt.Println("hello from a plugin that forgot stdout is the handshake channel")
	}
	serve.Detector(detector{mode: mode})
}

// launchedBefore records a launch in a file beside the executable and reports
// whether there was an earlier one.
func launchedBefore() bool {
	marker := os.Args[0] + ".launched"
	_, err := os.Stat(marker)
	if err != nil {
		os.WriteFile(marker, nil, 0o644)
	}
	return err == nil
}
