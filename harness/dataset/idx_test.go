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

// TestIDXSynthetic loads a tiny synthetic IDX set and checks every value.
func TestIDXSynthetic(t *testing.T) {
	dir := t.TempDir()
	m := synthIDX{nTrain: 30, nTest: 12, h: 3, w: 2}
	m.write(t, dir)
	for _, tc := range []struct {
		name        string
		train, test int
	}{{"all", 0, 0}, {"subsampled", 10, 5}, {"all by count", 30, 12}} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := Load(context.Background(), Spec{Name: "m", Format: "idx", Path: dir, Train: tc.train, Test: tc.test, Seed: 5}, "/")
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
					t.Error("an idx data set has no ground-truth anomalies")
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

// TestIDXErrors: bad magic numbers, sizes and labels are reported per file.
func TestIDXErrors(t *testing.T) {
	m := synthIDX{nTrain: 4, nTest: 2, h: 2, w: 2}
	tests := []struct {
		name    string
		file    string
		content []byte
		want    string
	}{
		{"images magic", DefaultTrainImages, idxBytes(idxLabelsMagic, []int{4}, make([]byte, 4)), "IDX magic number 0x00000801, want 0x00000803"},
		{"labels magic", DefaultTestLabels, idxBytes(0x00000d01, []int{2}, make([]byte, 2)), "IDX magic number 0x00000d01, want 0x00000801"},
		{"truncated", DefaultTrainImages, idxBytes(idxImagesMagic, []int{4, 2, 2}, make([]byte, 15)), "IDX data has 15 bytes, want 16"},
		{"trailing", DefaultTestImages, idxBytes(idxImagesMagic, []int{2, 2, 2}, make([]byte, 9)), "IDX file has bytes after the 8"},
		{"short header", DefaultTrainLabels, []byte{0, 0, 8}, "reading the IDX header"},
		{"count mismatch", DefaultTrainLabels, idxBytes(idxLabelsMagic, []int{3}, make([]byte, 3)), "has 4 images but"},
		{"label range", DefaultTrainLabels, idxBytes(idxLabelsMagic, []int{4}, []byte{1, 2, 10, 3}), "label 10 of item 2 is not a digit"},
		{"image size differs", DefaultTestImages, idxBytes(idxImagesMagic, []int{2, 1, 4}, make([]byte, 8)), "train images are 2x2 but test images 1x4"},
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
			_, err := Load(context.Background(), Spec{Name: "m", Format: "idx", Path: dir}, "/")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if tc.name != "image size differs" && !strings.Contains(err.Error(), filepath.Join(dir, tc.file)) &&
				!strings.Contains(err.Error(), filepath.Join(dir, DefaultTrainImages)) {
				t.Errorf("error %v does not name the file", err)
			}
		})
	}
	// Uncompressed IDX files are read too.
	dir := t.TempDir()
	m.write(t, dir)
	writeFile(t, dir, DefaultTrainLabels, idxBytes(idxLabelsMagic, []int{4}, m.labels(4, 0)))
	if _, err := Load(context.Background(), Spec{Name: "m", Format: "idx", Path: dir}, "/"); err != nil {
		t.Errorf("plain IDX: %v", err)
	}
	// Asking for more rows than the split has.
	if _, err := Load(context.Background(), Spec{Name: "m", Format: "idx", Path: dir, Test: 3}, "/"); err == nil ||
		!strings.Contains(err.Error(), "test = 3: the test split has only 2 rows") {
		t.Errorf("test too large: %v", err)
	}
}

// An idx Spec needs a path, taken relative to the grid file's directory
// wherever the grid and the working directory are; the four file names can
// be overridden, compressed or not.
func TestIDXPath(t *testing.T) {
	root := t.TempDir()
	images := filepath.Join(root, "data", "images")
	if err := os.MkdirAll(images, 0o755); err != nil {
		t.Fatal(err)
	}
	synthIDX{nTrain: 20, nTest: 10, h: 4, w: 4}.write(t, images)
	grids := filepath.Join(root, "configs", "mine")
	if err := os.MkdirAll(grids, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir()) // the working directory plays no part
	s := Spec{Name: "m", Format: "idx", Path: "../../data/images"}
	if errs := s.Validate(grids); len(errs) > 0 {
		t.Errorf("grid in %s: %v", grids, errs)
	}
	if l, err := Load(context.Background(), s, grids); err != nil || l.Train.N != 20 || l.Test.N != 10 {
		t.Errorf("load: %v", err)
	}
	// The same relative path from a grid elsewhere names nothing.
	if errs := s.Validate(root); len(errs) != 1 || errs[0].Field != "path" || !strings.Contains(errs[0].Msg, "is not a directory") {
		t.Errorf("grid in %s: %v, want a path error", root, errs)
	}
	if errs := (&Spec{Name: "m", Format: "idx"}).Validate(grids); len(errs) != 1 || errs[0].Field != "path" ||
		!strings.HasPrefix(errs[0].Msg, "required: the directory holding train-images-idx3-ubyte.gz") {
		t.Errorf("no path: %v", errs)
	}

	// Other file names, uncompressed, set per key.
	m := synthIDX{nTrain: 6, nTest: 4, h: 2, w: 3}
	other := filepath.Join(root, "other")
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, other, "a-img", idxBytes(idxImagesMagic, []int{m.nTrain, m.h, m.w}, m.images(m.nTrain, 0)))
	writeFile(t, other, "a-lab", idxBytes(idxLabelsMagic, []int{m.nTrain}, m.labels(m.nTrain, 0)))
	writeFile(t, other, "b-img", idxBytes(idxImagesMagic, []int{m.nTest, m.h, m.w}, m.images(m.nTest, 1000)))
	writeFile(t, other, "b-lab", idxBytes(idxLabelsMagic, []int{m.nTest}, m.labels(m.nTest, 1000)))
	o := Spec{Name: "o", Format: "idx", Path: "other", TrainImages: "a-img", TrainLabels: "a-lab", TestImages: "b-img", TestLabels: "b-lab"}
	l, err := Load(context.Background(), o, root)
	if err != nil {
		t.Fatal(err)
	}
	if l.Train.N != 6 || l.Test.N != 4 || l.Train.D != 6 || l.Test.X[0] != float32(m.images(1, 1000)[0])/255 {
		t.Errorf("N %d/%d D %d first test pixel %v", l.Train.N, l.Test.N, l.Train.D, l.Test.X[0])
	}
	if want := filepath.Join(root, "other", "b-lab"); !slices.Contains(l.Report.Files, want) {
		t.Errorf("files %q lack %s", l.Report.Files, want)
	}
	o.TestLabels = "absent"
	if errs := o.Validate(root); len(errs) != 1 || !strings.Contains(errs[0].Msg, "lacks absent: idx needs a-img, a-lab, b-img, absent") {
		t.Errorf("absent file: %v", errs)
	}
	o.TestLabels = "../b-lab"
	if errs := o.Validate(root); len(errs) == 0 || errs[0].Field != "test_labels" || !strings.Contains(errs[0].Msg, "is not a file name") {
		t.Errorf("path as a file name: %v", errs)
	}
}
