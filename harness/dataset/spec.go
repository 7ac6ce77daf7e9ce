// Package dataset loads the data sets a grid names (IDX image files, CSV with
// numeric and categorical columns, ADBench .npz), splits and subsamples them
// deterministically, and digests them for the cache.
package dataset

// Spec is one [[dataset]] table of a grid file. The field comments are the
// user documentation of each key.
type Spec struct {
	// Name labels the data set in cells and tables; required, unique in a grid.
	Name string `toml:"name" json:"name"`
	// Format is "idx" (a directory holding train and test images and labels
	// as IDX files), "csv" or "npz".
	Format string `toml:"format" json:"format"`
	// Path is the file (csv, npz) or directory (idx); required, relative to
	// the grid file's directory unless absolute.
	Path string `toml:"path" json:"path,omitempty"`
	// TestPath optionally names a separate test file (csv). Without it the test
	// split is drawn from Path (idx always uses its own test files).
	TestPath string `toml:"test_path" json:"test_path,omitempty"`

	// IDX layout: the names of the four files inside the Path directory,
	// gzip-compressed or not (default "train-images-idx3-ubyte.gz",
	// "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
	// "t10k-labels-idx1-ubyte.gz"). Images are unsigned bytes of 3
	// dimensions (count, rows, columns); labels unsigned bytes 0-9.
	TrainImages string `toml:"train_images" json:"train_images,omitempty"`
	TrainLabels string `toml:"train_labels" json:"train_labels,omitempty"`
	TestImages  string `toml:"test_images" json:"test_images,omitempty"`
	TestLabels  string `toml:"test_labels" json:"test_labels,omitempty"`

	// CSV layout.
	// Separator is the field separator (default ","); "\t" for tabs (a TOML
	// literal '\t' is accepted too). One ASCII character, not a quote. Fields
	// may be double-quoted (RFC 4180); unquoted fields are trimmed of spaces.
	// A file starting with the gzip magic bytes (.csv.gz) is decompressed.
	Separator string `toml:"separator" json:"separator,omitempty"`
	// Header says whether the first line (after skip_lines) names the columns
	// (default true).
	Header *bool `toml:"header" json:"header,omitempty"`
	// SkipLines is the number of lines skipped at the start of each file before
	// the header or the first row (default 0), e.g. a title or a junk line.
	SkipLines int `toml:"skip_lines" json:"skip_lines,omitempty"`
	// TestHeader and TestSkipLines override header and skip_lines for
	// test_path only, for a test file laid out unlike path (UCI Adult's
	// adult.test starts with a junk line that adult.data lacks).
	TestHeader    *bool `toml:"test_header" json:"test_header,omitempty"`
	TestSkipLines *int  `toml:"test_skip_lines" json:"test_skip_lines,omitempty"`
	// Columns names the columns of a file without header. With header = true
	// it replaces the names of the first line, which is then skipped (for
	// scikit-learn's CSVs, whose first line is a row count, not names).
	Columns []string `toml:"columns" json:"columns,omitempty"`
	// Label is the column holding the class label to condition on and to
	// score V-measure against (csv). It is not an input feature.
	Label string `toml:"label" json:"label,omitempty"`
	// AnomalyColumn and NormalValues give ground-truth anomalies (csv): a row is an
	// anomaly when its AnomalyColumn value is not one of NormalValues. The column
	// is not an input feature. npz files carry ground truth in y.
	AnomalyColumn string   `toml:"anomaly_column" json:"anomaly_column,omitempty"`
	NormalValues  []string `toml:"normal_values" json:"normal_values,omitempty"`
	// Categorical forces columns to be one-hot encoded (columns that do not
	// parse as numbers always are).
	Categorical []string `toml:"categorical" json:"categorical,omitempty"`
	// Drop lists columns to leave out of the features: csv columns by name;
	// npz columns as "x0".."x{d-1}", the names the loader gives the columns
	// of X (0-based column index after "x"), which the data summary and
	// errors use too. Not for idx (its pixels are an image). The kept columns
	// keep their names ("x0", "x2", ...).
	Drop []string `toml:"drop" json:"drop,omitempty"`
	// DropConstant leaves out every feature column that is constant over
	// the rows its scaling is fitted on (the train split; every row with
	// split = "none"), as ADBench's preprocessing does (default false): a
	// numeric column with one value (after imputing missing values), a
	// categorical column with one category (csv). csv and npz; the dropped
	// columns are listed in LoadReport.DroppedColumns.
	DropConstant bool `toml:"drop_constant" json:"drop_constant,omitempty"`
	// Missing lists the strings that mean a missing value (default "", "NA",
	// "?", "NaN"; "unknown" is NOT included: some data sets use it as a category).
	// Values are compared after surrounding spaces are trimmed. A missing value
	// in a numeric column is imputed with the train split's mean; in a
	// categorical column it becomes the category "(missing)"; a missing label or
	// anomaly_column value drops the row. `missing = []` declares no missing values.
	Missing []string `toml:"missing" json:"missing,omitempty"`

	// Splitting and subsampling.
	// Split is "holdout" (the default: a test split held out from Path, or
	// TestPath) or "none": every row is in both splits, so scaling is fitted
	// on all rows and detectors fit and score every row (the protocol of
	// ADBench and of Goix's EM/MV experiments). "none" is for csv without
	// test_path and for npz; idx has its own test files.
	Split string `toml:"split" json:"split,omitempty"`
	// Train and Test are the numbers of rows drawn (without replacement) from the
	// train and test splits; 0 keeps every row.
	Train int `toml:"train" json:"train,omitempty"`
	Test  int `toml:"test" json:"test,omitempty"`
	// TestFraction is the share of rows held out for the test split when there
	// is no separate test set (default 0.2): round(test_fraction·rows) rows,
	// at least 1 and at most rows−1.
	TestFraction float64 `toml:"test_fraction" json:"test_fraction,omitempty"`
	// Stratify says whether that split keeps the class proportions (default
	// true): rows are grouped by label (csv Label, npz y), or by the anomaly
	// flag when a csv has AnomalyColumn but no Label, and each group is split
	// with the same fraction. Without a label or anomaly column the split is a
	// plain seeded shuffle.
	Stratify *bool `toml:"stratify" json:"stratify,omitempty"`
	// Seed drives the split and the subsamples. It is fixed per data set, not per
	// cell, so that every cell of a grid sees the same rows.
	Seed int64 `toml:"seed" json:"seed"`
	// Scale is "standard" (zero mean, unit variance per numeric column, with the
	// train split's statistics; the default for csv and npz), "minmax" or "none".
	// IDX pixels are always divided by 255 and then left alone.
	Scale string `toml:"scale" json:"scale,omitempty"`
}
