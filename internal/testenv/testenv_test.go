package testenv

import (
	"os"
	"testing"
)

func TestInCI(t *testing.T) {
	t.Setenv("CI", "true")
	if !InCI() {
		t.Fatal("CI=true is not CI")
	}
	t.Setenv("CI", "1")
	if InCI() {
		t.Fatal("only CI=true counts")
	}
	os.Unsetenv("CI")
	if InCI() {
		t.Fatal("unset CI counts as CI")
	}
}

func TestLastLine(t *testing.T) {
	for in, want := range map[string]string{
		"":                                       "",
		"one":                                    "one",
		"Traceback\nx\nModuleNotFoundError: y\n": "ModuleNotFoundError: y",
	} {
		if got := lastLine(in); got != want {
			t.Errorf("lastLine(%q) = %q, want %q", in, got, want)
		}
	}
}
