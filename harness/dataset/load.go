package dataset

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/latentbench/latentbench/sdk"
)

// Data is one prepared split.
type Data struct {
	// X holds N rows of D float32 features, row-major: row i is X[i*D:(i+1)*D].
	X    []float32
	N, D int
	// Labels is the class index of each row (into Classes), nil without labels.
	Labels []int32
	// Classes names the classes; Classes[k] is the name of label k. Train and
	// test share one list.
	Classes []string
	// Anomaly is the ground truth (true = anomaly) per row, nil when unknown.
	Anomaly []bool
	// Features describes the columns of X as consecutive blocks.
	Features []sdk.FeatureBlock
	// Columns names the D columns of X ("age", "job=admin.", "px0", ...).
	Columns []string
}

// Row returns row i of X (a sub-slice, not a copy).
func (d *Data) Row(i int) []float32 { return d.X[i*d.D : (i+1)*d.D] }

// LoadReport says what Load found and did.
type LoadReport struct {
	// Files lists the files read.
	Files []string
	// Rows is the number of data rows read from the files (both splits),
	// before rows were dropped, split or subsampled.
	Rows int
	// Dropped counts the rows left out because their label or anomaly_column
	// value was missing.
	Dropped int
	// MissingByColumn counts the missing values of each csv column over all
	// rows read; columns without missing values are absent.
	MissingByColumn map[string]int
	// UnseenByColumn counts, per categorical csv column, the rows of Test
	// (after subsampling) whose category the train split never showed; they
	// are encoded as an all-zero block.
	UnseenByColumn map[string]int
	// SplitTrain and SplitTest are the row counts of the train and test splits
	// before subsampling.
	SplitTrain, SplitTest int
	// StratifiedBy is "label" or "anomaly" when the seeded split was
	// stratified by that, "" otherwise (or when the test set is a file).
	StratifiedBy string
	// Numeric and Categorical list the source columns encoded each way
	// (the columns left out are not among them).
	Numeric, Categorical []string
	// DroppedColumns lists the source columns left out of the features, in
	// the file's column order, each with the reason: the drop key or
	// drop_constant.
	DroppedColumns []DroppedColumn
	// Warnings are the suspicious findings that did not stop Load (a split
	// without anomalies, a class in one split only, a normal_values entry that
	// no value matches), each naming the key and file it is about.
	Warnings []Warning
	// Notes are findings worth knowing that are no mistake (categories of a
	// column present in the train split only), in the form of Warnings.
	Notes []Warning
	// Elapsed is the wall time of Load.
	Elapsed time.Duration
}

// DroppedColumn is a source column that Load left out of the features.
type DroppedColumn struct {
	// Name is the column's name: the csv header's (or columns'), "x<j>" for
	// npz.
	Name string `json:"name"`
	// Why is WhyDrop (the column is listed in drop) or WhyConstant
	// (drop_constant = true and the column has one value over the rows the
	// scaling is fitted on).
	Why string `json:"why"`
	// Value is that one value, as the file writes it (csv) or formatted
	// with strconv 'g' (npz), for WhyConstant.
	Value string `json:"value,omitempty"`
}

// The reasons of DroppedColumn.Why.
const (
	WhyDrop     = "drop"
	WhyConstant = "constant"
)

func (c DroppedColumn) String() string {
	if c.Why == WhyConstant {
		return fmt.Sprintf("%s (constant %s)", c.Name, c.Value)
	}
	return c.Name + " (drop)"
}

// Warning is one suspicious finding of Load: Key is the Spec key it is
// about (e.g. "normal_values"), File the data file, if one.
type Warning struct {
	Key  string `json:"key"`
	File string `json:"file,omitempty"`
	Msg  string `json:"msg"`
}

func (w Warning) String() string {
	if w.File == "" {
		return w.Key + ": " + w.Msg
	}
	return w.Key + ": " + w.File + ": " + w.Msg
}

// KeyError is a Load error due to the file one Spec key names (Key is
// "path" or "test_path"); its message is Err's.
type KeyError struct {
	Key string
	Err error
}

func (e *KeyError) Error() string { return e.Err.Error() }
func (e *KeyError) Unwrap() error { return e.Err }

