// Package lint checks the repository's own rules as a test, so the one
// test command enforces them: package boundaries (DESIGN.md), gofmt, go
// vet, and a few banned patterns.
package lint

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const module = "github.com/cairnstore/cairn"

func root(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

type pkg struct {
	ImportPath string
	Imports    []string
	GoFiles    []string
	Dir        string
}

func packages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = root(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func rel(p string) string { return strings.TrimPrefix(strings.TrimPrefix(p, module), "/") }

func under(p, dir string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }

// rule says whether package from may import package to (both relative to
// the module; to may be outside it).
func allowed(from, to string) (bool, string) {
	inModule := !strings.Contains(strings.SplitN(to, "/", 2)[0], ".")
	if strings.HasPrefix(to, "github.com/aws/") {
		ok := under(from, "notify/replicate") || under(from, "cmd")
		return ok, "aws-sdk-go-v2 belongs to replication and the command-line tools, never to the server's core"
	}
	if !strings.HasPrefix(to, module) {
		if under(from, "log/event") && !inModule {
			return false, "log/event imports the standard library only"
		}
		return true, ""
	}
	to = rel(to)
	switch {
	case under(from, "httpapi") && !under(to, "httpapi") && !under(to, "engine") && to != "log/metrics":
		return false, "httpapi imports engine (and the metrics leaf) only"
	case under(to, "httpapi") && !under(from, "httpapi") && !under(from, "cmd"):
		return false, "nothing but cmd imports httpapi"
	case under(to, "cmd") && !under(from, "cmd"):
		return false, "nothing imports cmd"
	case under(to, "engine") && !under(from, "engine") && !under(from, "httpapi") && !under(from, "cmd"):
		return false, "engine is imported by httpapi and cmd only"
	case under(to, "notify") && !under(from, "notify") && !under(from, "cmd"):
		return false, "notify is imported by cmd only"
	case under(from, "log") && !under(to, "log"):
		return false, "log imports nothing of ours outside log"
	case under(from, "projections") && (under(to, "engine") || under(to, "httpapi") || under(to, "notify")):
		return false, "projections imports log only"
	case under(from, "log/event") && to != "log/event":
		return false, "log/event is the leaf"
	}
	return true, ""
}

func TestImportsFollowDesign(t *testing.T) {
	for _, p := range packages(t) {
		for _, imp := range p.Imports {
			if ok, why := allowed(rel(p.ImportPath), imp); !ok {
				t.Errorf("%s imports %s: %s", rel(p.ImportPath), imp, why)
			}
		}
	}
}

// goFiles lists the repository's tracked Go files.
func goFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	r := root(t)
	err := filepath.WalkDir(r, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != r {
			return filepath.SkipDir
		}
		if strings.HasSuffix(path, ".go") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestGofmt(t *testing.T) {
	out, err := exec.Command("gofmt", append([]string{"-l"}, goFiles(t)...)...).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("gofmt -l reports (run gofmt -w): %s %v", out, err)
	}
}

func TestGoVet(t *testing.T) {
	cmd := exec.Command("go", "vet", "-tags", "pebblegozstd", "./...")
	cmd.Dir = root(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go vet: %v\n%s", err, out)
	}
}

var (
	printCall = regexp.MustCompile(`\bfmt\.Print(f|ln)?\(`)
	sleepCall = regexp.MustCompile(`\btime\.Sleep\(`)
)

// sleepAllowed lists test files whose time.Sleep is the point (choosing a
// random moment), not a wait for some state.
var sleepAllowed = map[string]bool{"cmd/internal/crash/kill_test.go": true}

func TestBannedCalls(t *testing.T) {
	r := root(t)
	for _, f := range goFiles(t) {
		name, _ := filepath.Rel(r, f)
		isTest := strings.HasSuffix(name, "_test.go")
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		for line := 1; sc.Scan(); line++ {
			text := sc.Text()
			if strings.Contains(text, "lint:ignore") {
				continue
			}
			if !isTest && !under(name, "cmd") && printCall.MatchString(text) {
				t.Errorf("%s:%d: fmt.Print* outside cmd/: log through slog or return the text", name, line)
			}
			if isTest && !sleepAllowed[name] && sleepCall.MatchString(text) {
				t.Errorf("%s:%d: time.Sleep in a test: wait for the state itself", name, line)
			}
		}
		fh.Close()
	}
}

func TestRulesRefuseWhatDesignForbids(t *testing.T) {
	cases := []struct {
		from, to string
		ok       bool
	}{
		{"engine", module + "/httpapi", false},
		{"projections/catalog", module + "/engine", false},
		{"log/stream", module + "/projections/catalog", false},
		{"log/event", "github.com/zeebo/xxh3", false},
		{"engine", "github.com/aws/aws-sdk-go-v2/service/s3", false},
		{"httpapi", module + "/engine", true},
		{"engine", module + "/log/stream", true},
		{"cmd/internal/server", module + "/httpapi", true},
		{"log/stream", module + "/log/event", true},
		{"notify/replicate", "github.com/aws/aws-sdk-go-v2/service/s3", true},
		{"cmd/internal/watch", "github.com/aws/aws-sdk-go-v2/aws/signer/v4", true},
		{"notify", "github.com/aws/aws-sdk-go-v2/aws/signer/v4", false},
		{"notify", module + "/projections/catalog", true},
		{"notify", module + "/engine", false},
		{"engine", module + "/notify", false},
		{"httpapi", module + "/log/metrics", true},
		{"httpapi", module + "/log/stream", false},
	}
	for _, c := range cases {
		if ok, _ := allowed(c.from, c.to); ok != c.ok {
			t.Errorf("allowed(%s -> %s) = %v, want %v", c.from, c.to, ok, c.ok)
		}
	}
}
