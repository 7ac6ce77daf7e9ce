package dataset

import (
	"path/filepath"
	"strings"
)

// Formats, scales and other allowed values of a Spec.
const (
	FormatIDX = "idx"
	FormatCSV = "csv"
	FormatNPZ = "npz"

	ScaleStandard = "standard"
	ScaleMinMax   = "minmax"
	ScaleNone     = "none"

	// DefaultTestFraction is the share of rows held out when TestFraction is 0.
	DefaultTestFraction = 0.2
	// MissingCategory is the category a missing value of a categorical column becomes.
	MissingCategory = "(missing)"
)

// The conventional names of the four files of an idx data set (LeCun's
// distribution of handwritten digits and the sets laid out like it), which
// the keys train_images, train_labels, test_images and test_labels override.
const (
	DefaultTrainImages = "train-images-idx3-ubyte.gz"
	DefaultTrainLabels = "train-labels-idx1-ubyte.gz"
	DefaultTestImages  = "t10k-images-idx3-ubyte.gz"
	DefaultTestLabels  = "t10k-labels-idx1-ubyte.gz"
)

// idxFile is one of the four files of an idx Spec: its TOML key, its name
// inside the Path directory, and whether the Spec sets the key.
type idxFile struct {
	key, name string
	set       bool
}

// idxFiles returns the four files of an idx Spec in the order train images,
// train labels, test images, test labels, with the defaults filled in.
func (s *Spec) idxFiles() []idxFile {
	file := func(key, v, def string) idxFile {
		if v == "" {
			return idxFile{key, def, false}
		}
		return idxFile{key, v, true}
	}
	return []idxFile{
		file("train_images", s.TrainImages, DefaultTrainImages),
		file("train_labels", s.TrainLabels, DefaultTrainLabels),
		file("test_images", s.TestImages, DefaultTestImages),
		file("test_labels", s.TestLabels, DefaultTestLabels),
	}
}

// idxNames returns the names of idxFiles.
func (s *Spec) idxNames() []string {
	var out []string
	for _, f := range s.idxFiles() {
		out = append(out, f.name)
	}
	return out
}

// DefaultMissing returns the strings that mean a missing value when
// Spec.Missing is nil.
func DefaultMissing() []string { return []string{"", "NA", "?", "NaN"} }

// resolve makes p absolute against baseDir unless it already is.
func resolve(baseDir, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(baseDir, p)
}

// sourcePath is Path resolved against baseDir (the grid file's directory).
func (s *Spec) sourcePath(baseDir string) string { return resolve(baseDir, s.Path) }

// Values of Spec.Split.
const (
	SplitHoldout = "holdout"
	SplitNone    = "none"
)

// allRows reports whether every row is in both splits (Split = "none").
func (s *Spec) allRows() bool { return s.Split == SplitNone }

func (s *Spec) testFraction() float64 {
	if s.TestFraction == 0 {
		return DefaultTestFraction
	}
	return s.TestFraction
}

func (s *Spec) scale() string {
	if s.Scale == "" {
		if s.Format == FormatIDX {
			return ScaleNone
		}
		return ScaleStandard
	}
	return s.Scale
}

func (s *Spec) header() bool { return s.Header == nil || *s.Header }

// fileLayout returns whether a file has a header and how many lines precede
// it: test_header and test_skip_lines override the shared keys for test_path.
func (s *Spec) fileLayout(test bool) (header bool, skip int) {
	header, skip = s.header(), s.SkipLines
	if test && s.TestHeader != nil {
		header = *s.TestHeader
	}
	if test && s.TestSkipLines != nil {
		skip = *s.TestSkipLines
	}
	return header, skip
}

func (s *Spec) stratify() bool { return s.Stratify == nil || *s.Stratify }

// separatorByte interprets Separator: "" is ',', a literal backslash-t (as a
// TOML literal string '\t' gives) is a tab. ok is false unless the result is
// one ASCII character other than a quote or a line break.
func (s *Spec) separatorByte() (sep byte, ok bool) {
	switch s.Separator {
	case "":
		return ',', true
	case `\t`:
		return '\t', true
	}
	if len(s.Separator) != 1 {
		return 0, false
	}
	c := s.Separator[0]
	if c >= 0x80 || c == '"' || c == '\n' || c == '\r' {
		return 0, false
	}
	return c, true
}

// columnNames is Columns, or nil (names from the header).
func (s *Spec) columnNames() []string {
	if len(s.Columns) > 0 {
		return s.Columns
	}
	return nil
}

func (s *Spec) missingSet() map[string]bool {
	list := s.Missing
	if list == nil {
		list = DefaultMissing()
	}
	m := make(map[string]bool, len(list))
	for _, v := range list {
		m[strings.TrimSpace(v)] = true
	}
	return m
}