// Loaded is a prepared data set. It embeds the Spec it was loaded from
// (note that Loaded.Train and Loaded.Test are the data; the row counts asked
// for are Loaded.Spec.Train and Loaded.Spec.Test).
type Loaded struct {
	Spec
	Train, Test Data
	// Digest is the hex SHA-256 of the prepared train and test data (see
	// DigestData): equal data give equal digests, whatever their source.
	Digest string
	Report LoadReport
}

// PCG stream constants: the split, the train subsample and the test
// subsample each draw from rand.NewPCG(uint64(Spec.Seed), stream).
const (
	streamSplit uint64 = 0x73706c6974 // "split"
	streamTrain uint64 = 0x747261696e // "train"
	streamTest  uint64 = 0x74657374   // "test"
)

// Load reads, splits, encodes and subsamples the data set s describes, with
// relative paths taken against baseDir. It validates s first. The steps:
//
//  1. read the source (idx: the four IDX files; csv: Path and TestPath;
//     npz: X.npy and y.npy);
//  2. split: idx's own train and test files; csv's TestPath file when
//     given; otherwise a seeded split holding out round(test_fraction·n)
//     rows, stratified (see Spec.Stratify);
//  3. fit the encoding (scaling statistics, categories) on the whole train
//     split, before subsampling, so that the encoding does not depend on
//     Spec.Train;
//  4. subsample Spec.Train and Spec.Test rows without replacement (each split
//     with its own PCG stream), keeping the chosen rows in file order;
//  5. encode the chosen rows into float32 and digest them.
func Load(ctx context.Context, s Spec, baseDir string) (*Loaded, error) {
	start := time.Now()
	if errs := s.Validate(baseDir); len(errs) > 0 {
		list := make([]error, len(errs))
		for i, e := range errs {
			list[i] = e
		}
		return nil, fmt.Errorf("dataset %q: invalid spec: %w", s.Name, errors.Join(list...))
	}
	var (
		l   *Loaded
		err error
	)
	switch s.Format {
	case FormatIDX:
		l, err = loadIDX(ctx, s, baseDir)
	case FormatCSV:
		l, err = loadCSV(ctx, s, baseDir)
	case FormatNPZ:
		l, err = loadNPZ(ctx, s, baseDir)
	}
	if err != nil {
		return nil, fmt.Errorf("dataset %q: %w", s.Name, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l.Spec = s
	l.Digest = DigestData(&l.Train, &l.Test)
	l.Report.Elapsed = time.Since(start)
	return l, nil
}

// DigestData returns the hex SHA-256 digest of the splits: SHA-256 over a
// version string, the number of splits and the SHA-256 of each split's
// length-prefixed serialisation (hashed in parallel): N and D, the IEEE-754
// bits of X (little-endian), the labels, the anomaly flags, the feature
// blocks and the class names. Column names are not part of it.
func DigestData(splits ...*Data) string {
	sums := make([][]byte, len(splits))
	var wg sync.WaitGroup
	for i, d := range splits {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sums[i] = digestSplit(d)
		}()
	}
	wg.Wait()
	w := newDigestWriter()
	w.str("latentbench/dataset digest v1")
	w.u64(uint64(len(splits)))
	for _, s := range sums {
		w.h.Write(s)
	}
	return hex.EncodeToString(w.h.Sum(nil))
}

func digestSplit(d *Data) []byte {
	w := newDigestWriter()
	h := w.h
	w.u64(uint64(d.N))
	w.u64(uint64(d.D))
	w.u64(uint64(len(d.X)))
	// X is hashed as the SHA-256 of each chunk of digestChunk values, the
	// chunks in parallel, so that digesting 47M values (60000 images of 784
	// pixels) takes a fraction of a second.
	nChunks := (len(d.X) + digestChunk - 1) / digestChunk
	sums := make([][sha256.Size]byte, nChunks)
	parallelFor(nChunks, func(c int) {
		buf := make([]byte, 0, 1<<16)
		ch := sha256.New()
		lo, hi := c*digestChunk, min(len(d.X), (c+1)*digestChunk)
		for i := lo; i < hi; i += cap(buf) / 4 {
			b := buf[:0]
			for _, v := range d.X[i:min(hi, i+cap(buf)/4)] {
				b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
			}
			ch.Write(b)
		}
		ch.Sum(sums[c][:0])
	})
	for _, sum := range sums {
		h.Write(sum[:])
	}
	w.flag(d.Labels != nil)
	w.u64(uint64(len(d.Labels)))
	for i := 0; i < len(d.Labels); i += len(w.buf) / 4 {
		end := min(len(d.Labels), i+len(w.buf)/4)
		b := w.buf[:0]
		for _, v := range d.Labels[i:end] {
			b = binary.LittleEndian.AppendUint32(b, uint32(v))
		}
		h.Write(b)
	}
	w.flag(d.Anomaly != nil)
	w.u64(uint64(len(d.Anomaly)))
	for i := 0; i < len(d.Anomaly); i += len(w.buf) {
		end := min(len(d.Anomaly), i+len(w.buf))
		b := w.buf[:0]
		for _, v := range d.Anomaly[i:end] {
			if v {
				b = append(b, 1)
			} else {
				b = append(b, 0)
			}
		}
		h.Write(b)
	}
	w.u64(uint64(len(d.Features)))
	for _, f := range d.Features {
		w.str(f.Name)
		w.str(string(f.Kind))
		w.u64(uint64(f.Start))
		w.u64(uint64(f.Width))
	}
	w.u64(uint64(len(d.Classes)))
	for _, c := range d.Classes {
		w.str(c)
	}
	return h.Sum(nil)
}

// digestChunk is the number of X values hashed together in DigestData.
const digestChunk = 1 << 20

// parallelFor calls fn(0..n-1) on up to GOMAXPROCS goroutines.
func parallelFor(n int, fn func(i int)) {
	workers := min(n, runtime.GOMAXPROCS(0))
	if workers <= 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	var (
		next atomic.Int64
		wg   sync.WaitGroup
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

type digestWriter struct {
	h   hash.Hash
	buf []byte
}

func newDigestWriter() *digestWriter {
	return &digestWriter{h: sha256.New(), buf: make([]byte, 1<<16)}
}

func (w *digestWriter) u64(v uint64) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	w.h.Write(b[:])
}

func (w *digestWriter) flag(v bool) {
	if v {
		w.h.Write([]byte{1})
	} else {
		w.h.Write([]byte{0})
	}
}

func (w *digestWriter) str(s string) {
	w.u64(uint64(len(s)))
	w.h.Write([]byte(s))
}

// newRand returns the PCG generator of one stream for seed.
func newRand(seed int64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), stream))
}

