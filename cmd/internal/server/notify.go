package server

import (
	"context"
	"errors"
	"fmt"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/httpapi"
	"github.com/cairnstore/cairn/log/stream"
	"github.com/cairnstore/cairn/notify"
	"github.com/cairnstore/cairn/projections/catalog"
)

// startNotify builds the declared destinations and starts their delivery
// consumers, once the index has caught up with the log.
func (s *Server) startNotify(ctx context.Context) error {
	targets, err := s.cfg.Notify.Targets(s.log, stream.CheckPublishSubject)
	if err != nil {
		return err
	}
	lg := s.cfg.Logger.With("component", "notify")
	for _, t := range targets {
		desc := t.ID()
		if st, ok := t.(fmt.Stringer); ok {
			desc = st.String() // never the token
		}
		lg.Info("notification destination", "arn", t.ARN(), "target", desc)
	}
	s.ntf, err = notify.Start(ctx, notify.Options{Log: s.log, Index: s.cat, Applied: s.run, Targets: targets,
		Region: s.cfg.Region, Metrics: s.reg, Logger: lg, Tuning: s.cfg.NotifyTuning})
	return err
}

// listener adapts notify's live subscriptions to the HTTP API.
type listener struct{ n *notify.Service }

func (l listener) Listen(ctx context.Context, in httpapi.ListenInput) (httpapi.ListenStream, error) {
	ls, err := l.n.Listen(ctx, notify.ListenOptions{Bucket: in.Bucket, FromSeq: in.FromSeq, Since: in.Since,
		Filter: notify.Filter{Events: in.Events, Prefix: in.Prefix, Suffix: in.Suffix}})
	if errors.Is(err, notify.ErrNoSuchBucket) {
		return nil, engine.ErrNoSuchBucket
	}
	if err != nil {
		return nil, err
	}
	return ls, nil
}

// Log is the server's event log (for tests and tools in cmd).
func (s *Server) Log() *stream.Log { return s.log }

// Catalog is the server's index (for tests and tools in cmd).
func (s *Server) Catalog() *catalog.Catalog { return s.cat }

// Notify is the server's notification service.
func (s *Server) Notify() *notify.Service { return s.ntf }
