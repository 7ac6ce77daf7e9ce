package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/latentbench/latentbench/harness/conformance"
	"github.com/latentbench/latentbench/harness/host"
	"github.com/latentbench/latentbench/internal/scaffold"
	"github.com/latentbench/latentbench/sdk"
)

const pluginUsage = `usage:
  latentbench plugin test NAME|PATH... [-plugins DIR] [-timeout D] [-v]
        run each plugin through the contract's conformance checks, one line per check;
        the exit status is 1 if any check fails (docs/plugin-test.md explains each check)
  latentbench plugin new NAME -kind detector|encoder -lang go|python [-dir DIR] [-module PATH] [-checkout DIR]
        write a working plugin skeleton to DIR/NAME (DIR defaults to .): a trivial documented
        algorithm that passes plugin test, and a README saying how to build, install, test and use it
`

// cmdPlugin runs the plugin authors' subcommands.
func cmdPlugin(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, pluginUsage)
		return 2
	}
	switch args[0] {
	case "test":
		return cmdPluginTest(args[1:], stdout, stderr)
	case "new":
		return cmdPluginNew(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, pluginUsage)
		return 0
	}
	fmt.Fprintf(stderr, "latentbench plugin: unknown subcommand %q\n\n%s", args[0], pluginUsage)
	return 2
}

func cmdPluginTest(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("plugin test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pluginDir := fs.String("plugins", "", "extra plugin directory (searched first)")
	timeout := fs.Duration("timeout", conformance.DefaultCallTimeout, "bound on each call to the plugin")
	verbose := fs.Bool("v", false, "show every line the plugin logs")
	pos, err := parse(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) == 0 {
		fmt.Fprint(stderr, pluginUsage)
		return 2
	}
	var paths []string
	for _, arg := range pos {
		found, err := findPlugin(arg, dirs(*pluginDir))
		if err != nil {
			fmt.Fprintf(stderr, "latentbench plugin test: %v\n", err)
			return 1
		}
		paths = append(paths, found...)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	launcher := conformance.HostLauncher{}
	if *verbose {
		launcher.Log = stderr
	}
	status := 0
	for _, path := range paths {
		fmt.Fprintf(stdout, "%s\n", path)
		rep := conformance.Run(ctx, path, conformance.Options{
			Launcher: launcher, CallTimeout: *timeout,
			OnResult: func(r conformance.Result) { fmt.Fprintln(stdout, r) },
		})
		p, f, s := rep.Counts()
		fmt.Fprintf(stdout, "plugin %s (%s): %d checks passed, %d failed, %d skipped in %.1fs\n",
			rep.Name, rep.Kind, p, f, s, rep.Elapsed.Seconds())
		if rep.Failed() {
			status = 1
		}
	}
	return status
}

// findPlugin resolves a plugin argument: a path to an executable, or the name
// of an installed plugin (both kinds are tested if both exist).
func findPlugin(arg string, extra []string) ([]string, error) {
	if strings.ContainsRune(arg, filepath.Separator) || strings.HasPrefix(arg, "latentbench-") {
		if _, err := os.Stat(arg); err != nil {
			return nil, err
		}
		abs, err := filepath.Abs(arg)
		if err != nil {
			return nil, err
		}
		return []string{abs}, nil
	}
	var found []string
	for _, kind := range []sdk.Kind{sdk.KindEncoder, sdk.KindDetector} {
		for _, dir := range host.PluginDirs(extra...) {
			p := filepath.Join(dir, host.Filename(kind, arg))
			if info, err := os.Stat(p); err == nil && !info.IsDir() && info.Mode()&0o111 != 0 {
				found = append(found, p)
				break
			}
		}
	}
	if len(found) == 0 {
		return nil, errors.New("no installed plugin is called " + arg +
			" (looked for latentbench-encoder-" + arg + " and latentbench-detector-" + arg +
			" in $LATENTBENCH_PLUGIN_PATH, -plugins and beside latentbench; or give a path)")
	}
	return found, nil
}

func cmdPluginNew(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("plugin new", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kind := fs.String("kind", "", "detector or encoder")
	lang := fs.String("lang", "go", "go or python")
	dir := fs.String("dir", ".", "directory in which to create NAME/")
	module := fs.String("module", "", "Go module path (default example.com/latentbench-KIND-NAME)")
	checkout := fs.String("checkout", "", "the latentbench clone to build against (default: the one this executable was built in, or the current directory's)")
	pos, err := parse(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 {
		fmt.Fprint(stderr, pluginUsage)
		return 2
	}
	if *checkout == "" {
		*checkout = defaultCheckout()
	}
	if *checkout == "" {
		fmt.Fprintln(stderr, "latentbench plugin new: cannot find a latentbench clone; pass -checkout DIR "+
			"(latentbench is not published on a module proxy, so a plugin builds against a local clone)")
		return 1
	}
	target := filepath.Join(*dir, pos[0])
	files, err := scaffold.Write(scaffold.Options{Name: pos[0], Kind: *kind, Lang: *lang, Dir: target,
		GoModule: *module, Checkout: *checkout})
	if err != nil {
		fmt.Fprintf(stderr, "latentbench plugin new: %v\n", err)
		return 1
	}
	sort.Strings(files)
	fmt.Fprintf(stdout, "wrote %s: %s\nnext: see %s\n", target, strings.Join(files, ", "), filepath.Join(target, "README.md"))
	return 0
}

// defaultCheckout finds the latentbench clone this executable lives in (bin/
// of a clone, as make build leaves it), or the current directory's.
func defaultCheckout() string {
	var starts []string
	if exe, err := os.Executable(); err == nil {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		starts = append(starts, filepath.Dir(exe))
	}
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	for _, s := range starts {
		if dir, ok := scaffold.FindCheckout(s); ok {
			return dir
		}
	}
	return ""
}