// drawSorted draws k of the values in pool without replacement (a partial
// Fisher–Yates shuffle of pool, which it permutes) and returns them sorted,
// together with the remaining values, also sorted. Both results are fresh.
func drawSorted(r *rand.Rand, pool []int, k int) (chosen, rest []int) {
	n := len(pool)
	for i := 0; i < k; i++ {
		j := i + r.IntN(n-i)
		pool[i], pool[j] = pool[j], pool[i]
	}
	chosen = slices.Clone(pool[:k])
	rest = slices.Clone(pool[k:])
	slices.Sort(chosen)
	slices.Sort(rest)
	return chosen, rest
}

// Subsample returns k of rows drawn without replacement with r, in the order
// they have in rows (rows must be increasing). k = 0 or k = len(rows) keeps
// all rows; k > len(rows) is an error.
func Subsample(rows []int, k int, r *rand.Rand) ([]int, error) {
	if k < 0 || k > len(rows) {
		return nil, fmt.Errorf("cannot draw %d rows from %d", k, len(rows))
	}
	if k == 0 || k == len(rows) {
		return rows, nil
	}
	pos := make([]int, len(rows))
	for i := range pos {
		pos[i] = i
	}
	chosen, _ := drawSorted(r, pos, k)
	out := make([]int, k)
	for i, p := range chosen {
		out[i] = rows[p]
	}
	return out, nil
}

