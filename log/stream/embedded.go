package stream

import (
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// EmbeddedOptions configures the in-process NATS server.
type EmbeddedOptions struct {
	Dir        string // JetStream store directory
	SyncAlways bool   // fsync every stored message before acknowledging it
	// Listen, when set (host:port), also opens a NATS client port, e.g. for
	// the nats CLI. By default there is no network listener at all.
	Listen string
	Logger *slog.Logger
}

// StartEmbedded starts a JetStream-enabled NATS server inside this process.
func StartEmbedded(o EmbeddedOptions) (*server.Server, error) {
	opts := &server.Options{
		ServerName:         "cairn",
		DontListen:         o.Listen == "",
		JetStream:          true,
		StoreDir:           o.Dir,
		SyncAlways:         o.SyncAlways,
		JetStreamMaxMemory: 256 << 20,
		MaxPayload:         8 << 20,
		NoSigs:             true,
		NoLog:              o.Logger == nil,
	}
	if o.Listen != "" {
		host, port, err := net.SplitHostPort(o.Listen)
		if err != nil {
			return nil, fmt.Errorf("stream: nats listen address %q: %w", o.Listen, err)
		}
		p, err := strconv.Atoi(port)
		if err != nil {
			return nil, fmt.Errorf("stream: nats listen port %q: %w", port, err)
		}
		if p == 0 {
			p = -1 // nats-server reads 0 as its default port 4222; -1 picks a free one
		}
		opts.Host, opts.Port = host, p
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("stream: embedded nats: %w", err)
	}
	if o.Logger != nil {
		s.SetLoggerV2(slogAdapter{o.Logger.With("component", "nats")}, false, false, false)
	}
	s.Start()
	if !s.ReadyForConnections(60 * time.Second) {
		s.Shutdown()
		return nil, fmt.Errorf("stream: embedded nats did not start within 60s")
	}
	return s, nil
}

// slogAdapter routes nats-server's log lines to slog.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Noticef(format string, v ...any) { a.l.Debug(fmt.Sprintf(format, v...)) }
func (a slogAdapter) Warnf(format string, v ...any)   { a.l.Warn(fmt.Sprintf(format, v...)) }
func (a slogAdapter) Fatalf(format string, v ...any)  { a.l.Error(fmt.Sprintf(format, v...)) }
func (a slogAdapter) Errorf(format string, v ...any)  { a.l.Error(fmt.Sprintf(format, v...)) }
func (a slogAdapter) Debugf(format string, v ...any)  { a.l.Debug(fmt.Sprintf(format, v...)) }
func (a slogAdapter) Tracef(format string, v ...any)  {}
