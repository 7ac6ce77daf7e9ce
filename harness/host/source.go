package host

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// sourceDecl is a source declaration in an interpreted plugin's first lines:
// a comment "# latentbench: source = PATH" (or with // or --), PATH relative
// to the directory of the script's real path (symbolic links resolved).
var sourceDecl = regexp.MustCompile(`^\s*(?:#|//|--)\s*latentbench:\s*source\s*=\s*(\S.*?)\s*$`)

// declLines is how many leading lines of a script are searched for source
// declarations.
const declLines = 50

// codeDigest returns the hex SHA-256 of the code a plugin runs: the bytes of
// its executable and, for an interpreted plugin (a file starting with "#!"),
// of every file under each source path it declares (see sourceDecl), so that
// editing a Python plugin's package invalidates its cached stages as a
// rebuild does for a Go plugin. Files are hashed in path order with their
// relative path; __pycache__ and .git directories and *.pyc files are skipped.
func codeDigest(path string) (string, error) {
	h := sha256.New()
	if err := hashFile(h, path); err != nil {
		return "", err
	}
	srcs, err := declaredSources(path)
	if err != nil {
		return "", err
	}
	for _, src := range srcs {
		fmt.Fprintf(h, "\x00source %s\x00", src)
		if err := hashTree(h, src); err != nil {
			return "", fmt.Errorf("%s: declared source %s: %w", path, src, err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// declaredSources returns the source paths a script declares, absolute.
func declaredSources(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	head, _ := r.Peek(2)
	if string(head) != "#!" {
		return nil, nil
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(real)
	var out []string
	sc := bufio.NewScanner(r)
	for line := 1; line <= declLines && sc.Scan(); line++ {
		m := sourceDecl.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		p := m[1]
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("%s:%d: declared source: %w", path, line, err)
		}
		out = append(out, filepath.Clean(p))
	}
	return out, nil
}

func hashFile(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.Copy(w, f); err != nil {
		return fmt.Errorf("digest %s: %w", path, err)
	}
	return nil
}

// hashTree hashes the regular files under root (root itself if a file).
func hashTree(w io.Writer, root string) error {
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && (d.Name() == "__pycache__" || d.Name() == ".git") {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() && !strings.HasSuffix(p, ".pyc") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(files)
	for _, p := range files {
		rel, _ := filepath.Rel(root, p)
		fmt.Fprintf(w, "\x00file %s\x00", filepath.ToSlash(rel))
		if err := hashFile(w, p); err != nil {
			return err
		}
	}
	return nil
}
