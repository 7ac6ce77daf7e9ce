package dataset

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/latentbench/latentbench/sdk"
)

// CSV encoding (format = "csv"):
//
//   - A column is numeric when every value of Path that is not missing parses
//     as a float (strconv.ParseFloat) and the column is not listed in
//     Categorical; otherwise it is categorical. The label and anomaly columns
//     are neither: they are not input features. In a numeric column, a value
//     of ±Inf or NaN (in either file) that is not listed as missing, and a
//     TestPath value that does not parse, are errors naming file, line and
//     column.
//   - Numeric: missing values are imputed with the mean of the train split's
//     non-missing values (0 if it has none), then the column is scaled with
//     statistics of the imputed train split (Spec.Scale; fitScaler). This is
//     scikit-learn's Pipeline(SimpleImputer(strategy="mean"), StandardScaler())
//     or MinMaxScaler(). One FeatureBlock of kind numeric, width 1, per column.
//   - Categorical: a missing value becomes the category "(missing)"; the
//     categories are the distinct values of the train split sorted by byte
//     order (as scikit-learn's OneHotEncoder(categories="auto") sorts them),
//     one-hot encoded as one FeatureBlock of kind categorical; a test value
//     the train split never showed is encoded as all zeros (OneHotEncoder's
//     handle_unknown="ignore") and counted in LoadReport.UnseenByColumn.
//     Output column names are "column=category".
//   - Output columns follow the file's column order.
//   - Label: rows with a missing label are dropped; Classes are the distinct
//     labels of the kept rows of both files, sorted numerically when all
//     parse as numbers, else by byte order.
//   - AnomalyColumn: a row is an anomaly when its value is not in
//     NormalValues; rows with a missing value there are dropped.

// strDict interns the distinct strings of one column: a value's code is the
// order of its first appearance.
type strDict struct {
	index  map[string]uint32
	values []string
}

func (d *strDict) code(b []byte) uint32 {
	if c, ok := d.index[string(b)]; ok {
		return c
	}
	s := string(b)
	c := uint32(len(d.values))
	d.values = append(d.values, s)
	d.index[s] = c
	return c
}

type colRole int

const (
	roleFeature colRole = iota
	roleLabel
	roleAnomaly
)

// csvColumn is one kept (not dropped) column of the table.
type csvColumn struct {
	name      string
	field     int // index of the field in a record
	role      colRole
	dict      *strDict
	firstSize int      // len(dict.values) after Path was read: codes below come from Path
	codes     []uint32 // the code of each row's value

	missing   []bool    // per code
	num       []float64 // per code, when parsed
	numOK     []bool    // per code: a finite number
	nonFinite []bool    // per code: parses as ±Inf or NaN
	numeric   bool
}

// csvTable holds the interned cells of the kept columns of Path (rows
// [0, firstRows)) and TestPath (the rest), column by column.
type csvTable struct {
	names     []string // all fields of a record
	cols      []*csvColumn
	lines     []int32 // 1-based line of each row in its file
	firstRows int
	paths     [2]string // Path, and TestPath (or Path again)
}

func (t *csvTable) rows() int { return len(t.lines) }

func (t *csvTable) code(row, col int) uint32 { return t.cols[col].codes[row] }

