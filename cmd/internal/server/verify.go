package server

import (
	"context"
	"fmt"
	"io"

	"github.com/cairnstore/cairn/engine/blob"
	"github.com/cairnstore/cairn/log/metrics"
	"github.com/cairnstore/cairn/projections/runner"
)

// maxListed bounds the problems listed one per line.
const maxListed = 50

// Verify checks the node's segments against the index offline (the server
// must be stopped): every record an object or part references must be in
// place and verify, block by block. It prints a summary to out and
// returns the number of problems found.
func Verify(ctx context.Context, cfg Config, out io.Writer) (int, error) {
	if err := cfg.defaults(); err != nil {
		return 0, err
	}
	lock, err := lockDir(cfg.DataDir)
	if err != nil {
		return 0, err
	}
	defer lock.Close()
	node, err := nodeID(cfg.DataDir)
	if err != nil {
		return 0, err
	}
	log, err := OpenLog(ctx, cfg)
	if err != nil {
		return 0, err
	}
	defer log.Close()
	cat, err := openIndex(ctx, cfg, log)
	if err != nil {
		return 0, err
	}
	defer cat.Close()
	if _, err := runner.Rebuild(ctx, log, cat, 1<<62, func(runner.Progress) {}); err != nil {
		return 0, fmt.Errorf("catching the index up with the log: %w", err)
	}
	blobs, err := openBlobs(cfg, node, metrics.New())
	if err != nil {
		return 0, err
	}
	defer blobs.Close()
	rep, err := blob.Verify(ctx, blobs, cat, nil)
	if err != nil {
		return 0, err
	}
	printReport(out, &rep)
	return rep.Problems(), nil
}

func printReport(out io.Writer, r *blob.VerifyReport) {
	fmt.Fprintf(out, "checked %d disks, %d segments (%s)\n", r.Disks, r.Segments, bytesString(r.SegmentBytes))
	fmt.Fprintf(out, "live: %d records (%s), every block read and verified\n", r.LiveRecords, bytesString(r.LiveBytes))
	pct := 0.0
	if r.SegmentBytes > 0 {
		pct = 100 * float64(r.GarbageBytes) / float64(r.SegmentBytes)
	}
	fmt.Fprintf(out, "garbage: %d unreferenced records, %s (%.1f%% of segment bytes; compaction reclaims it)\n",
		r.GarbageRecords, bytesString(r.GarbageBytes), pct)
	for _, l := range []struct {
		what  string
		lines []string
	}{{"offline disk", r.Offline}, {"broken segment", r.Broken}, {"missing data", r.Missing}, {"corrupt data", r.Corrupt}} {
		for i, line := range l.lines {
			if i == maxListed {
				fmt.Fprintf(out, "%s: ... and %d more\n", l.what, len(l.lines)-maxListed)
				break
			}
			fmt.Fprintf(out, "%s: %s\n", l.what, line)
		}
	}
	if n := r.Problems(); n > 0 {
		fmt.Fprintf(out, "FAILED: %d problems\n", n)
		return
	}
	fmt.Fprintln(out, "OK: every referenced record is in place and verifies")
}

func bytesString(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
