package grid

import (
	"os"
	"regexp"
)

// envRef is a ${NAME} reference in a data path.
var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// pathKeys are the [[dataset]] keys whose values may name environment
// variables.
var pathKeys = []string{"path", "test_path"}

// expandEnv replaces each ${NAME} in a [[dataset]] table's paths by the value
// of the environment variable NAME, so that a grid can read data kept outside
// the repository wherever each user keeps it (e.g.
// path = "${LATENTBENCH_DATA}/adbench-classical/16_http.npz"). A variable
// that is unset or empty is an error naming it.
func (l *loader) expandEnv(m map[string]any, at keyPath) {
	for _, k := range pathKeys {
		s, ok := m[k].(string)
		if !ok {
			continue
		}
		m[k] = envRef.ReplaceAllStringFunc(s, func(ref string) string {
			name := envRef.FindStringSubmatch(ref)[1]
			v := os.Getenv(name)
			if v == "" {
				l.errf(at.key(k), "%q names the environment variable %s, which is not set: set it to the directory it stands for (export %s=/path/to/data)", s, name, name)
			}
			return v
		})
	}
}