// readCSVFile appends the records of one file to t; the first call sets up
// the columns.
func readCSVFile(ctx context.Context, s *Spec, path string, test bool, t *csvTable, rep *LoadReport) error {
	sep, _ := s.separatorByte()
	data, err := readData(path)
	if err != nil {
		return err
	}
	rep.Files = append(rep.Files, path)
	rr := newRecordReader(path, data, sep)
	header, skip := s.fileLayout(test)
	rr.skipLines(skip)
	names := s.columnNames()
	if header {
		rec, _, err := rr.next()
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("%s: the file is empty (no header line)", path)
		}
		if err != nil {
			return err
		}
		if names == nil {
			names = make([]string, len(rec))
			for i, f := range rec {
				names[i] = string(f)
			}
			if t.names != nil && !slices.Equal(names, t.names) {
				return fmt.Errorf("%s: the header (%s) differs from that of %s (%s)",
					path, abbreviate(names, 20), rep.Files[0], abbreviate(t.names, 20))
			}
		}
	}
	if t.names == nil {
		t.names = names
		drop := map[string]bool{}
		for _, d := range s.Drop {
			drop[d] = true
		}
		for i, n := range names {
			if drop[n] {
				rep.DroppedColumns = append(rep.DroppedColumns, DroppedColumn{Name: n, Why: WhyDrop})
				continue
			}
			c := &csvColumn{name: n, field: i, dict: &strDict{index: map[string]uint32{}}}
			switch n {
			case s.Label:
				c.role = roleLabel
			case s.AnomalyColumn:
				c.role = roleAnomaly
			}
			t.cols = append(t.cols, c)
		}
	}
	nf := len(t.names)
	for n := 0; ; n++ {
		if n&0xffff == 0xffff {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rec, line, err := rr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if len(rec) != nf {
			return &ParseError{File: path, Line: line, Column: 1,
				Msg: fmt.Sprintf("%d fields, want %d (separator %q)", len(rec), nf, string(sep))}
		}
		for _, c := range t.cols {
			c.codes = append(c.codes, c.dict.code(rec[c.field]))
		}
		t.lines = append(t.lines, int32(line))
	}
	return nil
}

func loadCSV(ctx context.Context, s Spec, baseDir string) (*Loaded, error) {
	rep := LoadReport{MissingByColumn: map[string]int{}, UnseenByColumn: map[string]int{}}
	t := &csvTable{}
	path := s.sourcePath(baseDir)
	if err := readCSVFile(ctx, &s, path, false, t, &rep); err != nil {
		return nil, &KeyError{Key: "path", Err: err}
	}
	t.firstRows = t.rows()
	for _, c := range t.cols {
		c.firstSize = len(c.dict.values)
	}
	t.paths = [2]string{path, path}
	if s.TestPath != "" {
		t.paths[1] = resolve(baseDir, s.TestPath)
		if err := readCSVFile(ctx, &s, t.paths[1], true, t, &rep); err != nil {
			return nil, &KeyError{Key: "test_path", Err: err}
		}
	}
	rep.Rows = t.rows()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	labelCol, anomalyCol := t.classifyColumns(&s)
	if err := t.checkNumbers(s.TestPath != ""); err != nil {
		return nil, err
	}
	keep := t.dropMissing(&rep)

	// Labels and anomalies per table row.
	var (
		classes   []string
		classOf   []int32 // per label code
		isAnomaly []bool  // per anomaly code
	)
	if labelCol >= 0 {
		classes, classOf = csvClasses(t, labelCol, keep)
	}
	if anomalyCol >= 0 {
		isAnomaly = anomalyCodes(t.cols[anomalyCol], s.NormalValues)
	}
	trainPool, testPool := t.splitPools(&s, keep, labelCol, anomalyCol, classOf, isAnomaly, &rep)
	rep.Warnings = t.warnings(&s, labelCol, anomalyCol, trainPool, testPool)
	catWarnings, catNotes := t.categoryFindings(&s, trainPool, testPool)
	rep.Warnings = append(rep.Warnings, catWarnings...)
	rep.Notes = append(rep.Notes, catNotes...)
	trainRows, testRows, err := splitAndSample(&s, trainPool, testPool, &rep)
	if err != nil {
		return nil, err
	}

	// Fit the encoding on the whole train split.
	enc, err := fitCSVEncoding(&s, t, trainPool, &rep)
	if err != nil {
		return nil, err
	}
	l := &Loaded{Report: rep}
	l.Train = enc.encode(t, trainRows, labelCol, anomalyCol, classes, classOf, isAnomaly, nil)
	l.Test = enc.encode(t, testRows, labelCol, anomalyCol, classes, classOf, isAnomaly, l.Report.UnseenByColumn)
	return l, nil
}

