package dataset

import (
	"archive/zip"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// FieldError is one problem of a Spec. Field is the TOML key of the offending
// value (e.g. "path"), so that the grid parser can point at its line; Msg says
// what is wrong and what is allowed.
type FieldError struct {
	Field string
	Msg   string
}

// Error formats the error as "field: message".
func (e FieldError) Error() string { return e.Field + ": " + e.Msg }

// Validate checks s without loading its data: required keys, allowed values,
// that the files exist (Path and TestPath relative to baseDir unless
// absolute), sane numbers, and that keys of one format are not used with
// another. For a csv file it reads the header line (only) to check the column
// names that other keys refer to. It returns nil when s is valid.
func (s *Spec) Validate(baseDir string) []FieldError {
	var errs []FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
	}

	if strings.TrimSpace(s.Name) == "" {
		add("name", "required: a label for the data set, unique in the grid")
	}
	switch s.Format {
	case FormatIDX, FormatCSV, FormatNPZ:
	case "":
		add("format", `required: one of "idx", "csv", "npz"`)
	default:
		add("format", `%q is not one of "idx", "csv", "npz"`, s.Format)
	}

	if s.Train < 0 {
		add("train", "%d is negative: the number of train rows to draw, 0 for all", s.Train)
	}
	if s.Test < 0 {
		add("test", "%d is negative: the number of test rows to draw, 0 for all", s.Test)
	}
	switch s.Scale {
	case "", ScaleStandard, ScaleMinMax, ScaleNone:
	default:
		add("scale", `%q is not one of "standard", "minmax", "none"`, s.Scale)
	}
	switch s.Split {
	case "", SplitHoldout:
	case SplitNone:
		switch {
		case s.Format == FormatIDX:
			add("split", `"none" is not used with format = "idx": its test split is its test files`)
		case s.TestPath != "":
			add("split", `"none" is not used with test_path: the test split is that file`)
		case s.TestFraction != 0:
			add("test_fraction", `not used with split = "none": every row is in both splits`)
		case s.Stratify != nil:
			add("stratify", `not used with split = "none": every row is in both splits`)
		}
	default:
		add("split", `%q is not one of "holdout", "none"`, s.Split)
	}
	if s.TestFraction != 0 && !(s.TestFraction > 0 && s.TestFraction < 1) {
		add("test_fraction", "%v is not in (0, 1): the share of rows held out for the test split (default 0.2)", s.TestFraction)
	}

	switch s.Format {
	case FormatIDX:
		s.validateIDX(baseDir, add)
	case FormatNPZ:
		s.validateNPZ(baseDir, add)
	case FormatCSV:
		s.validateCSV(baseDir, add)
	}
	if s.Format != FormatIDX {
		for _, f := range s.idxFiles() {
			if f.set {
				add(f.key, "only used with format = \"idx\", not %q", s.Format)
			}
		}
	}
	return errs
}

// csvOnlyKeys lists the keys that only a csv Spec may set, with whether s sets them.
func (s *Spec) csvOnlyKeys() []struct {
	key string
	set bool
} {
	return []struct {
		key string
		set bool
	}{
		{"test_path", s.TestPath != ""},
		{"separator", s.Separator != ""},
		{"header", s.Header != nil},
		{"skip_lines", s.SkipLines != 0},
		{"test_header", s.TestHeader != nil},
		{"test_skip_lines", s.TestSkipLines != nil},
		{"columns", len(s.Columns) > 0},
		{"label", s.Label != ""},
		{"anomaly_column", s.AnomalyColumn != ""},
		{"normal_values", len(s.NormalValues) > 0},
		{"categorical", len(s.Categorical) > 0},
		{"missing", s.Missing != nil},
	}
}

func (s *Spec) rejectCSVKeys(add func(string, string, ...any)) {
	for _, k := range s.csvOnlyKeys() {
		if k.set {
			add(k.key, "only used with format = \"csv\", not %q", s.Format)
		}
	}
}

