package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cairnstore/cairn/log/stream"
	"github.com/cairnstore/cairn/projections/catalog"
	"github.com/cairnstore/cairn/projections/runner"
)

// Rebuild recreates the index from the event log alone, reporting progress
// to out (a terminal gets one updating line, anything else a line every
// few seconds), and swaps it in place of the old index. The server must be
// stopped (the data dir lock is taken).
func Rebuild(ctx context.Context, cfg Config, out io.Writer, terminal bool) error {
	if err := cfg.defaults(); err != nil {
		return err
	}
	lock, err := lockDir(cfg.DataDir)
	if err != nil {
		return err
	}
	defer lock.Close()
	log, err := OpenLog(ctx, cfg)
	if err != nil {
		return err
	}
	defer log.Close()
	return rebuildIndex(ctx, cfg, log, out, terminal)
}

// rebuildIndex rebuilds the index from log into a new directory and swaps
// it in place of the old one.
func rebuildIndex(ctx context.Context, cfg Config, log *stream.Log, out io.Writer, terminal bool) error {
	tmp := filepath.Join(cfg.DataDir, indexDir+".rebuild")
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	cat, err := catalog.Open(catalog.Options{Dir: tmp, Logger: cfg.Logger})
	if err != nil {
		return err
	}
	interval := 2 * time.Second
	if terminal {
		interval = 200 * time.Millisecond
	}
	p, err := runner.Rebuild(ctx, log, cat, interval, func(p runner.Progress) { report(out, p, terminal) })
	if err != nil {
		cat.Close()
		return fmt.Errorf("rebuild: %w", err)
	}
	report(out, p, terminal)
	if terminal {
		fmt.Fprintln(out)
	}
	buckets, err := cat.Buckets()
	if err != nil {
		cat.Close()
		return err
	}
	if err := cat.Close(); err != nil {
		return err
	}
	if err := swapIndex(cfg.DataDir, tmp); err != nil {
		return err
	}
	fmt.Fprintf(out, "rebuilt the index from the log: %d events in %s (%.0f events/s), %d buckets\n",
		p.Applied, p.Elapsed.Round(time.Millisecond), p.Rate, len(buckets))
	return nil
}

// openIndex opens the index; one written with another key layout (an older
// or newer binary's) is rebuilt from the log first, so a data directory
// keeps working across an upgrade that changes the layout.
func openIndex(ctx context.Context, cfg Config, log *stream.Log) (*catalog.Catalog, error) {
	o := catalog.Options{Dir: filepath.Join(cfg.DataDir, indexDir), Logger: cfg.Logger}
	cat, err := catalog.Open(o)
	if !errors.Is(err, catalog.ErrFormat) {
		return cat, err
	}
	cfg.Logger.Warn("the index was written with another layout: rebuilding it from the event log", "err", err)
	if err := rebuildIndex(ctx, cfg, log, logWriter{cfg.Logger}, false); err != nil {
		return nil, fmt.Errorf("rebuilding the index: %w", err)
	}
	return catalog.Open(o)
}

// logWriter turns progress lines into info log lines.
type logWriter struct{ l *slog.Logger }

func (w logWriter) Write(p []byte) (int, error) {
	w.l.Info(strings.TrimSpace(string(p)))
	return len(p), nil
}

// swapIndex replaces the index with the rebuilt one. A crash in between
// leaves no index, which the next start rebuilds from the log anyway.
func swapIndex(dataDir, rebuilt string) error {
	cur := filepath.Join(dataDir, indexDir)
	old := cur + ".old"
	if err := os.RemoveAll(old); err != nil {
		return err
	}
	if err := os.Rename(cur, old); err != nil && !os.IsNotExist(err) {
		return err
	}
	if err := os.Rename(rebuilt, cur); err != nil {
		return err
	}
	return os.RemoveAll(old)
}

func report(out io.Writer, p runner.Progress, terminal bool) {
	pct := 100.0
	if p.Total > 0 {
		pct = 100 * float64(p.Applied) / float64(p.Total)
	}
	line := fmt.Sprintf("applied %d of %d events (%.1f%%), %.0f events/s, %s left",
		p.Applied, p.Total, pct, p.Rate, p.Left.Round(time.Second))
	if terminal {
		fmt.Fprintf(out, "\r\033[K%s", line)
		return
	}
	fmt.Fprintln(out, line)
}
