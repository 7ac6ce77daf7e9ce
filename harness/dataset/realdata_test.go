package dataset

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/latentbench/latentbench/internal/fixtures"
)

// repoData is the repository's bundled data, from this package's directory.
const repoData = "../../data"

// dataEnv names the folder of optional extra data sets kept outside the
// repository (the large ADBench sets in adbench-classical/, KDD Cup 99 whole
// in kddcup99/), as configs/adbench-large.toml reads it.
const dataEnv = "LATENTBENCH_DATA"

// extraData returns $LATENTBENCH_DATA, skipping the test when it is unset:
// the data it names are optional.
func extraData(t testing.TB) string {
	t.Helper()
	d := os.Getenv(dataEnv)
	if d == "" {
		t.Skipf("%s is not set: no extra data sets to test on", dataEnv)
	}
	return d
}

func requireDir(t testing.TB, dir string) {
	t.Helper()
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Skipf("%s does not exist", dir)
	}
}

// manifestRow is one X or y line of the MANIFEST.tsv beside the extra ADBench files.
type manifestRow struct{ shape, anomalies string }

func readManifest(t *testing.T, path string) map[string]manifestRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]manifestRow{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p := strings.Split(sc.Text(), "\t")
		if len(p) < 8 || p[0] == "file" {
			continue
		}
		r := out[p[0]]
		if p[3] == "X.npy" {
			r.shape = p[6]
		} else {
			r.anomalies = p[7]
		}
		out[p[0]] = r
	}
	return out
}

// TestADBenchShared loads every ADBench .npz of $LATENTBENCH_DATA and checks
// the shape and anomaly count against its MANIFEST.tsv.
func TestADBenchShared(t *testing.T) {
	dir := filepath.Join(extraData(t), "adbench-classical")
	requireDir(t, dir)
	manifest := readManifest(t, filepath.Join(dir, "MANIFEST.tsv"))
	files, _ := filepath.Glob(filepath.Join(dir, "*.npz"))
	if len(files) == 0 {
		t.Fatalf("no .npz in %s", dir)
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			checkADBench(t, f, manifest[name])
		})
	}
}

func checkADBench(t *testing.T, path string, want manifestRow) {
	l, err := Load(context.Background(), Spec{Name: "a", Format: "npz", Path: path, Seed: 1}, ".")
	if err != nil {
		t.Fatal(err)
	}
	n, d := l.Train.N+l.Test.N, l.Train.D
	if got := strconv.Itoa(n) + "x" + strconv.Itoa(d); want.shape != "" && got != want.shape {
		t.Errorf("shape %s, want %s", got, want.shape)
	}
	anom := 0
	for _, s := range []Data{l.Train, l.Test} {
		for _, a := range s.Anomaly {
			if a {
				anom++
			}
		}
	}
	if want.anomalies != "" && strconv.Itoa(anom) != want.anomalies {
		t.Errorf("%d anomalies, want %s", anom, want.anomalies)
	}
	for i, v := range l.Train.X {
		if v != v {
			t.Fatalf("NaN at %d", i)
		}
	}
}

// TestRepoData checks the files copied into data/: their checksums against
// the SOURCE.md beside them, and that they load.
func TestRepoData(t *testing.T) {
	requireDir(t, repoData)
	sums := map[string]string{}
	for _, sub := range []string{"adbench", "bank-marketing"} {
		b, err := os.ReadFile(filepath.Join(repoData, sub, "SOURCE.md"))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			cells := strings.Split(line, "|")
			if len(cells) > 4 {
				name, sum := strings.TrimSpace(cells[1]), strings.TrimSpace(cells[3])
				if len(sum) == 64 {
					sums[filepath.Join(sub, name)] = sum
				}
			}
		}
	}
	files, _ := filepath.Glob(filepath.Join(repoData, "adbench", "*.npz"))
	files = append(files, filepath.Join(repoData, "bank-marketing", "bank-full.csv.gz"))
	if len(files) < 9 {
		t.Fatalf("only %d data files", len(files))
	}
	for _, f := range files {
		rel, _ := filepath.Rel(repoData, f)
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != sums[rel] {
			t.Errorf("%s: sha256 %s, SOURCE.md says %q", rel, got, sums[rel])
		}
	}
	manifest := map[string]manifestRow{}
	if p := filepath.Join(os.Getenv(dataEnv), "adbench-classical", "MANIFEST.tsv"); os.Getenv(dataEnv) != "" {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			manifest = readManifest(t, p)
		}
	}
	for _, f := range files[:len(files)-1] {
		t.Run(filepath.Base(f), func(t *testing.T) { checkADBench(t, f, manifest[filepath.Base(f)]) })
	}
	t.Run("bank", func(t *testing.T) {
		s := Spec{Name: "bank", Format: "csv", Path: filepath.Join("bank-marketing", "bank-full.csv.gz"),
			Separator: ";", Label: "job", AnomalyColumn: "y", NormalValues: []string{"no"}, Seed: 1}
		l, err := Load(context.Background(), s, repoData)
		if err != nil {
			t.Fatal(err)
		}
		anom := 0
		for _, s := range []Data{l.Train, l.Test} {
			for _, a := range s.Anomaly {
				if a {
					anom++
				}
			}
		}
		// 45211 rows, 12 jobs, y = "yes" 5289 times (bank-names.txt / SOURCE.md);
		// 7 numeric columns + one-hot marital 3, education 4, default 2,
		// housing 2, loan 2, contact 3, month 12, poutcome 4 = 39 columns.
		if n := l.Train.N + l.Test.N; n != 45211 || len(l.Train.Classes) != 12 || anom != 5289 || l.Train.D != 39 {
			t.Errorf("rows %d classes %d anomalies %d D %d", n, len(l.Train.Classes), anom, l.Train.D)
		}
	})
}

