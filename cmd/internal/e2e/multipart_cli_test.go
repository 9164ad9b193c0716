package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cairnstore/cairn/cmd/internal/testserver"
)

func TestBoto3Multipart(t *testing.T) {
	requireTool(t, "python3", "-c", "import boto3")
	ts := testserver.Start(t)
	cmd := exec.Command("python3", filepath.Join("testdata", "boto3_multipart.py"))
	cmd.Env = append(append(os.Environ(), ts.Env()...), "TMPDIR_SCENARIO="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "multipart scenario passed") {
		t.Fatalf("boto3 multipart scenario failed: %v\n%s", err, out)
	}
	t.Log(strings.TrimSpace(string(out)))
}

// aws s3 cp uploads and downloads files above its 8 MiB multipart
// threshold in 8 MiB parts.
func TestAWSCLIMultipartCopy(t *testing.T) {
	requireTool(t, "aws", "--version")
	ts := testserver.Start(t)
	dir := t.TempDir()
	data, src := randomFile(t, dir, "big.bin", 17<<20+3)
	awsCLI(t, ts, nil, "s3", "mb", "s3://cli-mp")
	awsCLI(t, ts, nil, "s3", "cp", src, "s3://cli-mp/big.bin")
	head := awsCLI(t, ts, nil, "s3api", "head-object", "--bucket", "cli-mp", "--key", "big.bin", "--part-number", "3")
	if !strings.Contains(head, `"PartsCount": 3`) || !strings.Contains(head, `"ContentLength": 1048579`) || !strings.Contains(head, `-3\"`) {
		t.Fatalf("head-object --part-number 3: %s", head)
	}
	awsCLI(t, ts, nil, "s3", "cp", "s3://cli-mp/big.bin", filepath.Join(dir, "down.bin"))
	if got, _ := os.ReadFile(filepath.Join(dir, "down.bin")); !bytes.Equal(got, data) {
		t.Fatal("aws s3 cp round trip returned different bytes")
	}
	if ups := awsCLI(t, ts, nil, "s3api", "list-multipart-uploads", "--bucket", "cli-mp"); strings.Contains(ups, "UploadId") {
		t.Fatalf("uploads left after cp: %s", ups)
	}
}
