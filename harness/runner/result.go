package runner

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"

	"github.com/latentbench/latentbench/internal/atomicfile"
)

// Cell statuses.
const (
	StatusOK       = "OK"
	StatusError    = "ERROR"
	StatusTimeout  = "TIMEOUT"
	StatusCanceled = "CANCELED"
	// StatusOOM: a plugin process exceeded the grid's memory limit
	// ([experiment] memory); the error names the limit.
	StatusOOM = "OOM"
)

// Result is one line of cells.jsonl: everything one cell produced, with the
// parameters, seed and plugin versions that produced it.
type Result struct {
	Cell            string         `json:"cell"`
	Index           int            `json:"index"`
	Dataset         string         `json:"dataset"`
	Encoder         string         `json:"encoder"`
	EncoderLabel    string         `json:"encoder_label"`
	EncoderVersion  string         `json:"encoder_version"`
	EncoderParams   map[string]any `json:"encoder_params"`
	Detector        string         `json:"detector,omitempty"`
	DetectorLabel   string         `json:"detector_label,omitempty"`
	DetectorVersion string         `json:"detector_version,omitempty"`
	DetectorParams  map[string]any `json:"detector_params,omitempty"`
	Seed            int64          `json:"seed"`
	Status          string         `json:"status"`
	Error           string         `json:"error,omitempty"`
	// Metrics is a flat map: v_kmeans, k_kmeans, v_gmm, k_gmm, em, mv, rmse,
	// auc, ap, misclassified_kmeans, ...
	Metrics map[string]float64 `json:"metrics"`
	// Timings holds the seconds each stage took when it was computed (a
	// cached stage reports its original time): fit, encode, cluster, detect,
	// score, emmv.
	Timings map[string]float64 `json:"timings"`
	// CPU holds, per stage that runs a plugin (fit, encode, detect, score),
	// the CPU seconds (user + system) its plugin process used, and PeakRSS
	// the process's peak resident memory in bytes (host.Meter); a cached
	// stage reports the run that computed it.
	CPU     map[string]float64 `json:"cpu,omitempty"`
	PeakRSS map[string]int64   `json:"peak_rss,omitempty"`
	// Compute holds, per stage computed in this run (not taken from the
	// cache), the seconds the plugin's own code ran, as the plugins report
	// them (both SDKs do; host.Usage.Compute).
	Compute map[string]float64 `json:"compute,omitempty"`
	// Overhead is Wall minus the plugins' compute time (the sum of
	// Compute): what the harness, the process boundary and the transfers
	// cost the cell. Absent when no plugin reported its compute time.
	Overhead float64 `json:"overhead,omitempty"`
	// Cache tells, per stage, whether the result came from the cache.
	Cache map[string]bool `json:"cache"`
	// History is the encoder's per-epoch training record, when it sends one.
	History []map[string]float64 `json:"history,omitempty"`
	// Sweeps holds V-measure per k for each clustering method.
	Sweeps map[string][]KV `json:"sweeps,omitempty"`
	// Classes holds the per-class shares behind the RMSE (Fig. 4).
	Classes *ClassShares `json:"classes,omitempty"`
	// Data says what the cell's data set held after loading: split sizes,
	// feature count, and the missing values and dropped rows the loader
	// counted.
	Data *DataInfo `json:"data,omitempty"`
	// Wall is the cell's wall time in this run, in seconds.
	Wall float64 `json:"wall"`
	// Notes says what was left out of the result and why (a metric that
	// came out NaN or infinite, which JSON cannot hold).
	Notes []string `json:"notes,omitempty"`
}

// DataInfo summarises a loaded data set.
type DataInfo struct {
	Train    int            `json:"train"`
	Test     int            `json:"test"`
	Features int            `json:"features"`
	Classes  int            `json:"classes,omitempty"`
	Digest   string         `json:"digest"`
	Missing  map[string]int `json:"missing,omitempty"`
	Dropped  int            `json:"dropped,omitempty"`
}

// KV is one point of a V-measure sweep.
type KV struct {
	K int     `json:"k"`
	V float64 `json:"v"`
	H float64 `json:"h"`
	C float64 `json:"c"`
}

// ClassShares is the share of each class among all evaluated points and
// among the flagged anomalies.
type ClassShares struct {
	Names   []string  `json:"names"`
	All     []float64 `json:"all"`
	Flagged []float64 `json:"flagged"`
}

// WriteJSONL writes results sorted by cell index to path atomically.
func WriteJSONL(path string, results []Result) error {
	sorted := append([]Result(nil), results...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Index < sorted[j].Index })
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for i := range sorted {
		if err := enc.Encode(&sorted[i]); err != nil {
			return fmt.Errorf("encode cell %s: %w", sorted[i].Cell, err)
		}
	}
	return WriteFileAtomic(path, buf.Bytes())
}

// ReadJSONL reads a cells.jsonl file.
func ReadJSONL(path string) ([]Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Result
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var r Result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return out, nil
}

// WriteFileAtomic writes data to a temporary file beside path, syncs it and
// renames it over path, so readers see the old or the new file, never half;
// the file gets 0666 less the umask.
func WriteFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(path, data)
}

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Sanitize makes r encodable as JSON. A non-finite metric (EM/MV of a
// zero-volume latent box, say) or timing is left out with a note, as are
// non-finite sweep points, training-history values and class shares; the
// cell keeps its status. If r still cannot be encoded, the cell fails with
// the reason and keeps only what identifies it: one unsavable result never
// stops the others from being saved.
func (r *Result) Sanitize() {
	var notes []string
	note := func(format string, args ...any) { notes = append(notes, fmt.Sprintf(format, args...)) }
	for k, v := range r.Metrics {
		if !finite(v) {
			delete(r.Metrics, k)
			note("metric %s is %v: not stored", k, v)
		}
	}
	for k, v := range r.Timings {
		if !finite(v) {
			delete(r.Timings, k)
			note("timing %s is %v: not stored", k, v)
		}
	}
	for m, sweep := range r.Sweeps {
		kept := sweep[:0]
		for _, p := range sweep {
			if finite(p.V) && finite(p.H) && finite(p.C) {
				kept = append(kept, p)
			} else {
				note("%s sweep at k = %d is not finite: not stored", m, p.K)
			}
		}
		r.Sweeps[m] = kept
	}
	for i, h := range r.History {
		for k, v := range h {
			if !finite(v) {
				delete(h, k)
				note("training history epoch %d: %s is %v: not stored", i+1, k, v)
			}
		}
	}
	if c := r.Classes; c != nil {
		for _, v := range append(append([]float64(nil), c.All...), c.Flagged...) {
			if !finite(v) {
				r.Classes = nil
				note("class shares are not finite: not stored")
				break
			}
		}
	}
	sort.Strings(notes)
	r.Notes = append(r.Notes, notes...)
	if _, err := json.Marshal(r); err != nil {
		*r = Result{Cell: r.Cell, Index: r.Index, Dataset: r.Dataset, Encoder: r.Encoder, EncoderLabel: r.EncoderLabel,
			EncoderVersion: r.EncoderVersion, Detector: r.Detector, DetectorLabel: r.DetectorLabel,
			DetectorVersion: r.DetectorVersion, Seed: r.Seed, Status: StatusError,
			Error: fmt.Sprintf("result cannot be saved: %v", err), Metrics: map[string]float64{}, Wall: r.Wall}
	}
}
