package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/latentbench/latentbench/harness/cache"
	"github.com/latentbench/latentbench/harness/dataset"
	"github.com/latentbench/latentbench/harness/grid"
	"github.com/latentbench/latentbench/harness/host"
	"github.com/latentbench/latentbench/metrics"
	"github.com/latentbench/latentbench/sdk"
)

// clustering is the cached outcome of the clustering sweeps of one latent
// matrix.
type clustering struct {
	Sweeps map[string][]KV `json:"sweeps"`
	BestK  map[string]int  `json:"best_k"`
	BestV  map[string]float64
	// Best holds the labels of the best clustering of each method.
	Best map[string][]int `json:"best"`
}

// cluster runs the k-means and EM-GMM sweeps on Z and reports best V and k
// per method. Without class labels there is nothing to score against: the
// sweep is skipped.
func (r *run) cluster(ctx context.Context, c *grid.Cell, res *Result, zKey string, z sdk.Matrix, truth []int) (*clustering, error) {
	cl := r.g.Clustering
	if len(cl.Methods) == 0 || truth == nil {
		return nil, nil
	}
	if len(cl.Methods) > 0 && cl.KMax > z.Rows {
		res.Notes = append(res.Notes, fmt.Sprintf("clustering.k_max = %d is more than the %d evaluated points: the sweeps stop at k = %d", cl.KMax, z.Rows, z.Rows))
	}
	key := cache.Key("cluster", zKey, strings.Join(cl.Methods, ","), fmt.Sprint(cl.KMin, cl.KMax, cl.NInit), fmt.Sprint(c.Seed))
	e, err := r.stage(ctx, c, res, "cluster", key, func(ctx context.Context) (*cache.Entry, error) {
		x := z.Float64()
		out := clustering{Sweeps: map[string][]KV{}, BestK: map[string]int{}, BestV: map[string]float64{}, Best: map[string][]int{}}
		kmax := min(cl.KMax, z.Rows)
		for _, m := range cl.Methods {
			var sw metrics.Sweep
			var err error
			switch m {
			case grid.MethodKMeans:
				sw, err = metrics.SweepKMeans(ctx, x, z.Rows, z.Cols, truth, cl.KMin, kmax,
					metrics.KMeansOptions{NInit: cl.NInit, Seed: uint64(c.Seed)})
			case grid.MethodGMM:
				sw, err = metrics.SweepGMM(ctx, x, z.Rows, z.Cols, truth, cl.KMin, kmax,
					metrics.GMMOptions{Seed: uint64(c.Seed)})
			default:
				err = fmt.Errorf("unknown clustering method %q", m)
			}
			if err != nil {
				return nil, fmt.Errorf("%s sweep: %w", m, err)
			}
			for _, p := range sw.PerK {
				out.Sweeps[m] = append(out.Sweeps[m], KV{K: p.K, V: p.V, H: p.H, C: p.C})
				if p.K == sw.BestK {
					out.Best[m] = p.Labels
				}
			}
			out.BestK[m], out.BestV[m] = sw.BestK, sw.BestV
		}
		b, err := json.Marshal(out)
		if err != nil {
			return nil, err
		}
		return &cache.Entry{Payload: b, Meta: cache.Meta{What: "cluster " + c.Encoder.Label}}, nil
	})
	if err != nil {
		return nil, err
	}
	var out clustering
	if err := json.Unmarshal(e.Payload, &out); err != nil {
		return nil, fmt.Errorf("cached clustering: %w", err)
	}
	res.Sweeps = out.Sweeps
	for _, m := range cl.Methods {
		res.Metrics["v_"+m] = out.BestV[m]
		res.Metrics["k_"+m] = float64(out.BestK[m])
		mis := metrics.Misclassification(out.Best[m], truth)
		res.Metrics["misclassified_"+m] = float64(mis.Total)
	}
	return &out, nil
}

// groups returns the cluster ids group-aware detectors use: an EM-GMM with the
// best k of the sweep (EM-GMM's if swept, else k-means'), fitted on the fit
// points with the cell's seed, assigning the fit points, the test points and
// the uniform points.
func groupsFor(ctx context.Context, cl *clustering, seed int64, fit sdk.Matrix, others ...sdk.Matrix) ([][]int32, error) {
	if cl == nil {
		return nil, fmt.Errorf("a group-aware detector needs a clustering: add [clustering] methods and give the dataset class labels")
	}
	k, ok := cl.BestK[grid.MethodGMM]
	if !ok {
		k = cl.BestK[grid.MethodKMeans]
	}
	if k < 1 {
		return nil, fmt.Errorf("no best k to group by")
	}
	g, err := metrics.GMMContext(ctx, fit.Float64(), fit.Rows, fit.Cols, metrics.GMMOptions{K: k, Seed: uint64(seed)})
	if err != nil {
		return nil, fmt.Errorf("groups: %w", err)
	}
	out := [][]int32{toInt32(g.Labels)}
	for _, m := range others {
		l, err := g.Predict(m.Float64(), m.Rows)
		if err != nil {
			return nil, fmt.Errorf("groups: %w", err)
		}
		out = append(out, toInt32(l))
	}
	return out, nil
}

