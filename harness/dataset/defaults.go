package dataset

import (
	"os"
	"path/filepath"
	"strings"
)

// Formats, scales and other allowed values of a Spec.
const (
	FormatMNIST = "mnist"
	FormatCSV   = "csv"
	FormatNPZ   = "npz"

	ScaleStandard = "standard"
	ScaleMinMax   = "minmax"
	ScaleNone     = "none"

	// DefaultTestFraction is the share of rows held out when TestFraction is 0.
	DefaultTestFraction = 0.2
	// MissingCategory is the category a missing value of a categorical column becomes.
	MissingCategory = "(missing)"
	// DefaultMNISTDir is where an mnist Spec without Path looks, under the
	// repository root (the nearest directory above the grid holding go.mod).
	DefaultMNISTDir = "data/mnist"
)

// MNIST file names inside a Spec.Path directory.
const (
	mnistTrainImages = "train-images-idx3-ubyte.gz"
	mnistTrainLabels = "train-labels-idx1-ubyte.gz"
	mnistTestImages  = "t10k-images-idx3-ubyte.gz"
	mnistTestLabels  = "t10k-labels-idx1-ubyte.gz"
)

func mnistFiles() []string {
	return []string{mnistTrainImages, mnistTrainLabels, mnistTestImages, mnistTestLabels}
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

// repoRoot is the nearest directory at or above dir that holds a go.mod, or
// dir itself when there is none.
func repoRoot(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	for d := abs; ; {
		if st, err := os.Stat(filepath.Join(d, "go.mod")); err == nil && !st.IsDir() {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}

// sourcePath is the resolved Path; an mnist Spec without Path uses
// defaultMNIST.
func (s *Spec) sourcePath(baseDir string) string {
	if s.Path == "" && s.Format == FormatMNIST {
		return defaultMNIST(baseDir)
	}
	return resolve(baseDir, s.Path)
}

// defaultMNIST is where an mnist Spec without Path looks: DefaultMNISTDir in
// the nearest directory at or above the grid file's that has one, else in
// the nearest at or above the working directory that has one (a grid copied
// out of the repository and run from a clone), else under the grid file's
// repository root (the path `make mnist` fills, named in the error).
func defaultMNIST(baseDir string) string {
	for _, start := range []string{baseDir, "."} {
		if d, ok := ancestorWith(start, DefaultMNISTDir); ok {
			return d
		}
	}
	return filepath.Join(repoRoot(baseDir), DefaultMNISTDir)
}

// ancestorWith returns dir/rel for the nearest directory at or above dir in
// which rel is a directory.
func ancestorWith(dir, rel string) (string, bool) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	for d := abs; ; {
		p := filepath.Join(d, rel)
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p, true
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", false
		}
		d = parent
	}
}

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
		if s.Format == FormatMNIST {
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

// columnNames is Columns, or the preset's list, or nil (names from the header).
func (s *Spec) columnNames() []string {
	if len(s.Columns) > 0 {
		return s.Columns
	}
	if f, ok := columnPresets()[s.ColumnsPreset]; ok {
		return f()
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