// classifyColumns decides, per distinct value, whether it is missing and
// whether it is a number, and per feature column whether it is numeric: every
// value of Path that is not missing parses as a number, and the column is not
// forced categorical. A value that parses as ±Inf or NaN counts as a number
// here so that checkNumbers can refuse it. It returns the indices of the
// label and anomaly columns (-1 when absent).
func (t *csvTable) classifyColumns(s *Spec) (labelCol, anomalyCol int) {
	missing := s.missingSet()
	forced := map[string]bool{}
	for _, c := range s.Categorical {
		forced[c] = true
	}
	labelCol, anomalyCol = -1, -1
	for ci, c := range t.cols {
		n := len(c.dict.values)
		c.missing = make([]bool, n)
		c.num = make([]float64, n)
		c.numOK = make([]bool, n)
		c.nonFinite = make([]bool, n)
		for code, v := range c.dict.values {
			c.missing[code] = missing[v]
			if x, err := strconv.ParseFloat(v, 64); err == nil {
				if math.IsInf(x, 0) || math.IsNaN(x) {
					c.nonFinite[code] = true
				} else {
					c.num[code], c.numOK[code] = x, true
				}
			}
		}
		switch c.role {
		case roleLabel:
			labelCol = ci
		case roleAnomaly:
			anomalyCol = ci
		default:
			c.numeric = !forced[c.name]
			for code := 0; code < c.firstSize && c.numeric; code++ {
				if !c.missing[code] && !c.numOK[code] && !c.nonFinite[code] {
					c.numeric = false
				}
			}
		}
	}
	return labelCol, anomalyCol
}

// checkNumbers refuses, in a numeric column, a value that is ±Inf or NaN (in
// either file) and a TestPath value that is not a number, naming the file,
// line and column of its first row.
func (t *csvTable) checkNumbers(hasTest bool) error {
	for ci, c := range t.cols {
		if !c.numeric {
			continue
		}
		for code := range c.dict.values {
			bad := c.nonFinite[code] && !c.missing[code]
			notNum := code >= c.firstSize && !c.missing[code] && !c.numOK[code] && !c.nonFinite[code]
			if !bad && !notNum {
				continue
			}
			for r := 0; r < t.rows(); r++ {
				if t.code(r, ci) != uint32(code) {
					continue
				}
				file := t.paths[0]
				if r >= t.firstRows {
					file = t.paths[1]
				}
				if bad {
					return fmt.Errorf("%s:%d: column %q (field %d): %q is not a finite number (list it in missing, or make the column categorical)",
						file, t.lines[r], c.name, c.field+1, c.dict.values[code])
				}
				return fmt.Errorf("%s:%d: column %q (field %d): %q is not a number, but the column is numeric in %s",
					file, t.lines[r], c.name, c.field+1, c.dict.values[code], t.paths[0])
			}
		}
	}
	return nil
}

// dropMissing counts the missing values per column and returns the rows kept:
// a row missing its label or anomaly value is dropped (a missing feature is
// imputed later).
func (t *csvTable) dropMissing(rep *LoadReport) []int {
	dropRow := make([]bool, t.rows())
	for _, c := range t.cols {
		n := 0
		for r, code := range c.codes {
			if c.missing[code] {
				n++
				if c.role != roleFeature {
					dropRow[r] = true
				}
			}
		}
		if n > 0 {
			rep.MissingByColumn[c.name] = n
		}
	}
	keep := make([]int, 0, t.rows())
	for r, d := range dropRow {
		if d {
			rep.Dropped++
		} else {
			keep = append(keep, r)
		}
	}
	return keep
}

// anomalyCodes tells, per value of the anomaly column, whether it marks an
// anomaly: every value not among normal.
func anomalyCodes(c *csvColumn, normal []string) []bool {
	isNormal := map[string]bool{}
	for _, v := range normal {
		isNormal[v] = true
	}
	isAnomaly := make([]bool, len(c.dict.values))
	for code, v := range c.dict.values {
		isAnomaly[code] = !isNormal[v]
	}
	return isAnomaly
}