func (s *Spec) validateIDX(baseDir string, add func(string, string, ...any)) {
	s.rejectCSVKeys(add)
	if len(s.Drop) > 0 {
		add("drop", `not used with format = "idx": its pixels are kept together as images (the encoders and figures take them so); convert the data to csv or npz to drop columns`)
	}
	if s.DropConstant {
		add("drop_constant", `not used with format = "idx": its pixels are kept together as images (the encoders and figures take them so), even where some are constant`)
	}
	if s.TestFraction != 0 {
		add("test_fraction", "not used with format = \"idx\": its test split is its test files")
	}
	if s.Stratify != nil {
		add("stratify", "not used with format = \"idx\": its test split is its test files")
	}
	if s.Scale != "" && s.Scale != ScaleNone {
		add("scale", `%q not allowed with format = "idx": pixels are divided by 255; use "none" or leave it out`, s.Scale)
	}
	for _, f := range s.idxFiles() {
		if f.set && (filepath.IsAbs(f.name) || f.name != filepath.Base(f.name)) {
			add(f.key, "%q is not a file name: the file inside the path directory", f.name)
		}
	}
	if s.Path == "" {
		add("path", "required: the directory holding %s, relative to the grid file unless absolute", strings.Join(s.idxNames(), ", "))
		return
	}
	dir := s.sourcePath(baseDir)
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		add("path", "%s is not a directory: idx needs a directory holding %s", dir, strings.Join(s.idxNames(), ", "))
		return
	}
	var absent []string
	for _, f := range s.idxNames() {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.IsDir() {
			absent = append(absent, f)
		}
	}
	if len(absent) > 0 {
		add("path", "directory %s lacks %s: idx needs %s", dir, strings.Join(absent, ", "), strings.Join(s.idxNames(), ", "))
	}
}

func (s *Spec) validateNPZ(baseDir string, add func(string, string, ...any)) {
	s.rejectCSVKeys(add)
	if s.Path == "" {
		add("path", "required: the .npz file (members X.npy and y.npy), relative to the grid file unless absolute")
		return
	}
	p := s.sourcePath(baseDir)
	if !isFile(p) {
		add("path", "%s is not a file: npz needs a .npz file with members X.npy and y.npy", p)
		return
	}
	zr, err := zip.OpenReader(p)
	if err != nil {
		add("path", "%s is not a .npz (zip) file: %v", p, err)
		return
	}
	defer zr.Close()
	have := map[string]bool{}
	for _, f := range zr.File {
		have[f.Name] = true
	}
	for _, m := range []string{"X.npy", "y.npy"} {
		if !have[m] {
			add("path", "%s has no member %s: npz needs X.npy (rows x features) and y.npy (1 = anomaly)", p, m)
		}
	}
	if len(s.Drop) > 0 && have["X.npy"] {
		s.validateNPZDrop(p, &zr.Reader, add)
	}
}

// validateNPZDrop checks drop against the columns of X.npy, whose header
// alone is read: names "x0".."x{d-1}", each once, not all of them.
func (s *Spec) validateNPZDrop(p string, zr *zip.Reader, add func(string, string, ...any)) {
	shape, err := npzShape(p, zr)
	if err != nil {
		add("path", "%v", err)
		return
	}
	if len(shape) != 2 {
		return // the loader names the shape's problem
	}
	d := shape[1]
	seen := map[int]bool{}
	for _, name := range s.Drop {
		j, ok := npzColumn(name)
		switch {
		case !ok:
			add("drop", `%q is not an npz column name: npz columns are named "x0".."x%d" (x and the 0-based column index of X)`, name, d-1)
		case j >= d:
			add("drop", "%q is not a column of %s: X.npy has %d columns, x0..x%d", name, p, d, d-1)
		case seen[j]:
			add("drop", "%q is listed twice", name)
		}
		if ok && j < d {
			seen[j] = true
		}
	}
	if d > 0 && len(seen) == d {
		add("drop", "no column is left as an input feature: X.npy has %d columns and drop lists all of them", d)
	}
}

