// Package testserver runs a whole cairn server in the test's process: the
// same wiring as production, embedded NATS with JetStream in a temporary
// directory, and the S3 API on a random loopback port.
package testserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/cairnstore/cairn/cmd/internal/server"
)

// TS is a running test server.
type TS struct {
	*server.Server
	Cfg      server.Config
	Endpoint string // http(s)://127.0.0.1:port
}

// Start starts a server; edit adjusts its configuration first. It is
// closed when the test ends.
func Start(t testing.TB, edit ...func(*server.Config)) *TS {
	t.Helper()
	cfg := server.Config{
		DataDir: t.TempDir(),
		Listen:  "127.0.0.1:0",
		Region:  "us-east-1",
		Root:    server.RootCredentials{AccessKey: "AKID" + strings.ToUpper(randHex(8)), SecretKey: randHex(20)},
		Logger:  slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	for _, e := range edit {
		e(&cfg)
	}
	return StartConfig(t, cfg)
}

// StartConfig starts a server with exactly cfg (e.g. to restart on the
// same data directory).
func StartConfig(t testing.TB, cfg server.Config) *TS {
	t.Helper()
	s, err := server.Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("testserver: %v", err)
	}
	ts := &TS{Server: s, Cfg: cfg, Endpoint: s.URL()}
	t.Cleanup(func() { ts.Stop(t) })
	return ts
}

// Stop closes the server (idempotent).
func (ts *TS) Stop(t testing.TB) {
	t.Helper()
	if ts.Server == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := ts.Server.Close(ctx); err != nil {
		t.Errorf("testserver: close: %v", err)
	}
	ts.Server = nil
}

// S3 returns an aws-sdk-go-v2 client for the root user, path style.
func (ts *TS) S3(t testing.TB, opts ...func(*s3.Options)) *s3.Client {
	t.Helper()
	root := ts.Cfg.Root
	base := []func(*s3.Options){func(o *s3.Options) {
		o.BaseEndpoint = aws.String(ts.Endpoint)
		o.UsePathStyle = true
		o.Region = ts.Cfg.Region
		o.Credentials = credentials.NewStaticCredentialsProvider(root.AccessKey, root.SecretKey, "")
		o.HTTPClient = ts.HTTPClient(t)
		o.RetryMaxAttempts = 1
	}}
	return s3.New(s3.Options{}, append(base, opts...)...)
}

// Env is the environment a CLI tool needs to reach the server as root.
func (ts *TS) Env() []string {
	return []string{"AWS_ACCESS_KEY_ID=" + ts.Cfg.Root.AccessKey, "AWS_SECRET_ACCESS_KEY=" + ts.Cfg.Root.SecretKey,
		"AWS_DEFAULT_REGION=" + ts.Cfg.Region, "AWS_REGION=" + ts.Cfg.Region, "CAIRN_ENDPOINT=" + ts.Endpoint,
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true"}
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// testWriter sends server logs to the test log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
