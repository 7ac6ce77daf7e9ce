package conformance

import (
	"math"
	"math/rand/v2"

	"github.com/latentbench/latentbench/sdk"
)

// dataset is one split of the synthetic data.
type dataset struct {
	X sdk.Matrix // float64
	// Cluster is each row's planted cluster (for anomalies: the nearest
	// cluster, so that group-aware detectors get a group for every row).
	Cluster []int32
	// Anomaly marks the planted anomalies (detector data only).
	Anomaly    []bool
	NumClasses int
	Features   []sdk.FeatureBlock
}

// The shapes of the synthetic data: small, so that a typical plugin passes
// the whole kit in a few seconds.
const (
	clusters         = 3
	encoderDim       = 8
	detectorDim      = 2
	trainPerCluster  = 100
	testPerCluster   = 90
	testAnomalies    = 30
	encoderSpread    = 0.05
	detectorSpread   = 0.4
	anomalyRadiusMin = 5.0
	anomalyRadiusMax = 7.0
)

// detectorData returns a training split of normal points from three
// Gaussian clusters in 2-D (the harness's usual latent dimension) and a test
// split of normal points with planted anomalies on a ring around them, far
// from every cluster (radius 5 to 7; every cluster lies within 2.5 of the
// origin with spread 0.4).
func detectorData(seed int64) (train, test dataset) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6c62))
	centres := [][]float64{{-2, -1.5}, {2, -1.5}, {0, 2}}
	gen := func(perCluster, anomalies int) dataset {
		n := perCluster*clusters + anomalies
		d := dataset{X: sdk.NewMatrix64(n, detectorDim, make([]float64, n*detectorDim)),
			Cluster: make([]int32, n), Anomaly: make([]bool, n), NumClasses: clusters}
		for i, r := range rng.Perm(n) {
			x := d.X.F64[r*detectorDim : (r+1)*detectorDim]
			if i < perCluster*clusters {
				c := i % clusters
				for j := range x {
					x[j] = centres[c][j] + detectorSpread*rng.NormFloat64()
				}
				d.Cluster[r] = int32(c)
				continue
			}
			radius := anomalyRadiusMin + (anomalyRadiusMax-anomalyRadiusMin)*rng.Float64()
			angle := 2 * math.Pi * rng.Float64()
			x[0], x[1] = radius*math.Cos(angle), radius*math.Sin(angle)
			d.Anomaly[r] = true
			d.Cluster[r] = nearest(centres, x)
		}
		return d
	}
	return gen(trainPerCluster, 0), gen(testPerCluster, testAnomalies)
}

// encoderData returns points of three well-separated clusters in [0, 1]^8
// (centres drawn in [0.15, 0.85], spread 0.05, clipped), declared as one block
// of unit features so that encoders choose a loss for [0, 1] data.
func encoderData(seed int64) (train, test dataset) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x656e63))
	centres := make([][]float64, clusters)
	for c := range centres {
		centres[c] = make([]float64, encoderDim)
		for j := range centres[c] {
			centres[c][j] = 0.15 + 0.7*rng.Float64()
		}
	}
	features := []sdk.FeatureBlock{{Name: "x", Kind: sdk.FeatureUnit, Start: 0, Width: encoderDim}}
	gen := func(perCluster int) dataset {
		n := perCluster * clusters
		d := dataset{X: sdk.NewMatrix64(n, encoderDim, make([]float64, n*encoderDim)),
			Cluster: make([]int32, n), Anomaly: make([]bool, n), NumClasses: clusters, Features: features}
		for i, r := range rng.Perm(n) {
			c := i % clusters
			x := d.X.F64[r*encoderDim : (r+1)*encoderDim]
			for j := range x {
				x[j] = min(1, max(0, centres[c][j]+encoderSpread*rng.NormFloat64()))
			}
			d.Cluster[r] = int32(c)
		}
		return d
	}
	return gen(trainPerCluster), gen(testPerCluster)
}

func nearest(centres [][]float64, x []float64) int32 {
	best, bestD := 0, math.Inf(1)
	for c, m := range centres {
		var d float64
		for j := range x {
			d += (x[j] - m[j]) * (x[j] - m[j])
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	return int32(best)
}

// head returns the first n rows.
func (d dataset) head(n int) dataset {
	n = min(n, d.X.Rows)
	c := d.X.Cols
	return dataset{X: sdk.NewMatrix64(n, c, d.X.F64[:n*c]), Cluster: d.Cluster[:n], Anomaly: d.Anomaly[:n],
		NumClasses: d.NumClasses, Features: d.Features}
}

// tile returns rows rows: the data set repeated (row i is row i mod n).
func (d dataset) tile(rows int) dataset {
	n, c := d.X.Rows, d.X.Cols
	out := dataset{X: sdk.NewMatrix64(rows, c, make([]float64, rows*c)), Cluster: make([]int32, rows),
		Anomaly: make([]bool, rows), NumClasses: d.NumClasses, Features: d.Features}
	for i := 0; i < rows; i += n {
		k := min(n, rows-i)
		copy(out.X.F64[i*c:], d.X.F64[:k*c])
		copy(out.Cluster[i:], d.Cluster[:k])
		copy(out.Anomaly[i:], d.Anomaly[:k])
	}
	return out
}

// float32 returns the data set with its matrix in float32.
func (d dataset) float32() dataset {
	d.X = sdk.NewMatrix32(d.X.Rows, d.X.Cols, d.X.Float32())
	return d
}