func (s *Spec) validateCSV(baseDir string, add func(string, string, ...any)) {
	sep, sepOK := s.separatorByte()
	if !sepOK {
		add("separator", `%q is not one ASCII character other than a quote or line break: use e.g. ",", ";", "\t", "|" or " "`, s.Separator)
	}
	if s.Path == "" {
		add("path", "required: the CSV file (.csv or .csv.gz), relative to the grid file unless absolute")
	} else if p := s.sourcePath(baseDir); !isFile(p) {
		add("path", "%s is not a file: csv needs a .csv or .csv.gz file", p)
	}
	if s.TestPath != "" {
		if p := resolve(baseDir, s.TestPath); !isFile(p) {
			add("test_path", "%s is not a file: test_path names a .csv or .csv.gz with the layout of path", p)
		}
		if s.TestFraction != 0 {
			add("test_fraction", "not used with test_path: the test split is that file")
		}
		if s.Stratify != nil {
			add("stratify", "not used with test_path: the test split is that file")
		}
	}

	seen := map[string]bool{}
	for _, c := range s.Columns {
		if strings.TrimSpace(c) == "" {
			add("columns", "column names must not be empty")
		} else if seen[c] {
			add("columns", "column %q is named twice", c)
		}
		seen[c] = true
	}
	if s.SkipLines < 0 {
		add("skip_lines", "must be ≥ 0, not %d", s.SkipLines)
	}
	if s.TestSkipLines != nil && *s.TestSkipLines < 0 {
		add("test_skip_lines", "must be ≥ 0, not %d", *s.TestSkipLines)
	}
	if (s.TestHeader != nil || s.TestSkipLines != nil) && s.TestPath == "" {
		add("test_path", "test_header and test_skip_lines need a test_path")
	}
	if !s.header() && s.columnNames() == nil {
		add("header", "header = false needs columns to name the fields")
	}

	// The column names other keys may refer to: given, or read from the header.
	names := s.columnNames()
	if names == nil && s.header() && sepOK && s.Path != "" {
		if p := s.sourcePath(baseDir); isFile(p) {
			h, err := readHeader(p, sep, s.SkipLines)
			if err != nil {
				add("path", "%v", err)
			} else {
				names = h
				dup := map[string]bool{}
				for _, n := range h {
					if dup[n] {
						add("path", "%s: the header names column %q twice", p, n)
					}
					dup[n] = true
				}
			}
		}
	}
	known := map[string]bool{}
	for _, n := range names {
		known[n] = true
	}
	checkName := func(field, col string) bool {
		if names != nil && !known[col] {
			add(field, "column %q is not one of the file's columns: %s", col, abbreviate(names, 60))
			return false
		}
		return true
	}
	if s.Label != "" {
		checkName("label", s.Label)
	}
	if s.AnomalyColumn != "" {
		checkName("anomaly_column", s.AnomalyColumn)
		if s.AnomalyColumn == s.Label {
			add("anomaly_column", "%q is also the label column: give two different columns", s.AnomalyColumn)
		}
		if len(s.NormalValues) == 0 {
			add("normal_values", "required with anomaly_column: the values that mark a normal row (all others are anomalies)")
		}
	} else if len(s.NormalValues) > 0 {
		add("normal_values", "only used with anomaly_column")
	}
	special := map[string]string{s.Label: "label", s.AnomalyColumn: "anomaly_column"}
	delete(special, "")
	dropped := map[string]bool{}
	for _, c := range s.Drop {
		if checkName("drop", c) {
			if k, ok := special[c]; ok {
				add("drop", "column %q is the %s column: it cannot be dropped", c, k)
			}
		}
		dropped[c] = true
	}
	for _, c := range s.Categorical {
		if checkName("categorical", c) {
			if k, ok := special[c]; ok {
				add("categorical", "column %q is the %s column, not an input feature", c, k)
			}
			if dropped[c] {
				add("categorical", "column %q is also in drop", c)
			}
		}
	}
	if names != nil {
		features := 0
		for _, n := range names {
			if !dropped[n] && special[n] == "" {
				features++
			}
		}
		if features == 0 {
			add("drop", "no column is left as an input feature")
		}
	}
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, v := range list {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

// abbreviate lists at most max names, then how many more there are.
func abbreviate(names []string, max int) string {
	if len(names) <= max {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s, ... (%d more)", strings.Join(names[:max], ", "), len(names)-max)
}