// SplitRows splits rows 0..n-1 into train and test, each in increasing
// order, holding out k = round(frac·n) rows, clamped to [1, n−1] when n ≥ 2,
// drawn with r. Without strata (nil) the k rows are a uniform draw. With
// strata (one value per row) the k test rows are apportioned to the strata
// by largest remainders: stratum c of size n_c gets floor(k·n_c/n) rows, and
// the strata with the largest fractional parts one more each (ties to the
// smaller stratum value) until k are given; this is scikit-learn's
// StratifiedShuffleSplit allocation (_approximate_mode) with deterministic
// tie-breaking. Strata are then drawn in increasing stratum value from the
// same stream.
func SplitRows(n int, strata []int32, frac float64, r *rand.Rand) (train, test []int) {
	k := int(math.Round(frac * float64(n)))
	if n >= 2 {
		k = max(1, min(n-1, k))
	}
	if strata == nil {
		pool := make([]int, n)
		for i := range pool {
			pool[i] = i
		}
		test, train = drawSorted(r, pool, k)
		return train, test
	}
	groups := map[int32][]int{}
	for i, s := range strata[:n] {
		groups[s] = append(groups[s], i)
	}
	keys := make([]int32, 0, len(groups))
	for key := range groups {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	take := make([]int, len(keys))
	rem := make([]int, len(keys)) // k·n_c mod n: the fractional part times n
	given := 0
	for i, key := range keys {
		q := k * len(groups[key])
		take[i], rem[i] = q/n, q%n
		given += take[i]
	}
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return rem[b] - rem[a] })
	for _, i := range order[:k-given] {
		take[i]++
	}
	for i, key := range keys {
		te, tr := drawSorted(r, groups[key], take[i])
		test = append(test, te...)
		train = append(train, tr...)
	}
	slices.Sort(train)
	slices.Sort(test)
	return train, test
}

// eps64 is the float64 machine epsilon, numpy's finfo(float64).eps.
const eps64 = 0x1p-52

// scaler maps x to (x − center)/scale.
type scaler struct{ center, scale float64 }

// fitScaler fits the Spec's scaling to one column's train values (missing
// values already imputed). "standard" is scikit-learn's StandardScaler
// (sklearn/preprocessing/_data.py): center = mean, scale = population
// standard deviation (ddof 0), and scale 1 for a constant column, detected as
// scikit-learn's _is_constant_feature does: var ≤ n·eps·var + (n·mean·eps)².
// "minmax" is MinMaxScaler with feature_range (0, 1): center = min,
// scale = max − min, 1 when that is below 10·eps (_handle_zeros_in_scale).
// "none" is the identity. An empty column gets the identity.
func fitScaler(mode string, vals []float64) scaler {
	if len(vals) == 0 || mode == ScaleNone {
		return scaler{0, 1}
	}
	switch mode {
	case ScaleMinMax:
		lo, hi := vals[0], vals[0]
		for _, v := range vals {
			lo = math.Min(lo, v)
			hi = math.Max(hi, v)
		}
		if hi-lo < 10*eps64 {
			return scaler{lo, 1}
		}
		return scaler{lo, hi - lo}
	default:
		mean := 0.0
		for _, v := range vals {
			mean += v
		}
		mean /= float64(len(vals))
		ss := 0.0
		for _, v := range vals {
			ss += (v - mean) * (v - mean)
		}
		n := float64(len(vals))
		variance := ss / n
		if bound := n*eps64*variance + (n*mean*eps64)*(n*mean*eps64); variance <= bound {
			return scaler{mean, 1}
		}
		return scaler{mean, math.Sqrt(variance)}
	}
}

func (c scaler) apply(x float64) float32 { return float32((x - c.center) / c.scale) }

// splitAndSample turns n rows into train and test row lists: test rows are
// given (fixedTest) or drawn by SplitRows, then both are subsampled.
// It fills the split fields of rep.
func splitAndSample(s *Spec, trainPool, testPool []int, rep *LoadReport) (trainRows, testRows []int, err error) {
	rep.SplitTrain, rep.SplitTest = len(trainPool), len(testPool)
	if len(trainPool) == 0 {
		return nil, nil, errors.New("the train split is empty")
	}
	if len(testPool) == 0 {
		return nil, nil, errors.New("the test split is empty")
	}
	trainRows, err = Subsample(trainPool, s.Train, newRand(s.Seed, streamTrain))
	if err != nil {
		return nil, nil, fmt.Errorf("train = %d: the train split has only %d rows", s.Train, len(trainPool))
	}
	testRows, err = Subsample(testPool, s.Test, newRand(s.Seed, streamTest))
	if err != nil {
		return nil, nil, fmt.Errorf("test = %d: the test split has only %d rows", s.Test, len(testPool))
	}
	return trainRows, testRows, nil
}
