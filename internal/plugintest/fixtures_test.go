package plugintest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every fixture names a plugin of the repository, and the forest's
// in-process form describes itself by the fixture's name.
func TestFixtures(t *testing.T) {
	for _, f := range []Fixture{Projection(), Passthrough(), Forest(), Neighbours()} {
		dir := filepath.Join("..", "..", strings.TrimPrefix(f.Package, Module+"/"))
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			t.Errorf("fixture %s: package %s is not in the repository", f.Name, f.Package)
		}
		if f.File() != "latentbench-"+string(f.Kind)+"-"+f.Name {
			t.Errorf("fixture %s: file %s", f.Name, f.File())
		}
	}
	if d := Forest().InProcess().Describe(); d.Name != Forest().Name {
		t.Errorf("the forest in-process describes itself as %q", d.Name)
	}
	if got := Packages(Projection(), Forest()); len(got) != 2 || got[Forest().File()] != Forest().Package {
		t.Errorf("Packages = %v", got)
	}
}
