package grid

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestDataPathFromEnvironment(t *testing.T) {
	src := []byte(`[experiment]
name = "env"
seeds = [0]

[[dataset]]
name = "tiny"
format = "csv"
path = "${LATENTBENCH_TEST_DATA}/tiny.csv"
label = "label"

[[encoder]]
plugin = "proj"
`)
	abs, err := filepath.Abs(filepath.Join("testdata", "data"))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("LATENTBENCH_TEST_DATA", abs)
	g, err := Parse("env.toml", src, testRegistry())
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Datasets[0].Path; got != abs+"/tiny.csv" {
		t.Errorf("path %q, want %q", got, abs+"/tiny.csv")
	}

	t.Setenv("LATENTBENCH_TEST_DATA", "")
	_, err = Parse("env.toml", src, testRegistry())
	var first *Error
	if !errors.As(err, &first) {
		t.Fatalf("unset variable: %v", err)
	}
	if first.Line != 8 || first.Field != "dataset[1].path" ||
		!strings.Contains(first.Msg, `"${LATENTBENCH_TEST_DATA}/tiny.csv" names the environment variable LATENTBENCH_TEST_DATA, which is not set`) {
		t.Errorf("error %v", first)
	}
	if len(err.(Errors)) != 1 {
		t.Errorf("%d errors, want 1: %v", len(err.(Errors)), err)
	}
}