func toInt32(v []int) []int32 {
	out := make([]int32, len(v))
	for i, x := range v {
		out[i] = int32(x)
	}
	return out
}

// detectInput is what a cell's detector stages work on: the points to fit
// on and to score, the subsample EM/MV evaluates, the uniform points in its
// box, and the group ids of each for group-aware detectors.
type detectInput struct {
	zFit, zTest       sdk.Matrix
	zFitKey, zTestKey string
	// eval is zTest, or its seeded subsample (rows evalIdx) for EM/MV.
	eval    sdk.Matrix
	evalIdx []int
	volume  float64
	// uniform holds the uniform points in eval's bounding box when EM/MV is
	// computed on the full latent space (empty otherwise).
	uniform                           sdk.Matrix
	fitGroups, testGroups, unifGroups []int32
	groupsKey                         string
	doEMMV                            bool
}

// detect fits the detector, scores the test points and uniform points, and
// computes the score-based metrics. It returns the test points' scores.
func (r *run) detect(ctx context.Context, c *grid.Cell, res *Result, data *dataset.Loaded,
	zFit sdk.Matrix, zFitKey string, zTest sdk.Matrix, zTestKey string, cl *clustering) ([]float64, error) {
	in, err := r.detectInput(ctx, c, zFit, zFitKey, zTest, zTestKey, cl)
	if err != nil {
		return nil, err
	}
	detID, err := r.identity(sdk.KindDetector, c.Detector.Plugin)
	if err != nil {
		return nil, err
	}
	fitKey := cache.Key("detector-fit", detID, c.Detector.Params.CanonicalJSON(), zFitKey, in.groupsKey, r.seedPart(c.Detector.Desc, c.Seed))
	model, err := r.fitDetector(ctx, c, res, fitKey, in)
	if err != nil {
		return nil, err
	}
	sTest, err := r.score(ctx, c, res, cache.Key("score", fitKey, zTestKey), model, zTest, in.testGroups)
	if err != nil {
		return nil, err
	}
	if err := r.emmv(ctx, c, res, detID, fitKey, model, in, sTest); err != nil {
		return nil, err
	}
	if err := scoreMetrics(r.g.Metrics.Contamination, data, res, sTest); err != nil {
		return nil, err
	}
	return sTest, nil
}

// detectInput prepares the points of a cell's detector stages.
func (r *run) detectInput(ctx context.Context, c *grid.Cell, zFit sdk.Matrix, zFitKey string, zTest sdk.Matrix, zTestKey string,
	cl *clustering) (*detectInput, error) {
	met := r.g.Metrics
	in := &detectInput{zFit: zFit, zTest: zTest, zFitKey: zFitKey, zTestKey: zTestKey, eval: zTest, groupsKey: "none"}
	if met.EMMVPoints > 0 && met.EMMVPoints < zTest.Rows {
		in.evalIdx = subsample(zTest.Rows, met.EMMVPoints, uint64(c.Seed))
		in.eval = rows(zTest, in.evalIdx)
	}
	var lo, hi []float64
	lo, hi, in.volume = metrics.BoundingBox(in.eval.Float64(), in.eval.Rows, in.eval.Cols)
	in.doEMMV = met.EMMV && zTest.Cols <= metrics.HighDimFeatures
	if in.doEMMV {
		in.uniform = sdk.NewMatrix64(met.UniformPoints, in.eval.Cols, metrics.UniformPoints(lo, hi, met.UniformPoints, uint64(c.Seed)))
	}
	if c.Detector.Desc.UsesGroups {
		gs, err := groupsFor(ctx, cl, c.Seed, zFit, zTest, in.uniform)
		if err != nil {
			return nil, err
		}
		in.fitGroups, in.testGroups, in.unifGroups = gs[0], gs[1], gs[2]
		in.groupsKey = cache.Key("groups", zFitKey, fmt.Sprint(c.Seed))
	}
	return in, nil
}