// splitPools divides the kept rows into the train and test pools: by file
// when there is a TestPath, every row in both with Split "none", else by a
// seeded (stratified) split.
func (t *csvTable) splitPools(s *Spec, keep []int, labelCol, anomalyCol int, classOf []int32, isAnomaly []bool,
	rep *LoadReport) (trainPool, testPool []int) {
	if s.TestPath != "" {
		for _, r := range keep {
			if r < t.firstRows {
				trainPool = append(trainPool, r)
			} else {
				testPool = append(testPool, r)
			}
		}
		return trainPool, testPool
	}
	if s.allRows() {
		return keep, keep
	}
	var strata []int32
	if s.stratify() && (labelCol >= 0 || anomalyCol >= 0) {
		strata = make([]int32, len(keep))
		for i, r := range keep {
			if labelCol >= 0 {
				strata[i] = classOf[t.code(r, labelCol)]
			} else if isAnomaly[t.code(r, anomalyCol)] {
				strata[i] = 1
			}
		}
		rep.StratifiedBy = "anomaly"
		if labelCol >= 0 {
			rep.StratifiedBy = "label"
		}
	}
	tr, te := SplitRows(len(keep), strata, s.testFraction(), newRand(s.Seed, streamSplit))
	trainPool, testPool = make([]int, len(tr)), make([]int, len(te))
	for i, p := range tr {
		trainPool[i] = keep[p]
	}
	for i, p := range te {
		testPool[i] = keep[p]
	}
	return trainPool, testPool
}

// csvClasses returns the sorted class names of the label column over rows and
// the class index of each label code (-1 for codes not among rows).
func csvClasses(t *csvTable, labelCol int, rows []int) ([]string, []int32) {
	c := t.cols[labelCol]
	used := make([]bool, len(c.dict.values))
	for _, r := range rows {
		used[t.code(r, labelCol)] = true
	}
	var codes []int
	allNum := true
	for code, u := range used {
		if u {
			codes = append(codes, code)
			allNum = allNum && c.numOK[code]
		}
	}
	slices.SortFunc(codes, func(a, b int) int {
		if allNum {
			if c.num[a] < c.num[b] {
				return -1
			}
			if c.num[a] > c.num[b] {
				return 1
			}
		}
		if c.dict.values[a] < c.dict.values[b] {
			return -1
		}
		if c.dict.values[a] > c.dict.values[b] {
			return 1
		}
		return 0
	})
	classOf := make([]int32, len(c.dict.values))
	for i := range classOf {
		classOf[i] = -1
	}
	classes := make([]string, len(codes))
	for i, code := range codes {
		classes[i] = c.dict.values[code]
		classOf[code] = int32(i)
	}
	return classes, classOf
}

// csvEncoding is the fitted encoding of the feature columns.
type csvEncoding struct {
	cols     []csvEncCol
	d        int
	features []sdk.FeatureBlock
	columns  []string
}

type csvEncCol struct {
	col     int // index into csvTable.cols
	name    string
	numeric bool
	start   int
	// numeric
	impute float64
	sc     scaler
	// categorical: one-hot position per code, -1 when unseen in train
	catOf []int32
}

// fitCSVEncoding fits the encoding of the feature columns on trainPool:
// each numeric column's imputation and scaling, each categorical column's
// categories. With Spec.DropConstant it leaves out the columns constant over
// trainPool (a numeric column whose imputed values have maximum = minimum,
// scikit-learn's VarianceThreshold(0); a categorical column with one
// category). It lists the encoded and dropped columns in rep and fails when
// no feature is left.
func fitCSVEncoding(s *Spec, t *csvTable, trainPool []int, rep *LoadReport) (*csvEncoding, error) {
	enc := &csvEncoding{}
	vals := make([]float64, 0, len(trainPool))
	for ci, c := range t.cols {
		if c.role != roleFeature {
			continue
		}
		ec := csvEncCol{col: ci, name: c.name, numeric: c.numeric, start: enc.d}
		if c.numeric {
			vals = fitNumeric(&ec, c, trainPool, vals[:0])
			if s.DropConstant && slices.Min(vals) == slices.Max(vals) {
				rep.DroppedColumns = append(rep.DroppedColumns, DroppedColumn{Name: c.name, Why: WhyConstant,
					Value: strconv.FormatFloat(vals[0], 'g', -1, 64)})
				continue
			}
			ec.sc = fitScaler(s.scale(), vals)
			enc.features = append(enc.features, sdk.FeatureBlock{Name: c.name, Kind: sdk.FeatureNumeric, Start: enc.d, Width: 1})
			enc.columns = append(enc.columns, c.name)
			enc.d++
			rep.Numeric = append(rep.Numeric, c.name)
		} else {
			cats := fitCategories(&ec, c, trainPool)
			if s.DropConstant && len(cats) == 1 {
				rep.DroppedColumns = append(rep.DroppedColumns, DroppedColumn{Name: c.name, Why: WhyConstant, Value: cats[0]})
				continue
			}
			enc.features = append(enc.features, sdk.FeatureBlock{Name: c.name, Kind: sdk.FeatureCategorical, Start: enc.d, Width: len(cats)})
			for _, v := range cats {
				enc.columns = append(enc.columns, c.name+"="+v)
			}
			enc.d += len(cats)
			rep.Categorical = append(rep.Categorical, c.name)
		}
		enc.cols = append(enc.cols, ec)
	}
	field := make(map[string]int, len(t.names))
	for i, n := range t.names {
		field[n] = i
	}
	slices.SortStableFunc(rep.DroppedColumns, func(a, b DroppedColumn) int { return field[a.Name] - field[b.Name] })
	if enc.d == 0 {
		return nil, fmt.Errorf("no column of %s is left as an input feature: %s", t.paths[0], droppedSummary(rep.DroppedColumns))
	}
	return enc, nil
}

