// Package crash holds tests that run the real cairn binary as a child
// process and kill it.
package crash

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

var binary string // built once by TestMain

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cairn-crash-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "cairn")
	build := exec.Command("go", "build", "-o", binary, "../../cairn")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building cairn: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const (
	accessKey = "AKIDCRASHTEST"
	secretKey = "crash-test-secret-key"
)

// proc is a cairn server child process.
type proc struct {
	cmd      *exec.Cmd
	endpoint string
	stderr   *strings.Builder
}

// startProc runs "cairn server" on dir and waits until it listens.
func startProc(t *testing.T, dir string, extra ...string) *proc {
	t.Helper()
	return startProcEnv(t, dir, nil, extra...)
}

// startProcEnv is startProc with more environment variables.
func startProcEnv(t *testing.T, dir string, env []string, extra ...string) *proc {
	t.Helper()
	args := append([]string{"server", "--data", dir, "--listen", "127.0.0.1:0"}, extra...)
	cmd := exec.Command(binary, args...)
	cmd.Env = append(append(os.Environ(), "CAIRN_ROOT_ACCESS_KEY="+accessKey, "CAIRN_ROOT_SECRET_KEY="+secretKey), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, stderr: &strings.Builder{}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "cairn: listening on "); ok {
				found <- u
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case p.endpoint = <-found:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("cairn did not start within 60s:\n%s", p.stderr.String())
	}
	return p
}

func (p *proc) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Wait()
}

func (p *proc) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("cairn exited with %v:\n%s", err, p.stderr.String())
	}
}

func (p *proc) client() *s3.Client {
	return s3.New(s3.Options{
		BaseEndpoint: aws.String(p.endpoint), UsePathStyle: true, Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(accessKey, secretKey, ""),
		HTTPClient:  &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 30 * time.Second},
	})
}

var ctx = context.Background()
