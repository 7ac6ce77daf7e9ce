package archtest

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// root is the repository root (tests run in internal/archtest).
const root = "../.."

// TestHarnessKnowsNoPluginDataSetOrPaper: no file under harness/ contains
// "mnist" (in any case), no Go file under harness/, tests included, names
// one of the repository's plugins or contains a reference figure that a grid
// in configs/ declares, and no Go file of the harness's code (tests aside: a
// loader's test may read a real file) names a data set bundled in data/.
func TestHarnessKnowsNoPluginDataSetOrPaper(t *testing.T) {
	names := pluginNames(t)
	if len(names) < 5 {
		t.Fatalf("found only the plugins %v under plugins/", names)
	}
	figures := referenceFigures(t)
	if len(figures) < 10 {
		t.Fatalf("found only %d reference figures in configs/", len(figures))
	}
	// Plugin names that are also ordinary words in code and comments (a
	// cache entry's identity, scikit-learn cited as an algorithm's
	// reference): for them only a string literal, "name", counts.
	ordinaryWords := []string{"identity", "sklearn"}
	var patterns []*regexp.Regexp
	for _, n := range names {
		if slices.Contains(ordinaryWords, n) {
			patterns = append(patterns, regexp.MustCompile(regexp.QuoteMeta(strconv.Quote(n))))
		} else {
			patterns = append(patterns, regexp.MustCompile(`(?i)\b`+regexp.QuoteMeta(n)+`\b`))
		}
	}
	dataSet := regexp.MustCompile(`(?i)mnist`)
	bundled := bundledDataSets(t)
	number := regexp.MustCompile(`\b\d+\.\d+(?:[eE][-+]?\d+)?\b`)

	files := 0
	err := filepath.WalkDir(filepath.Join(root, "harness"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		rel, _ := filepath.Rel(root, path)
		for i, line := range strings.Split(string(b), "\n") {
			if dataSet.MatchString(line) {
				t.Errorf("%s:%d names a data set: %s", rel, i+1, strings.TrimSpace(line))
			}
			if !strings.HasSuffix(path, ".go") {
				continue
			}
			if m := bundled.FindString(line); m != "" && !strings.HasSuffix(path, "_test.go") {
				t.Errorf("%s:%d names the data set %s: %s", rel, i+1, m, strings.TrimSpace(line))
			}
			for _, p := range patterns {
				if m := p.FindString(line); m != "" {
					t.Errorf("%s:%d names the plugin %s: %s", rel, i+1, m, strings.TrimSpace(line))
				}
			}
			for _, m := range number.FindAllString(line, -1) {
				if v, err := strconv.ParseFloat(m, 64); err == nil && figures[v] != "" {
					t.Errorf("%s:%d holds %s, a reference figure of %s: %s", rel, i+1, m, figures[v], strings.TrimSpace(line))
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("read only %d files under harness/", files)
	}
}

// bundledDataSets matches the names of the data sets in data/ (its directories), in
// any case. ADBench is not one: it names the .npz layout and preprocessing the
// loader implements, cited as such, and a collection of many data sets.
func bundledDataSets(t *testing.T) *regexp.Regexp {
	t.Helper()
	dirs, err := os.ReadDir(filepath.Join(root, "data"))
	if err != nil {
		t.Fatal(err)
	}
	var alts []string
	for _, d := range dirs {
		if d.IsDir() && d.Name() != "adbench" {
			alts = append(alts, regexp.QuoteMeta(d.Name()))
		}
	}
	if len(alts) < 2 {
		t.Fatalf("found only the data sets %v in data/", alts)
	}
	return regexp.MustCompile(`(?i)\b(?:` + strings.Join(alts, "|") + `)\b`)
}

// pluginNames returns the names of the repository's plugins: the folders
// plugins/{encoders,detectors}/NAME and the executables
// latentbench-{encoder,detector}-NAME found under plugins/.
func pluginNames(t *testing.T) []string {
	t.Helper()
	var names []string
	add := func(n string) {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	for _, kind := range []string{"encoder", "detector"} {
		dirs, err := os.ReadDir(filepath.Join(root, "plugins", kind+"s"))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range dirs {
			if d.IsDir() {
				add(d.Name())
			}
		}
	}
	err := filepath.WalkDir(filepath.Join(root, "plugins"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		for _, prefix := range []string{"latentbench-encoder-", "latentbench-detector-"} {
			if n, ok := strings.CutPrefix(d.Name(), prefix); ok && !d.IsDir() {
				add(n)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	return names
}

// referenceFigures returns the non-integral numbers of the grids in
// configs/ that state another work's results (the rows of each
// [[reference]] and the reported values of each [[claim]]), each with the
// grid that declares it.
func referenceFigures(t *testing.T) map[float64]string {
	t.Helper()
	grids, err := filepath.Glob(filepath.Join(root, "configs", "*.toml"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[float64]string{}
	add := func(v any, grid string) {
		if f, ok := v.(float64); ok && f != float64(int64(f)) {
			out[f] = grid
		}
	}
	for _, g := range grids {
		var cfg struct {
			Reference []struct{ Rows []map[string]any }
			Claim     []struct{ Reported []any }
		}
		if _, err := toml.DecodeFile(g, &cfg); err != nil {
			t.Fatalf("%s: %v", g, err)
		}
		name := filepath.Base(g)
		for _, r := range cfg.Reference {
			for _, row := range r.Rows {
				for _, v := range row {
					add(v, name)
				}
			}
		}
		for _, c := range cfg.Claim {
			for _, v := range c.Reported {
				add(v, name)
			}
		}
	}
	return out
}
