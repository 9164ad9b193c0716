package server

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/cairnstore/cairn/log/metrics"
)

// Metrics is the server's registry, for components wired later.
func (s *Server) Metrics() *metrics.Registry { return s.reg }

// logMetrics exposes the log and projection positions as gauges updated
// at scrape time.
func (s *Server) logMetrics() {
	applied := s.reg.Gauge("cairn_index_applied_seq", "Last event sequence applied to the index.")
	last := s.reg.Gauge("cairn_log_last_seq", "Last event sequence in the stream.")
	singles := s.reg.Gauge("cairn_log_appends_single_total", "Events appended on their own.")
	batches := s.reg.Gauge("cairn_log_atomic_batches_total", "Atomic batches committed (group commit and multi-event operations).")
	batched := s.reg.Gauge("cairn_log_batched_events_total", "Events appended inside atomic batches.")
	s.refresh = func() {
		applied.With().Set(float64(s.run.Applied()))
		st := s.log.Stats()
		singles.With().Set(float64(st.Singles))
		batches.With().Set(float64(st.Batches))
		batched.With().Set(float64(st.Batched))
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if state, err := s.log.State(ctx); err == nil {
			last.With().Set(float64(state.LastSeq))
		}
	}
}

// MetricsHandler serves the registry in the Prometheus text format.
func (s *Server) MetricsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.refresh != nil {
			s.refresh()
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		s.reg.Write(w)
	})
}

func (s *Server) listenMetrics() error {
	if s.cfg.MetricsListen == "" {
		return nil
	}
	ln, err := net.Listen("tcp", s.cfg.MetricsListen)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", s.MetricsHandler())
	s.mhttp = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.mhttp.Serve(ln) }()
	s.cfg.Logger.Info("metrics", "addr", ln.Addr().String())
	return nil
}
