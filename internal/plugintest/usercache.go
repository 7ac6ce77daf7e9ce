package plugintest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// descriptionDir is where the latentbench CLI keeps plugin descriptions, under
// the user's cache directory (os.UserCacheDir: $XDG_CACHE_HOME, else
// ~/.cache); cmd/latentbench's discover names the same directory.
var descriptionDir = filepath.Join("latentbench", "plugins")

// userCache is the user's cache directory while a test process runs with
// $XDG_CACHE_HOME pointed at a temporary one (see [Main]).
type userCache struct {
	dir   string    // the user's own cache directory ("" if unknown)
	since time.Time // when the tests started
}

// isolateUserCache points $XDG_CACHE_HOME, and with it os.UserCacheDir of this
// process and of every command the tests start, at tmp, so that the CLI
// keeps the plugin descriptions of test builds there rather than in the
// user's cache. The Go build cache, which `go` also finds under
// os.UserCacheDir, is pinned first ($GOCACHE) so that builds stay warm.
func isolateUserCache(tmp string) (*userCache, error) {
	uc := &userCache{since: time.Now()}
	if dir, err := os.UserCacheDir(); err == nil {
		uc.dir = dir
	}
	if os.Getenv("GOCACHE") == "" {
		out, err := exec.Command("go", "env", "GOCACHE").Output()
		if err != nil {
			return nil, fmt.Errorf("go env GOCACHE: %w", err)
		}
		if gocache := strings.TrimSpace(string(out)); gocache != "" {
			if err := os.Setenv("GOCACHE", gocache); err != nil {
				return nil, err
			}
		}
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return nil, err
	}
	return uc, os.Setenv("XDG_CACHE_HOME", tmp)
}

// check reports a plugin description that a test wrote into the user's own
// cache directory: a description file named by the code digest of one of
// the executables this process built, written since the tests started. (A
// build embeds its checkout's paths, so another checkout's tests do not
// make the same digests.)
func (uc *userCache) check(builds []string) error {
	if uc == nil || uc.dir == "" {
		return nil
	}
	dir := filepath.Join(uc.dir, descriptionDir)
	if _, err := os.Stat(dir); err != nil {
		return nil // no description cache at all
	}
	for _, b := range builds {
		digest, err := fileDigest(b)
		if err != nil {
			return err
		}
		found, _ := filepath.Glob(filepath.Join(dir, "*-"+digest+".pb"))
		for _, f := range found {
			if st, err := os.Stat(f); err == nil && !st.ModTime().Before(uc.since) {
				return fmt.Errorf("a test wrote %s into the user's cache directory (a command started without $XDG_CACHE_HOME?)", f)
			}
		}
	}
	return nil
}

// fileDigest is the hex SHA-256 of a file, as the harness digests a plugin's
// executable.
func fileDigest(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
