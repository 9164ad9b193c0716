// Package streamtest starts an embedded JetStream-backed Log for tests.
package streamtest

import (
	"context"
	"testing"

	"github.com/cairnstore/cairn/log/stream"
)

// Open starts an embedded NATS server with JetStream in a temporary
// directory and returns a Log on it, closed when the test ends. Pass
// options to change anything but the store directory.
func Open(t testing.TB, o stream.Options) *stream.Log {
	t.Helper()
	if o.Embedded.Dir == "" {
		o.Embedded.Dir = t.TempDir()
	}
	l, err := stream.Open(context.Background(), o)
	if err != nil {
		t.Fatalf("streamtest: %v", err)
	}
	t.Cleanup(l.Close)
	return l
}
