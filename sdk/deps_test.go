package sdk_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The SDK's types, the algorithm libraries and the harness's data code link
// no gRPC and no go-plugin: those belong to serving (sdk/serve), the wire
// format (internal/wire) and the host (harness/host) only.
func TestNoRPCInLibraries(t *testing.T) {
	pkgs := []string{
		"./sdk",
		"./plugins/detectors/iforest", "./plugins/detectors/lof", "./plugins/detectors/ocsvm",
		"./plugins/encoders/vae", "./plugins/encoders/pca", "./plugins/encoders/identity",
		"./harness/dataset", "./harness/grid", "./metrics", "./stats",
	}
	banned := []string{"google.golang.org/grpc", "github.com/hashicorp/go-plugin"}
	for _, pkg := range pkgs {
		cmd := exec.Command("go", "list", "-deps", pkg)
		cmd.Dir = ".." // the module root
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, b := range banned {
				if dep == b || strings.HasPrefix(dep, b+"/") {
					t.Errorf("%s links %s", pkg, dep)
				}
			}
		}
	}
}
