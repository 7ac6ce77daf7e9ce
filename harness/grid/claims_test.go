package grid

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const claimHead = "[experiment]\nname = \"x\"\nseeds = [0]\n\n" // lines 1-4

func readDeclared(t *testing.T, body string) (Declared, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "grid.toml")
	if err := os.WriteFile(path, []byte(claimHead+body), 0o644); err != nil {
		t.Fatal(err)
	}
	return ReadDeclared(path)
}

func TestReadDeclared(t *testing.T) {
	d, err := readDeclared(t, `[report]
claims_heading = "Trends"

[[reference]]
source = "A (2019), Table 1"
metrics = ["v_gmm", "k_gmm"]
rows = [
  { encoder = "venc", v_gmm = 0.63, k_gmm = 14 },
  { encoder_label = "w", name = "the W", v_gmm = 0.9 },
]

[[claim]]
text = "EM and MV ({detector})"
source = "A (2019), Table 2"
metric = ["em", "mv"]
direction = ["higher", "lower"]
per = "detector"
this = { encoder = "venc" }
than = [{ encoder = "cenc", name = "CL" }, { encoder_label = "w" }]

[[claim]]
text = "k near 10"
source = "A"
metric = "k_gmm"
over = "best"
best_by = "v_gmm"
near = 10
within = 2
this = { encoder = "w" }
`)
	if err != nil {
		t.Fatal(err)
	}
	if d.Report.ClaimsHeading != "Trends" || len(d.References) != 1 || len(d.Claims) != 2 {
		t.Fatalf("%+v", d)
	}
	r := d.References[0]
	if r.Line != 8 || r.Name != "reference" || !r.Delta || r.Title != "Beside A (2019), Table 1" || len(r.Rows) != 2 ||
		r.Rows[0].Values["k_gmm"] != 14 || r.Rows[1].Display() != "the W" || r.Rows[1].EncoderLabel != "w" {
		t.Errorf("reference %+v", r)
	}
	c := d.Claims[0]
	if c.Line != 16 || c.Kind() != "comparison" || strings.Join(c.Metrics, ",") != "em,mv" || c.Over != OverMean ||
		len(c.Than) != 2 || c.Than[0].Display() != "CL" || c.Than[1].Display() != "w" || c.Per[0] != PerDetector {
		t.Errorf("claim %+v", c)
	}
	if c := d.Claims[1]; c.Kind() != "target" || *c.Near != 10 || c.Within != 2 || c.BestByMetric("k_gmm") != "v_gmm" {
		t.Errorf("target claim %+v", c)
	}
	// A block's label selects its instances; a plugin, all its blocks.
	sel := Rows{EncoderLabel: "w"}
	for label, want := range map[string]bool{"w": true, "w(gamma=0.1)": true, "w-mean": false, "venc": false} {
		if got := sel.Match("d", "wenc", label, "", ""); got != want {
			t.Errorf("encoder_label w matches %q: %v", label, got)
		}
	}
}