// fitNumeric sets ec's imputed value, the mean of c's non-missing values
// over trainPool (0 without any), and returns those values with missing ones
// imputed, appended to vals.
func fitNumeric(ec *csvEncCol, c *csvColumn, trainPool []int, vals []float64) []float64 {
	sum, n := 0.0, 0
	for _, r := range trainPool {
		if code := c.codes[r]; !c.missing[code] {
			sum += c.num[code]
			n++
		}
	}
	if n > 0 {
		ec.impute = sum / float64(n)
	}
	for _, r := range trainPool {
		if code := c.codes[r]; c.missing[code] {
			vals = append(vals, ec.impute)
		} else {
			vals = append(vals, c.num[code])
		}
	}
	return vals
}

// fitCategories sets ec's one-hot position per code of c and returns the
// categories of trainPool, sorted (a missing value is MissingCategory).
func fitCategories(ec *csvEncCol, c *csvColumn, trainPool []int) []string {
	catName := func(code uint32) string {
		if c.missing[code] {
			return MissingCategory
		}
		return c.dict.values[code]
	}
	usedCode := make([]bool, len(c.dict.values))
	for _, r := range trainPool {
		usedCode[c.codes[r]] = true
	}
	seen := map[string]bool{}
	for code, u := range usedCode {
		if u {
			seen[catName(uint32(code))] = true
		}
	}
	cats := sortedKeys(seen)
	pos := make(map[string]int32, len(cats))
	for i, v := range cats {
		pos[v] = int32(i)
	}
	ec.catOf = make([]int32, len(c.dict.values))
	for code := range ec.catOf {
		if p, ok := pos[catName(uint32(code))]; ok {
			ec.catOf[code] = p
		} else {
			ec.catOf[code] = -1
		}
	}
	return cats
}

// encode builds the Data of rows. When unseen is not nil it counts, per
// categorical column, the rows whose category was not seen in train.
func (enc *csvEncoding) encode(t *csvTable, rows []int, labelCol, anomalyCol int,
	classes []string, classOf []int32, isAnomaly []bool, unseen map[string]int) Data {
	d := Data{
		X: make([]float32, len(rows)*enc.d), N: len(rows), D: enc.d,
		Features: slices.Clone(enc.features), Columns: slices.Clone(enc.columns),
	}
	if labelCol >= 0 {
		d.Labels = make([]int32, len(rows))
		d.Classes = classes
	}
	if anomalyCol >= 0 {
		d.Anomaly = make([]bool, len(rows))
	}
	missed := make([]int, len(enc.cols))
	for i, r := range rows {
		x := d.X[i*enc.d : (i+1)*enc.d]
		for k := range enc.cols {
			ec := &enc.cols[k]
			c := t.cols[ec.col]
			code := t.code(r, ec.col)
			if ec.numeric {
				v := ec.impute
				if !c.missing[code] {
					v = c.num[code]
				}
				x[ec.start] = ec.sc.apply(v)
			} else if p := ec.catOf[code]; p >= 0 {
				x[ec.start+int(p)] = 1
			} else {
				missed[k]++
			}
		}
		if labelCol >= 0 {
			d.Labels[i] = classOf[t.code(r, labelCol)]
		}
		if anomalyCol >= 0 {
			d.Anomaly[i] = isAnomaly[t.code(r, anomalyCol)]
		}
	}
	if unseen != nil {
		for k, n := range missed {
			if n > 0 {
				unseen[enc.cols[k].name] = n
			}
		}
	}
	return d
}

