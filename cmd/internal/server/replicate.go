package server

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/notify/replicate"
)

// startReplication starts a replication consumer per declared site, once
// the engine (which reads their bytes and records their outcomes) exists.
func (s *Server) startReplication(ctx context.Context, eng *engine.Engine) error {
	lg := s.cfg.Logger.With("component", "replicate")
	for _, t := range s.cfg.Replicate.Targets {
		lg.Info("replication site", "site", t) // TargetSpec.LogValue leaves the secret out
	}
	var err error
	s.rep, err = replicate.Start(ctx, replicate.Options{Log: s.log, Index: s.cat, Applied: s.run, Store: replStore{eng},
		Targets: s.cfg.Replicate.Targets, Metrics: s.reg, Logger: lg, Tuning: s.cfg.ReplicateTuning})
	return err
}

// replStore adapts the engine to what replication needs of it.
type replStore struct{ e *engine.Engine }

// Open reads n bytes from off of the version of key made by the event at
// seq; replicate.ErrGone when it was replaced or removed since.
func (r replStore) Open(ctx context.Context, bucket, key, vid string, seq uint64, off, n int64) (io.ReadCloser, error) {
	in := engine.ReadInput{Bucket: bucket, Key: key, VersionID: vid}
	if n == 0 {
		o, _, err := r.e.HeadObject(ctx, in)
		if err == nil && o.Seq != seq {
			err = replicate.ErrGone
		}
		return io.NopCloser(strings.NewReader("")), gone(err)
	}
	in.Range = &engine.Range{Start: off, End: off + n - 1}
	o, c, err := r.e.GetObject(ctx, in)
	if err != nil {
		return nil, gone(err)
	}
	if o.Seq != seq {
		c.Close()
		return nil, replicate.ErrGone
	}
	return c, nil
}

func gone(err error) error {
	if errors.Is(err, engine.ErrNoSuchKey) || errors.Is(err, engine.ErrNoSuchVersion) || errors.Is(err, engine.ErrNoSuchBucket) {
		return replicate.ErrGone
	}
	return err
}

// Record appends a replication outcome.
func (r replStore) Record(ctx context.Context, o replicate.Outcome) error {
	return r.e.RecordReplication(ctx, engine.ReplicationOutcome{Bucket: o.Bucket, BucketID: o.BucketID, Key: o.Key,
		VersionID: o.VersionID, Seq: o.Seq, Dest: o.Dest, Status: o.Status, RemoteVersionID: o.RemoteVersionID, Reason: o.Reason})
}

// Replication is the server's replication service.
func (s *Server) Replication() *replicate.Service { return s.rep }