// fitDetector is the cached detector fit on the fit points.
func (r *run) fitDetector(ctx context.Context, c *grid.Cell, res *Result, key string, in *detectInput) ([]byte, error) {
	det := c.Detector
	e, err := r.stage(ctx, c, res, "detect", key, func(ctx context.Context) (*cache.Entry, error) {
		d, release, err := r.detector(ctx, det.Plugin)
		if err != nil {
			return nil, err
		}
		req := &sdk.DetectorFit{X: asFloat64(in.zFit), Groups: in.fitGroups, Params: det.Params, Seed: c.Seed}
		mt := meter(d)
		m, err := sdk.FitDetector(ctx, d, req, func(p sdk.Progress) { r.opt.Progress.Epoch(c, p) })
		if err != nil {
			release(err)
			return nil, err
		}
		e := metered(&cache.Entry{Payload: m, Meta: cache.Meta{What: "detector-fit " + det.Label + " on " + c.Encoder.Label}}, mt)
		release(nil)
		return e, nil
	})
	if err != nil {
		return nil, err
	}
	return e.Payload, nil
}

// score is a cached Score of pts with a fitted detector model.
func (r *run) score(ctx context.Context, c *grid.Cell, res *Result, key string, model []byte, pts sdk.Matrix, groups []int32) ([]float64, error) {
	det := c.Detector
	e, err := r.stage(ctx, c, res, "score", key, func(ctx context.Context) (*cache.Entry, error) {
		d, release, err := r.detector(ctx, det.Plugin)
		if err != nil {
			return nil, err
		}
		m := meter(d)
		sc, err := d.Score(ctx, &sdk.ScoreRequest{Model: model, X: asFloat64(pts), Groups: groups, Params: det.Params})
		if err != nil {
			release(err)
			return nil, err
		}
		e := metered(&cache.Entry{Payload: encodeVector(sc), Meta: cache.Meta{What: "score " + det.Label}}, m)
		release(nil)
		return e, nil
	})
	if err != nil {
		return nil, err
	}
	return decodeVector(e.Payload)
}

// emmv computes EM and MV: on the latent space itself up to
// metrics.HighDimFeatures dimensions, over random feature subsets beyond
// (not for group-aware detectors, whose groups belong to the full space).
func (r *run) emmv(ctx context.Context, c *grid.Cell, res *Result, detID, fitKey string, model []byte,
	in *detectInput, sTest []float64) error {
	met, det, seed := r.g.Metrics, c.Detector, fmt.Sprint(c.Seed)
	switch {
	case in.doEMMV:
		sEval := sTest
		if in.evalIdx != nil {
			sEval = pick(sTest, in.evalIdx)
		}
		key := cache.Key("score-uniform", fitKey, in.zTestKey, fmt.Sprint(met.UniformPoints, met.EMMVPoints), seed)
		sUnif, err := r.score(ctx, c, res, key, model, in.uniform, in.unifGroups)
		if err != nil {
			return err
		}
		em := metrics.EMMV(sEval, sUnif, in.volume)
		res.Metrics["em"], res.Metrics["mv"] = em.EM, em.MV
	case met.EMMV && !det.Desc.UsesGroups:
		key := cache.Key("emmv-subsets", detID, det.Params.CanonicalJSON(), in.zFitKey, in.zTestKey,
			fmt.Sprint(met.UniformPoints, met.EMMVPoints), seed)
		e, err := r.stage(ctx, c, res, "emmv", key, func(ctx context.Context) (*cache.Entry, error) {
			em, mv, used, mt, err := r.emmvSubsets(ctx, det.Plugin, det.Params, c.Seed, asFloat64(in.zFit), in.eval, met.UniformPoints)
			if err != nil {
				return nil, err
			}
			b, _ := json.Marshal(map[string]float64{"em": em, "mv": mv, "subsets": float64(used)})
			return metered(&cache.Entry{Payload: b, Meta: cache.Meta{What: "emmv over feature subsets " + det.Label}}, mt), nil
		})
		if err != nil {
			return err
		}
		var m map[string]float64
		if err := json.Unmarshal(e.Payload, &m); err != nil {
			return fmt.Errorf("cached emmv: %w", err)
		}
		res.Metrics["em"], res.Metrics["mv"], res.Metrics["emmv_subsets"] = m["em"], m["mv"], m["subsets"]
	}
	return nil
}

