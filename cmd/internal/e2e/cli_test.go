package e2e

import (
	"bytes"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cairnstore/cairn/cmd/internal/testserver"
)

// The machine ships python3 with boto3 and the aws CLI; the project's
// compatibility promise is tested against them, so their absence fails.
func requireTool(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s is required for the compatibility tests: %v\n%s", name, err, out)
	}
}

func TestBoto3Scenario(t *testing.T) {
	requireTool(t, "python3", "-c", "import boto3")
	for _, scheme := range []string{"http", "https"} {
		t.Run(scheme, func(t *testing.T) {
			var ts *testserver.TS
			env := []string{"TMPDIR_SCENARIO=" + t.TempDir()}
			if scheme == "https" {
				ts = testserver.Start(t, testserver.WithTLS(t))
				env = append(env, "CAIRN_CA_BUNDLE="+ts.Cfg.TLSCert)
			} else {
				ts = testserver.Start(t)
			}
			cmd := exec.Command("python3", filepath.Join("testdata", "boto3_scenario.py"))
			cmd.Env = append(append(os.Environ(), ts.Env()...), env...)
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "scenario passed") {
				t.Fatalf("boto3 scenario failed: %v\n%s", err, out)
			}
			t.Log(strings.TrimSpace(string(out)))
		})
	}
}

// aws runs the aws CLI against ts and returns its standard output.
func awsCLI(t *testing.T, ts *testserver.TS, stdin []byte, args ...string) string {
	t.Helper()
	cmd := exec.Command("aws", append([]string{"--endpoint-url", ts.Endpoint, "--output", "json"}, args...)...)
	cmd.Env = append(os.Environ(), ts.Env()...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("aws %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// randomFile writes n random bytes to dir/name and returns them and the path.
func randomFile(t *testing.T, dir, name string, n int) ([]byte, string) {
	t.Helper()
	data := make([]byte, n)
	_, _ = rand.Read(data)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return data, path
}

func TestAWSCLIScenario(t *testing.T) {
	requireTool(t, "aws", "--version")
	ts := testserver.Start(t)
	dir := t.TempDir()
	data, src := randomFile(t, dir, "src.bin", 2<<20+5)
	awsCLI(t, ts, nil, "s3", "mb", "s3://cli-bucket")
	awsCLI(t, ts, nil, "s3api", "put-object", "--bucket", "cli-bucket", "--key", "docs/a b.bin", "--body", src,
		"--metadata", "origin=cli", "--content-type", "application/x-cli")
	head := awsCLI(t, ts, nil, "s3api", "head-object", "--bucket", "cli-bucket", "--key", "docs/a b.bin")
	if !strings.Contains(head, `"origin": "cli"`) || !strings.Contains(head, `"ContentLength": 2097157`) ||
		!strings.Contains(head, "application/x-cli") {
		t.Fatalf("head-object: %s", head)
	}
	out := filepath.Join(dir, "out.bin")
	awsCLI(t, ts, nil, "s3api", "get-object", "--bucket", "cli-bucket", "--key", "docs/a b.bin", out)
	if got, _ := os.ReadFile(out); !bytes.Equal(got, data) {
		t.Fatal("get-object returned different bytes")
	}
	awsCLI(t, ts, nil, "s3", "cp", src, "s3://cli-bucket/copied/src.bin")
	awsCLI(t, ts, nil, "s3", "cp", "s3://cli-bucket/copied/src.bin", filepath.Join(dir, "cp.bin"))
	if got, _ := os.ReadFile(filepath.Join(dir, "cp.bin")); !bytes.Equal(got, data) {
		t.Fatal("s3 cp round trip returned different bytes")
	}
	list := awsCLI(t, ts, nil, "s3api", "list-objects-v2", "--bucket", "cli-bucket", "--prefix", "docs/")
	if !strings.Contains(list, `"Key": "docs/a b.bin"`) || strings.Contains(list, "copied/") {
		t.Fatalf("list-objects-v2: %s", list)
	}
	ls := awsCLI(t, ts, nil, "s3", "ls", "s3://cli-bucket", "--recursive")
	if !strings.Contains(ls, "docs/a b.bin") || !strings.Contains(ls, "copied/src.bin") {
		t.Fatalf("s3 ls: %s", ls)
	}
	awsCLI(t, ts, nil, "s3api", "delete-object", "--bucket", "cli-bucket", "--key", "docs/a b.bin")
	awsCLI(t, ts, nil, "s3", "rm", "s3://cli-bucket/copied/src.bin")
	awsCLI(t, ts, nil, "s3", "rb", "s3://cli-bucket")
	if ls := awsCLI(t, ts, nil, "s3", "ls"); strings.Contains(ls, "cli-bucket") {
		t.Fatalf("bucket still listed after rb: %s", ls)
	}
}

func TestSigV2AndPostUploadsWithBoto3(t *testing.T) {
	requireTool(t, "python3", "-c", "import boto3, requests")
	ts := testserver.Start(t)
	cmd := exec.Command("python3", filepath.Join("testdata", "auth_scenario.py"))
	cmd.Env = append(os.Environ(), ts.Env()...)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "auth scenario passed") {
		t.Fatalf("auth scenario failed: %v\n%s", err, out)
	}
}
