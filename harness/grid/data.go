package grid

import (
	"context"
	"errors"
	"fmt"

	"github.com/latentbench/latentbench/harness/dataset"
)

// CheckData loads every data set of g once, before any cell runs, so that a
// bad data file is one error rather than one per cell. A failure is an
// Errors naming the grid file, the line and the key of the data set (path or
// test_path when a file is at fault); the data sets' warnings come back in
// the same form (see dataset.LoadReport.Warnings). loaded has one entry per
// g.Datasets, nil for a data set that failed.
func (g *Grid) CheckData(ctx context.Context) (loaded []*dataset.Loaded, warnings []*Error, err error) {
	loc := locate(g.Source)
	at := func(i int, key string) *Error {
		p := keyPath{}.key("dataset").index(i + 1)
		if key != "" {
			p = p.key(key)
		}
		l := loc.find(p)
		return &Error{File: g.Path, Line: l.line, Col: max(l.col, 1), Field: p.String()}
	}
	var errs Errors
	loaded = make([]*dataset.Loaded, len(g.Datasets))
	for i, s := range g.Datasets {
		d, err := dataset.Load(ctx, s, g.Dir)
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			key := ""
			var ke *dataset.KeyError
			if errors.As(err, &ke) {
				key = ke.Key
			}
			e := at(i, key)
			e.Msg = err.Error() // Load's errors name the data set

			errs = append(errs, e)
			continue
		}
		loaded[i] = d
		for _, w := range d.Report.Warnings {
			e := at(i, w.Key)
			e.Msg = fmt.Sprintf("data set %q: %s", s.Name, w.Msg)
			if w.File != "" {
				e.Msg = fmt.Sprintf("data set %q: %s: %s", s.Name, w.File, w.Msg)
			}
			warnings = append(warnings, e)
		}
	}
	if len(errs) > 0 {
		return loaded, warnings, errs
	}
	return loaded, warnings, nil
}
