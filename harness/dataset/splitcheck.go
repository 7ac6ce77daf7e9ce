package dataset

import (
	"fmt"
	"slices"
)

// Split checks that every format shares: what is legal but likely a mistake
// (a Warning) or harmless but worth knowing (a note), found on the train and
// test pools before subsampling.

// categoryFindings compares, per categorical feature column, the categories
// of the train and test pools. A category only the test split has is a
// Warning: its rows are encoded as an all-zero block (see the CSV encoding).
// A category only the train split has is a note: it costs nothing but a
// one-hot column no test row uses. Nothing is found with split "none".
func (t *csvTable) categoryFindings(s *Spec, trainPool, testPool []int) (warnings, notes []Warning) {
	if s.allRows() {
		return nil, nil
	}
	key, file, where := "path", t.paths[0], "the test split"
	if s.TestPath != "" {
		key, file, where = "test_path", t.paths[1], "the test file"
	}
	for _, c := range t.cols {
		if c.role != roleFeature || c.numeric {
			continue
		}
		name := func(code uint32) string {
			if c.missing[code] {
				return MissingCategory
			}
			return c.dict.values[code]
		}
		count := func(pool []int) map[string]int {
			n := map[string]int{}
			for _, r := range pool {
				n[name(c.codes[r])]++
			}
			return n
		}
		train, test := count(trainPool), count(testPool)
		if cats, rows := onlyIn(test, train); len(cats) > 0 {
			warnings = append(warnings, Warning{Key: key, File: file, Msg: fmt.Sprintf(
				"column %s: %s in %s that the train split lacks (%s): encoded as all zeros in that column",
				c.name, someOf(cats, "category", "categories"), where, plural(rows, "row", "rows"))})
		}
		if cats, rows := onlyIn(train, test); len(cats) > 0 {
			notes = append(notes, Warning{Key: "path", File: t.paths[0], Msg: fmt.Sprintf(
				"column %s: %s only in the train split (%s): no test row uses their one-hot columns",
				c.name, someOf(cats, "category", "categories"), plural(rows, "row", "rows"))})
		}
	}
	return warnings, notes
}

// someOf says how many values there are and names the first three:
// `1 category "x"`, `5 categories ("a", "b", "c", ...)`.
func someOf(values []string, one, many string) string {
	if len(values) == 1 {
		return "1 " + one + " " + quoteList(values)
	}
	more := ""
	if len(values) > 3 {
		more = ", ..."
	}
	return plural(len(values), one, many) + " (" + quoteList(values[:min(len(values), 3)]) + more + ")"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// onlyIn returns the keys of a missing from b, sorted, and their total count in a.
func onlyIn(a, b map[string]int) (keys []string, total int) {
	for k, n := range a {
		if _, ok := b[k]; !ok {
			keys = append(keys, k)
			total += n
		}
	}
	slices.Sort(keys)
	return keys, total
}

// npzWarnings warns of a split (or, with split "none", the data set) whose
// y holds no anomalies or no normal rows: for npz, whose classes are
// "normal" and "anomaly", this is also a class present in one split only.
func npzWarnings(path string, y []int32, pools [][]int) []Warning {
	var out []Warning
	for i, pool := range pools {
		split := [2]string{"train split", "test split"}[i]
		if len(pools) == 1 {
			split = "data set"
		}
		anomalies := 0
		for _, r := range pool {
			if y[r] == 1 {
				anomalies++
			}
		}
		switch {
		case anomalies == 0:
			out = append(out, Warning{Key: "path", File: path,
				Msg: fmt.Sprintf("the %s has no anomalies (y = 1) among its %d rows", split, len(pool))})
		case anomalies == len(pool):
			out = append(out, Warning{Key: "path", File: path,
				Msg: fmt.Sprintf("the %s has no normal rows (y = 0) among its %d rows", split, len(pool))})
		}
	}
	return out
}