// TestDeclaredErrors: each mistake is reported at its file, line and key.
func TestDeclaredErrors(t *testing.T) {
	claim := func(extra string) string {
		return "[[claim]]\ntext = \"t\"\nsource = \"s\"\nthis = { encoder = \"venc\" }\n" + extra // claim lines 5-8
	}
	for _, tc := range []struct {
		name, body string
		line       int
		field, msg string
	}{
		{"unknown metric", claim("metric = \"vmeasure\"\ndirection = \"higher\"\nthan = { encoder = \"cenc\" }\n"), 9, "claim[1].metric",
			`"vmeasure" is not one of "v_kmeans", "k_kmeans"`},
		{"bad direction", claim("metric = [\"em\", \"mv\"]\ndirection = [\"higher\", \"better\"]\nthan = { encoder = \"cenc\" }\n"), 10, "claim[1].direction[2]",
			`"better" is not one of "higher", "lower"`},
		{"directions per metric", claim("metric = [\"em\", \"mv\"]\ndirection = \"higher\"\nthan = { encoder = \"cenc\" }\n"), 10, "claim[1].direction",
			`give one direction ("higher", "lower") per metric: 1 for 2`},
		{"missing than", claim("metric = \"em\"\ndirection = \"higher\"\n"), 5, "claim[1].than", `required: the rows compared with`},
		{"empty selector", claim("metric = \"em\"\ndirection = \"higher\"\nthan = [{ encoder = \"cenc\" }, { name = \"all\" }]\n"), 11, "claim[1].than[2]", `selects every row`},
		{"unknown selector", claim("metric = \"em\"\ndirection = \"higher\"\nthan = { plugin = \"cenc\" }\n"), 11, "claim[1].than[1].plugin", `unknown key "plugin"`},
		{"scope not in text", claim("metric = \"em\"\ndirection = \"higher\"\nthan = { encoder = \"cenc\" }\nper = \"detector\"\n"), 6, "claim[1].text",
			`the claim is checked per detector: name it in the text with {detector}`},
		{"bad per", claim("metric = \"em\"\ndirection = \"higher\"\nthan = { encoder = \"cenc\" }\nper = \"seed\"\n"), 12, "claim[1].per",
			`"seed" is not one of "dataset", "detector"`},
		{"reported count", claim("metric = \"em\"\ndirection = \"higher\"\nthan = { encoder = \"cenc\" }\nreported = [1.0]\n"), 12, "claim[1].reported",
			`give the source's value for this and each side of than (2 values)`},
		{"target with than", claim("metric = \"k_gmm\"\nnear = 10\nthan = { encoder = \"cenc\" }\n"), 11, "claim[1].than", `a target claim (near, within) takes no than`},
		{"best of k", claim("metric = \"k_gmm\"\nover = \"best\"\nnear = 10\n"), 5, "claim[1].best_by", `"k_gmm" is neither better higher nor lower`},
		{"classes with metric", claim("over_represented = [\"0\"]\nmetric = \"em\"\n"), 10, "claim[1].metric", `a class-share claim`},
		{"no this", "[[claim]]\ntext = \"t\"\nsource = \"s\"\nmetric = \"em\"\ndirection = \"higher\"\nthan = { encoder = \"venc\" }\n", 5, "claim[1].this", `required: the rows the claim is about`},
		{"unknown claim key", claim("metrics = \"em\"\n"), 9, "claim[1].metrics", `unknown key "metrics" (allowed: best_by, datasets`},
		{"no source", "[[reference]]\nmetrics = [\"em\"]\nrows = [{ encoder = \"venc\", em = 1 }]\n", 5, "reference[1].source", `required: where the figures are published`},
		{"value of an unlisted metric", "[[reference]]\nsource = \"s\"\nmetrics = [\"em\"]\nrows = [\n  { encoder = \"venc\", em = 1 },\n  { encoder = \"venc\", mv = 2 },\n]\n", 10, "reference[1].rows[2].mv",
			`"mv" is neither a row selector (dataset, detector, detector_label, encoder, encoder_label, name) nor one of this reference's metrics ("em")`},
		{"value not a number", "[[reference]]\nsource = \"s\"\nmetrics = [\"em\"]\nrows = [{ encoder = \"venc\", em = \"high\" }]\n", 8, "reference[1].rows[1].em", `must be a number, got string "high"`},
		{"closest not a metric", "[[reference]]\nsource = \"s\"\nmetrics = [\"em\"]\nclosest = [\"mv\"]\nrows = [{ encoder = \"venc\", em = 1 }]\n", 8, "reference[1].closest[1]", `"mv" is not one of this reference's metrics ("em")`},
		{"report key", "[report]\nclaims_title = \"x\"\n", 6, "report.claims_title", `unknown key "claims_title"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readDeclared(t, tc.body)
			var first *Error
			if !errors.As(err, &first) {
				t.Fatalf("error %v, want an *Error", err)
			}
			if first.Line != tc.line || first.Field != tc.field || !strings.Contains(first.Msg, tc.msg) {
				t.Errorf("got %d %s: %s\nwant %d %s: …%s…", first.Line, first.Field, first.Msg, tc.line, tc.field, tc.msg)
			}
		})
	}
}

// TestPaperGridsDeclare: the committed grids' claims and references parse.
func TestPaperGridsDeclare(t *testing.T) {
	files, _ := filepath.Glob("../../configs/*.toml")
	n := 0
	for _, f := range files {
		d, err := ReadDeclared(f)
		if err != nil {
			t.Errorf("%v", err)
		}
		n += len(d.Claims)
	}
	if n == 0 {
		t.Error("no grid in configs/ declares a claim")
	}
}