// kddColumns are the 42 fields of the KDD Cup 1999 files, which have no header line: the
// names of the UCI KDD Archive's kddcup.names, the class field named "label" (as
// configs/paper-tabular.toml names them).
var kddColumns = []string{
	"duration", "protocol_type", "service", "flag", "src_bytes", "dst_bytes",
	"land", "wrong_fragment", "urgent", "hot", "num_failed_logins", "logged_in",
	"num_compromised", "root_shell", "su_attempted", "num_root",
	"num_file_creations", "num_shells", "num_access_files", "num_outbound_cmds",
	"is_host_login", "is_guest_login", "count", "srv_count", "serror_rate",
	"srv_serror_rate", "rerror_rate", "srv_rerror_rate", "same_srv_rate",
	"diff_srv_rate", "srv_diff_host_rate", "dst_host_count", "dst_host_srv_count",
	"dst_host_same_srv_rate", "dst_host_diff_srv_rate",
	"dst_host_same_src_port_rate", "dst_host_srv_diff_host_rate",
	"dst_host_serror_rate", "dst_host_srv_serror_rate", "dst_host_rerror_rate",
	"dst_host_srv_rerror_rate", "label",
}

// TestKDDShared loads the KDD Cup 99 10% file with its column names.
func TestKDDShared(t *testing.T) {
	dir := filepath.Join(extraData(t), "kddcup99")
	requireDir(t, dir)
	if testing.Short() {
		t.Skip("494021 rows; skipped with -short")
	}
	s := Spec{Name: "kdd", Format: "csv", Path: "kddcup.data_10_percent.gz", Header: boolp(false),
		Columns: kddColumns, Label: "service", AnomalyColumn: "label", NormalValues: []string{"normal."},
		Train: 20000, Test: 5000, Seed: 1}
	l, err := Load(context.Background(), s, dir)
	if err != nil {
		t.Fatal(err)
	}
	// 494021 rows of which 97278 are "normal." (SOURCE.md); 66 services;
	// protocol_type (3) and flag (11) one-hot, 38 numeric columns.
	r := l.Report
	if r.Rows != 494021 || len(l.Train.Classes) != 66 || l.Train.D != 38+3+11 || l.Train.N != 20000 || l.Test.N != 5000 {
		t.Errorf("rows %d classes %d D %d N %d/%d", r.Rows, len(l.Train.Classes), l.Train.D, l.Train.N, l.Test.N)
	}
	if r.SplitTrain+r.SplitTest != 494021 {
		t.Errorf("split %d + %d", r.SplitTrain, r.SplitTest)
	}
}

// BenchmarkLoadIDX loads the repository's full IDX image set, 60000 train
// and 10000 test images (fetched by the build; skipped when absent).
func BenchmarkLoadIDX(b *testing.B) {
	dir := fixtures.IDXDir("../..")
	requireDir(b, dir)
	s := Spec{Name: "images", Format: "idx", Path: dir}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(context.Background(), s, "."); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadBank loads bank-full.csv.gz (45211 rows, mixed types).
func BenchmarkLoadBank(b *testing.B) {
	requireDir(b, filepath.Join(repoData, "bank-marketing"))
	s := Spec{Name: "bank", Format: "csv", Path: filepath.Join(repoData, "bank-marketing", "bank-full.csv.gz"),
		Separator: ";", Label: "job", AnomalyColumn: "y", NormalValues: []string{"no"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(context.Background(), s, "."); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadKDD loads the KDD Cup 99 10% file from $LATENTBENCH_DATA (skipped when absent).
func BenchmarkLoadKDD(b *testing.B) {
	dir := filepath.Join(extraData(b), "kddcup99")
	requireDir(b, dir)
	s := Spec{Name: "kdd", Format: "csv", Path: filepath.Join(dir, "kddcup.data_10_percent.gz"), Header: boolp(false),
		Columns: kddColumns, Label: "service", AnomalyColumn: "label", NormalValues: []string{"normal."}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(context.Background(), s, "."); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadNPZ loads the largest ADBench file of $LATENTBENCH_DATA (16_http, 567498 rows).
func BenchmarkLoadNPZ(b *testing.B) {
	p := filepath.Join(extraData(b), "adbench-classical", "16_http.npz")
	if _, err := os.Stat(p); err != nil {
		b.Skipf("%s does not exist", p)
	}
	s := Spec{Name: "http", Format: "npz", Path: p}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(context.Background(), s, "."); err != nil {
			b.Fatal(err)
		}
	}
}
