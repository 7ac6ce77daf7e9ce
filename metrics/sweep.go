package metrics

import (
	"context"
	"fmt"
)

// KScore is the clustering of one k in a sweep and its V-measure against the
// true labels.
type KScore struct {
	// K is the number of clusters asked for.
	K int
	// V, H and C are the V-measure (β = 1), homogeneity and completeness of
	// Labels against the true labels (HomogeneityCompletenessV).
	V, H, C float64
	// Labels holds the cluster of each point.
	Labels []int
}

// Sweep is the outcome of clustering for every k in kmin..kmax (Table 1
// of Norlander & Sopasakis 2019; docs/method.md).
type Sweep struct {
	// Method is "kmeans" or "gmm".
	Method string
	// PerK holds one entry per k, in increasing k.
	PerK []KScore
	// BestK is the k with the highest V (the smaller k on ties) and BestV
	// that V.
	BestK int
	BestV float64
}

// SweepKMeans runs KMeans (see there) with K = kmin..kmax on the n×d
// row-major points x and scores every clustering against truth with the
// V-measure (Rosenberg & Hirschberg 2007). opt.K and opt.Init are ignored;
// every k uses opt.Seed, so PerK[i] equals KMeans with K = kmin+i.
//
// The (k, restart) runs are spread over opt.Workers goroutines (GOMAXPROCS
// if 0) and the result does not depend on their number. Cancelling ctx stops
// the sweep within about a second, inside a run (between Lloyd iterations;
// for GMM also within an E- or M-step); the error then wraps ctx.Err().
func SweepKMeans(ctx context.Context, x []float64, n, d int, truth []int, kmin, kmax int, opt KMeansOptions) (Sweep, error) {
	data, err := kmPrepare("SweepKMeans", x, n, d, opt)
	if err != nil {
		return Sweep{}, err
	}
	data.done = ctx.Done()
	if err := swCheck("SweepKMeans", n, truth, kmin, kmax); err != nil {
		return Sweep{}, err
	}
	nk, runs := kmax-kmin+1, data.nInit
	// Jobs are ordered by decreasing k (costlier first) for load balance.
	out := make([]kmRun, nk*runs)
	jobK := func(job int) int { return kmax - job/runs }
	err = kmParallel(ctx, nk*runs, kmWorkers(opt.Workers, nk*runs), func() *kmWork {
		return newKMWork(n, d, kmax)
	}, func(w *kmWork, job int) {
		out[job] = data.runOne(w, jobK(job), job%runs, opt.Seed)
	})
	if err != nil {
		return Sweep{}, fmt.Errorf("metrics: SweepKMeans: %w", err)
	}
	sw := Sweep{Method: "kmeans", PerK: make([]KScore, nk)}
	for job := 0; job < len(out); job += runs {
		k := jobK(job)
		res := data.best(out[job:job+runs], k)
		sw.PerK[k-kmin] = swScore(k, res.Labels, truth)
	}
	sw.pickBest()
	return sw, nil
}

// SweepGMM runs GMM (see there) with K = kmin..kmax on the n×d row-major
// points x and scores every clustering (the Labels of GMMResult) against
// truth with the V-measure. opt.K and opt.InitLabels are ignored; every k
// uses opt.Seed, so PerK[i] equals GMM with K = kmin+i.
//
// Parallelism, determinism and cancellation are as in SweepKMeans. A k whose
// fit fails (a covariance that is not positive definite) fails the sweep.
func SweepGMM(ctx context.Context, x []float64, n, d int, truth []int, kmin, kmax int, opt GMMOptions) (Sweep, error) {
	data, err := gmPrepare("SweepGMM", x, n, d, opt)
	if err != nil {
		return Sweep{}, err
	}
	data.km.done = ctx.Done()
	if err := swCheck("SweepGMM", n, truth, kmin, kmax); err != nil {
		return Sweep{}, err
	}
	nk, runs := kmax-kmin+1, data.nInit
	out := make([]gmRun, nk*runs)
	jobK := func(job int) int { return kmax - job/runs }
	err = kmParallel(ctx, nk*runs, kmWorkers(opt.Workers, nk*runs), func() *gmWork {
		return newGMWork(n, d, kmax)
	}, func(w *gmWork, job int) {
		out[job] = data.fit(w, jobK(job), job%runs, nil)
	})
	if err != nil {
		return Sweep{}, fmt.Errorf("metrics: SweepGMM: %w", err)
	}
	sw := Sweep{Method: "gmm", PerK: make([]KScore, nk)}
	// Report the failure at the smallest failing k.
	for job := len(out) - runs; job >= 0; job -= runs {
		k := jobK(job)
		res, err := gmBest(out[job : job+runs])
		if err != nil {
			return Sweep{}, fmt.Errorf("metrics: SweepGMM: K = %d: %w", k, err)
		}
		sw.PerK[k-kmin] = swScore(k, res.Labels, truth)
	}
	sw.pickBest()
	return sw, nil
}

func swCheck(fn string, n int, truth []int, kmin, kmax int) error {
	if len(truth) != n {
		return fmt.Errorf("metrics: %s: %d true labels for %d points", fn, len(truth), n)
	}
	if kmin < 1 || kmax < kmin || kmax > n {
		return fmt.Errorf("metrics: %s: need 1 ≤ kmin ≤ kmax ≤ n, got kmin = %d, kmax = %d, n = %d", fn, kmin, kmax, n)
	}
	return nil
}

func swScore(k int, labels, truth []int) KScore {
	h, c, v := HomogeneityCompletenessV(truth, labels, 1)
	return KScore{K: k, V: v, H: h, C: c, Labels: labels}
}

// pickBest sets BestK and BestV: the highest V, the smaller k on ties.
func (s *Sweep) pickBest() {
	for i, ks := range s.PerK {
		if i == 0 || ks.V > s.BestV {
			s.BestK, s.BestV = ks.K, ks.V
		}
	}
}