// scoreMetrics computes the metrics of the test points' scores against the
// test split's ground truth: the class distribution of the flagged points
// (with class labels and a contamination), ROC-AUC and AP (with anomaly
// labels).
func scoreMetrics(contamination float64, data *dataset.Loaded, res *Result, sTest []float64) error {
	if truth := data.Test.Labels; truth != nil && contamination > 0 {
		shares, _, err := metrics.ClassDistribution(sTest, labelsInt(truth), contamination)
		if err != nil {
			return fmt.Errorf("class distribution: %w", err)
		}
		res.Metrics["rmse"] = shares.RMSE
		res.Classes = &ClassShares{All: shares.P, Flagged: shares.Q}
		for _, cls := range shares.Classes {
			name := fmt.Sprint(cls)
			if cls >= 0 && cls < len(data.Test.Classes) {
				name = data.Test.Classes[cls]
			}
			res.Classes.Names = append(res.Classes.Names, name)
		}
	}
	if gt := data.Test.Anomaly; gt != nil {
		if auc, err := metrics.ROCAUC(sTest, gt); err == nil {
			res.Metrics["auc"] = auc
		}
		if ap, err := metrics.AveragePrecision(sTest, gt); err == nil {
			res.Metrics["ap"] = ap
		}
	}
	return nil
}

func asFloat64(m sdk.Matrix) sdk.Matrix {
	if m.F64 != nil {
		return m
	}
	return sdk.NewMatrix64(m.Rows, m.Cols, m.Float64())
}

func rows(m sdk.Matrix, idx []int) sdk.Matrix {
	x := m.Float64()
	out := make([]float64, 0, len(idx)*m.Cols)
	for _, i := range idx {
		out = append(out, x[i*m.Cols:(i+1)*m.Cols]...)
	}
	return sdk.NewMatrix64(len(idx), m.Cols, out)
}

func pick(v []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for i, j := range idx {
		out[i] = v[j]
	}
	return out
}

func jsonMarshal(v any) ([]byte, error)   { return json.Marshal(v) }
func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// subsample draws k of n indices without replacement (seeded PCG, partial
// Fisher–Yates) and returns them in increasing order.
func subsample(n, k int, seed uint64) []int {
	rng := rand.New(rand.NewPCG(seed, 0x656d6d76)) // "emmv"
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	for i := 0; i < k; i++ {
		j := i + rng.IntN(n-i)
		perm[i], perm[j] = perm[j], perm[i]
	}
	out := perm[:k]
	sort.Ints(out)
	return out
}

// emmvSubsets is Goix's protocol for more than 5 latent dimensions:
// EM and MV averaged over random 5-feature subsets, the detector refitted on
// each subset of the fit points, the uniform box taken from the evaluated
// points' subset, with the finer t and α grids. A subset whose box has no
// volume is skipped and another drawn, until metrics.HighDimSubsets were used.
// Every refit and its scores are one batch (sdk.FitScore): one call to the
// plugin, in which no model travels, when it serves FitScore.
func (r *run) emmvSubsets(ctx context.Context, plugin string, params sdk.Params, seed int64,
	fit, eval sdk.Matrix, uniformN int) (em, mv float64, used int, mt *host.Meter, err error) {
	req := &sdk.FitScoreRequest{X: fit, Eval: eval, Params: params, Seed: seed}
	var vols []float64
	xe := eval.Float64()
	for i, cols := range metrics.FeatureSubsets(eval.Cols, metrics.HighDimFeatures, 4*metrics.HighDimSubsets, uint64(seed)) {
		if len(req.Cols) == metrics.HighDimSubsets {
			break
		}
		lo, hi, vol := metrics.BoundingBox(metrics.Project(xe, eval.Rows, eval.Cols, cols), eval.Rows, len(cols))
		if !(vol > 0) {
			continue
		}
		req.Cols = append(req.Cols, cols)
		req.Extra = append(req.Extra, sdk.NewMatrix64(uniformN, len(cols), metrics.UniformPoints(lo, hi, uniformN, uint64(seed)+uint64(i)+1)))
		vols = append(vols, vol)
	}
	if len(req.Cols) == 0 {
		return 0, 0, 0, nil, fmt.Errorf("EM/MV: every feature subset has a zero-volume box")
	}
	det, release, err := r.detector(ctx, plugin)
	if err != nil {
		return 0, 0, 0, nil, err
	}
	mt = meter(det)
	jobs, err := sdk.FitScore(ctx, det, req)
	release(err)
	if err != nil {
		return 0, 0, 0, nil, fmt.Errorf("feature subsets: %w", err)
	}
	for j, s := range jobs {
		res := metrics.EMMVSteps(s.Eval, s.Extra, vols[j], metrics.HighDimTStep/vols[j], metrics.HighDimAlphaStep)
		em += res.EM
		mv += res.MV
	}
	return em / float64(len(jobs)), mv / float64(len(jobs)), len(jobs), mt, nil
}
