package dataset

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/latentbench/latentbench/sdk"
)

// TestMNISTSynthetic loads a tiny synthetic IDX set and checks every value.
func TestMNISTSynthetic(t *testing.T) {
	dir := t.TempDir()
	m := synthMNIST{nTrain: 30, nTest: 12, h: 3, w: 2}
	m.write(t, dir)
	for _, tc := range []struct {
		name        string
		train, test int
	}{{"all", 0, 0}, {"subsampled", 10, 5}, {"all by count", 30, 12}} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := Load(context.Background(), Spec{Name: "m", Format: "mnist", Path: dir, Train: tc.train, Test: tc.test, Seed: 5}, "/")
			if err != nil {
				t.Fatal(err)
			}
			d := m.h * m.w
			for _, c := range []struct {
				data   Data
				n, off int
			}{{l.Train, max(tc.train, 0), 0}, {l.Test, tc.test, 1000}} {
				wantN := c.n
				if wantN == 0 {
					wantN = map[int]int{0: m.nTrain, 1000: m.nTest}[c.off]
				}
				if c.data.N != wantN || c.data.D != d || len(c.data.X) != wantN*d {
					t.Fatalf("N, D = %d, %d, want %d, %d", c.data.N, c.data.D, wantN, d)
				}
				if !slices.Equal(c.data.Classes, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}) {
					t.Errorf("classes %q", c.data.Classes)
				}
				if want := []sdk.FeatureBlock{{Name: "pixels", Kind: sdk.FeatureUnit, Start: 0, Width: d}}; !slices.Equal(c.data.Features, want) {
					t.Errorf("features %+v", c.data.Features)
				}
				if c.data.Anomaly != nil {
					t.Error("mnist has no ground-truth anomalies")
				}
				// Recover each row's source index from its label and first pixel.
				all := m.images(map[int]int{0: m.nTrain, 1000: m.nTest}[c.off], c.off)
				prev := -1
				for i := 0; i < c.data.N; i++ {
					src := -1
					for k := prev + 1; k*d < len(all); k++ {
						if float32(all[k*d])/255 == c.data.X[i*d] && int32((k+c.off)%10) == c.data.Labels[i] {
							src = k
							break
						}
					}
					if src < 0 {
						t.Fatalf("row %d is no later source row than %d", i, prev)
					}
					for j := 0; j < d; j++ {
						if want := float32(all[src*d+j]) / 255; c.data.X[i*d+j] != want {
							t.Fatalf("row %d pixel %d = %v, want %v", i, j, c.data.X[i*d+j], want)
						}
					}
					prev = src
				}
			}
		})
	}
}

// TestMNISTErrors: bad magic numbers, sizes and labels are reported per file.
func TestMNISTErrors(t *testing.T) {
	m := synthMNIST{nTrain: 4, nTest: 2, h: 2, w: 2}
	tests := []struct {
		name    string
		file    string
		content []byte
		want    string
	}{
		{"images magic", mnistTrainImages, idxBytes(idxLabelsMagic, []int{4}, make([]byte, 4)), "IDX magic number 0x00000801, want 0x00000803"},
		{"labels magic", mnistTestLabels, idxBytes(0x00000d01, []int{2}, make([]byte, 2)), "IDX magic number 0x00000d01, want 0x00000801"},
		{"truncated", mnistTrainImages, idxBytes(idxImagesMagic, []int{4, 2, 2}, make([]byte, 15)), "IDX data has 15 bytes, want 16"},
		{"trailing", mnistTestImages, idxBytes(idxImagesMagic, []int{2, 2, 2}, make([]byte, 9)), "IDX file has bytes after the 8"},
		{"short header", mnistTrainLabels, []byte{0, 0, 8}, "reading the IDX header"},
		{"count mismatch", mnistTrainLabels, idxBytes(idxLabelsMagic, []int{3}, make([]byte, 3)), "has 4 images but"},
		{"label range", mnistTrainLabels, idxBytes(idxLabelsMagic, []int{4}, []byte{1, 2, 10, 3}), "label 10 of item 2 is not a digit"},
		{"image size differs", mnistTestImages, idxBytes(idxImagesMagic, []int{2, 1, 4}, make([]byte, 8)), "train images are 2x2 but test images 1x4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			m.write(t, dir)
			content := tc.content
			if tc.name != "short header" {
				content = gzipBytes(t, content)
			}
			writeFile(t, dir, tc.file, content)
			_, err := Load(context.Background(), Spec{Name: "m", Format: "mnist", Path: dir}, "/")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if tc.name != "image size differs" && !strings.Contains(err.Error(), filepath.Join(dir, tc.file)) &&
				!strings.Contains(err.Error(), filepath.Join(dir, mnistTrainImages)) {
				t.Errorf("error %v does not name the file", err)
			}
		})
	}
	// Uncompressed IDX files are read too.
	dir := t.TempDir()
	m.write(t, dir)
	writeFile(t, dir, mnistTrainLabels, idxBytes(idxLabelsMagic, []int{4}, m.labels(4, 0)))
	if _, err := Load(context.Background(), Spec{Name: "m", Format: "mnist", Path: dir}, "/"); err != nil {
		t.Errorf("plain IDX: %v", err)
	}
	// Asking for more rows than the split has.
	if _, err := Load(context.Background(), Spec{Name: "m", Format: "mnist", Path: dir, Test: 3}, "/"); err == nil ||
		!strings.Contains(err.Error(), "test = 3: the test split has only 2 rows") {
		t.Errorf("test too large: %v", err)
	}
}

// An mnist Spec without path finds data/mnist above the grid file's
// directory, or, for a grid kept outside the repository, above the working
// directory.
func TestDefaultMNISTPath(t *testing.T) {
	repo := t.TempDir()
	if err := os.MkdirAll(filepath.Join(repo, "data", "mnist"), 0o755); err != nil {
		t.Fatal(err)
	}
	synthMNIST{nTrain: 20, nTest: 10, h: 4, w: 4}.write(t, filepath.Join(repo, "data", "mnist"))
	deep := filepath.Join(repo, "configs", "mine")
	elsewhere := t.TempDir()
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	s := Spec{Name: "m", Format: "mnist"}
	if errs := s.Validate(deep); len(errs) > 0 {
		t.Errorf("grid in %s: %v", deep, errs)
	}
	t.Chdir(repo)
	if errs := s.Validate(elsewhere); len(errs) > 0 {
		t.Errorf("grid in %s, run from the repository: %v", elsewhere, errs)
	}
	if _, err := Load(context.Background(), s, elsewhere); err != nil {
		t.Errorf("load: %v", err)
	}
}
