package vae

import (
	"context"
	"fmt"
	"time"
)

// Throughput is what TrainThroughput measured.
type Throughput struct {
	// TrainSamplesPerSec = Epochs·n / wall seconds of Train.
	TrainSamplesPerSec float64 `json:"train_samples_per_s"`
	// EncodeSamplesPerSec = encodeN / wall seconds of Encode (best of 3).
	EncodeSamplesPerSec float64 `json:"encode_samples_per_s"`
	// FinalLoss is the last epoch's mean loss (a sanity check that both sides
	// trained the same objective).
	FinalLoss float64 `json:"final_loss"`
}

// TrainThroughput is the Go side of bench/peers/vae_torch.py: it trains cfg on
// the n×d matrix x (timing the whole Train call, graph construction included)
// and then encodes the first encodeN rows three times, keeping the fastest.
// With cfg = DefaultConfig() and cfg.Epochs = 1 it matches
//
//	OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/peers/vae_torch.py --data X --n N --d D --epochs 1 --encode-n E
//
// on the same data (the peer times the epoch after two warm-up batches, so it
// is, if anything, favoured).
func TrainThroughput(ctx context.Context, x []float32, n, d int, cfg Config, encodeN int) (Throughput, error) {
	var t Throughput
	start := time.Now()
	m, st, err := Train(ctx, x, n, d, nil, 0, nil, cfg, nil)
	if err != nil {
		return t, fmt.Errorf("vae: throughput: %w", err)
	}
	t.TrainSamplesPerSec = float64(n*len(st)) / time.Since(start).Seconds()
	t.FinalLoss = st[len(st)-1].Loss
	encodeN = min(encodeN, n)
	best := 0.0
	for i := 0; i < 3; i++ {
		s := time.Now()
		if _, err := m.Encode(x[:encodeN*d], encodeN); err != nil {
			return t, fmt.Errorf("vae: throughput: %w", err)
		}
		if e := time.Since(s).Seconds(); i == 0 || e < best {
			best = e
		}
	}
	if best > 0 {
		t.EncodeSamplesPerSec = float64(encodeN) / best
	}
	return t, nil
}