// warnings checks the split pools for what is legal but likely a mistake:
// a normal_values entry that no value of a file matches (each file once), a
// split with no anomalies or no normal rows (unless the first finding
// explains it), and label classes present in only one split (one file, or
// one side of a seeded split).
func (t *csvTable) warnings(s *Spec, labelCol, anomalyCol int, trainPool, testPool []int) []Warning {
	var out []Warning
	pools := [2][]int{trainPool, testPool}
	nPools := 2
	if s.allRows() {
		nPools = 1
	}
	if anomalyCol >= 0 {
		out = append(out, t.anomalyWarnings(s, anomalyCol, pools[:nPools])...)
	}
	if labelCol >= 0 && !s.allRows() {
		c := t.cols[labelCol]
		var in [2]map[string]bool
		for f := range pools {
			in[f] = map[string]bool{}
			for _, r := range pools[f] {
				in[f][c.dict.values[c.codes[r]]] = true
			}
		}
		for f := range pools {
			var only []string
			for v := range in[f] {
				if !in[1-f][v] {
					only = append(only, v)
				}
			}
			if len(only) > 0 {
				slices.Sort(only)
				where := "this file"
				if s.TestPath == "" {
					where = [2]string{"the train split", "the test split"}[f]
				}
				out = append(out, Warning{Key: "label", File: t.paths[f],
					Msg: fmt.Sprintf("classes of %s only in %s: %s", s.Label, where, quoteList(only[:min(len(only), 10)]))})
			}
		}
	}
	return out
}

// anomalyWarnings warns, per file, of normal_values matching no value of the
// anomaly column (then every row is an anomaly), else, per split, of a split
// with no anomalies or no normal rows.
func (t *csvTable) anomalyWarnings(s *Spec, anomalyCol int, pools [][]int) []Warning {
	var out []Warning
	c := t.cols[anomalyCol]
	isAnomaly := anomalyCodes(c, s.NormalValues)
	mismatched := map[string]bool{}
	for f, pool := range pools {
		file := t.paths[f]
		// The values of the file: its pool when each split is a file, else
		// every pool.
		seen := map[uint32]bool{}
		for g, p := range pools {
			if t.paths[0] == t.paths[1] || g == f {
				for _, r := range p {
					seen[c.codes[r]] = true
				}
			}
		}
		matched := false
		for _, v := range s.NormalValues {
			if code, ok := c.dict.index[v]; ok && seen[code] {
				matched = true
			}
		}
		if !matched {
			if !mismatched[file] {
				mismatched[file] = true
				var values []string
				for code := range seen {
					values = append(values, c.dict.values[code])
				}
				slices.Sort(values)
				out = append(out, Warning{Key: "normal_values", File: file,
					Msg: fmt.Sprintf("no value of %s matches %s (values: %s): every row is an anomaly",
						s.AnomalyColumn, quoteList(s.NormalValues), quoteList(values[:min(len(values), 10)]))})
			}
			continue
		}
		anomalies := 0
		for _, r := range pool {
			if isAnomaly[c.codes[r]] {
				anomalies++
			}
		}
		split := [2]string{"train split", "test split"}[f]
		if len(pools) == 1 {
			split = "data set"
		}
		switch {
		case anomalies == 0:
			out = append(out, Warning{Key: "anomaly_column", File: file,
				Msg: fmt.Sprintf("the %s has no anomalies (every %s value is in normal_values)", split, s.AnomalyColumn)})
		case anomalies == len(pool):
			out = append(out, Warning{Key: "anomaly_column", File: file,
				Msg: fmt.Sprintf("the %s has no normal rows", split)})
		}
	}
	return out
}
