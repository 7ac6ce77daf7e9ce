package report

import (
	"fmt"
	"strings"

	"github.com/latentbench/latentbench/harness/dataset"
)

// writeData writes the report's Data section: a table summarising each data
// set as the run loaded it (run.json's data), then its warnings and notes,
// one line each naming the data set, the grid key and the file. Nothing
// when run.json records no data (a run before summaries were recorded).
func writeData(b *strings.Builder, data []dataset.Summary) {
	if len(data) == 0 {
		return
	}
	b.WriteString("## Data\n\n")
	b.WriteString("Each data set as the run loaded it, before any cell: the rows read and dropped, the split " +
		"sizes (train / test) before subsampling and how they were made (files: a test file; seeded: " +
		"test_fraction held out; none: every row in both), the rows the cells used, the features after encoding, " +
		"the classes, the share of anomalies among the rows used (train / test), the missing values per " +
		"column (the most frequent first) and the load time.\n\n")
	writeMarkdownTable(b, dataTable(data))
	b.WriteString("\n")
	for _, list := range []struct {
		title string
		pick  func(*dataset.Summary) []dataset.Warning
	}{
		{"Data warnings (legal, but likely a mistake; see the grid's key named):",
			func(s *dataset.Summary) []dataset.Warning { return s.Warnings }},
		{"Data notes:", func(s *dataset.Summary) []dataset.Warning { return s.Notes }},
	} {
		first := true
		for i := range data {
			for _, w := range list.pick(&data[i]) {
				if first {
					fmt.Fprintf(b, "%s\n\n", list.title)
					first = false
				}
				file := ""
				if w.File != "" {
					file = fmt.Sprintf(" (`%s`)", w.File)
				}
				fmt.Fprintf(b, "- %s, `%s`%s: %s\n", data[i].Name, w.Key, file, w.Msg)
			}
		}
		if !first {
			b.WriteString("\n")
		}
	}
}

// dataTable is the Data section's table, one row per data set.
func dataTable(data []dataset.Summary) Table {
	t := Table{ID: "data", Header: []string{"data set", "files", "rows read", "dropped", "split",
		"used", "features", "classes", "anomalies", "missing values", "load time"}}
	for i := range data {
		s := &data[i]
		dropped := fmt.Sprint(s.Dropped)
		if len(s.DroppedWhy) > 0 {
			dropped += " (" + strings.Join(s.DroppedWhy, ", ") + ")"
		}
		if len(s.DroppedColumns) > 0 {
			dropped += "; columns: " + s.DroppedColumnsText(5)
		}
		split := fmt.Sprintf("%d / %d (%s", s.SplitTrain, s.SplitTest, s.Split)
		if s.StratifiedBy != "" {
			split += ", stratified by " + s.StratifiedBy
		}
		split += ")"
		features := strings.Replace(s.FeaturesText(), " features (", " (", 1)
		classes, anomalies := "—", "—"
		if s.Classes > 0 {
			classes = fmt.Sprint(s.Classes)
		}
		if s.HasAnomalies {
			anomalies = s.AnomalyText()
		}
		missing := strings.TrimPrefix(s.MissingText(5), "missing ")
		t.Rows = append(t.Rows, []string{s.Name, strings.Join(s.Files, ", "), fmt.Sprint(s.Rows), dropped, split,
			fmt.Sprintf("%d / %d", s.Train, s.Test), features, classes, anomalies, missing,
			fmt.Sprintf("%.2f s", s.LoadSeconds)})
	}
	return t
}
