package bench

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"text/tabwriter"
	"time"
)

const usageHead = `usage: cairn bench --endpoint URL [flags]

Drives PUT, GET or mixed load against any S3 endpoint (cairn, MinIO, AWS)
and prints throughput and latency percentiles. Compare servers by running
the same command against each in one sitting and comparing the ratios.

flags:
`

// parseArgs turns the arguments after "cairn bench" into Options.
func parseArgs(args []string, stderr io.Writer) (Options, error) {
	o := DefaultOptions()
	envAccess, envSecret := o.AccessKey, o.SecretKey
	fs := flag.NewFlagSet("cairn bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageHead)
		fs.PrintDefaults()
	}
	fs.StringVar(&o.Endpoint, "endpoint", "", "S3 endpoint URL, e.g. http://127.0.0.1:9000 (required)")
	fs.StringVar(&o.Region, "region", o.Region, "signing region")
	fs.StringVar(&o.AccessKey, "access-key", "", "access key (default $CAIRN_ROOT_ACCESS_KEY, then $AWS_ACCESS_KEY_ID)")
	fs.StringVar(&o.SecretKey, "secret-key", "", "secret key (default $CAIRN_ROOT_SECRET_KEY, then $AWS_SECRET_ACCESS_KEY)")
	fs.StringVar(&o.Bucket, "bucket", o.Bucket, "bucket to use; created if missing")
	fs.StringVar(&o.Op, "op", o.Op, "operation: put, get or mixed")
	fs.Var(sizeFlag{&o.Size}, "size", "object size: 4096, 4KiB, 16MiB, 1MB (10^6), 1GiB, 4k (4096)")
	fs.IntVar(&o.Concurrency, "concurrency", o.Concurrency, "concurrent workers (one connection each)")
	fs.IntVar(&o.Concurrency, "c", o.Concurrency, "shorthand for --concurrency")
	fs.DurationVar(&o.Duration, "duration", o.Duration, "measured duration")
	fs.DurationVar(&o.Duration, "d", o.Duration, "shorthand for --duration")
	fs.IntVar(&o.Keys, "keys", o.Keys, fmt.Sprintf("key space; pre-populated for get and mixed (capped to %s of data, but not below --concurrency)", FormatSize(MaxKeySpaceBytes)))
	fs.Float64Var(&o.GetRatio, "get-ratio", o.GetRatio, "fraction of GETs in a mixed run")
	fs.StringVar(&o.Checksum, "checksum", o.Checksum, "when_required (no client checksums) or when_supported (SDK default: CRC32)")
	fs.StringVar(&o.Payload, "payload", o.Payload, "unsigned (UNSIGNED-PAYLOAD) or signed (SHA-256 of every body, SDK default)")
	fs.BoolVar(&o.PathStyle, "path-style", o.PathStyle, "path-style addressing (--path-style=false for virtual-hosted style)")
	fs.DurationVar(&o.Warmup, "warmup", o.Warmup, "warm-up before measuring; its operations are not counted")
	fs.DurationVar(&o.Timeout, "timeout", o.Timeout, "per-request limit, body included (0 = none)")
	fs.BoolVar(&o.Insecure, "insecure", false, "skip TLS certificate verification")
	fs.BoolVar(&o.JSON, "json", false, "print one JSON object instead of the table")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	// The keys' defaults from the environment are applied after parsing so
	// that the usage text never prints them.
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["access-key"] {
		o.AccessKey = envAccess
	}
	if !set["secret-key"] {
		o.SecretKey = envSecret
	}
	if err := o.normalize(); err != nil {
		return o, err
	}
	return o, nil
}

// Main runs "cairn bench" with the arguments after the subcommand name and
// returns the process exit code: 0 when at least one operation succeeded, 1
// when setup failed or no operation succeeded, 2 for bad usage, 130 when
// interrupted.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "cairn bench: %v\n", err)
		return 2
	}
	o.Progress = stderr
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()

	if !o.JSON {
		fmt.Fprintf(stderr, "cairn bench: %s %s x%d for %s (+%s warm-up) against %s, bucket %s, payload %s, checksum %s\n",
			o.Op, FormatSize(o.Size), o.Concurrency, o.Duration, o.Warmup, redactURL(o.Endpoint), o.Bucket, o.Payload, o.Checksum)
	}
	res, err := Run(ctx, o)
	if err != nil {
		fmt.Fprintf(stderr, "cairn bench: %v\n", err)
		return 1
	}
	if o.JSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(toJSON(o, res)); err != nil {
			fmt.Fprintf(stderr, "cairn bench: %v\n", err)
			return 1
		}
	} else {
		printTable(stdout, res)
	}
	switch {
	case res.Interrupted:
		fmt.Fprintln(stderr, "cairn bench: interrupted")
		return 130
	case res.Ops == 0:
		fmt.Fprintln(stderr, "cairn bench: no operation succeeded")
		return 1
	}
	return 0
}

func printTable(w io.Writer, r Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "op     \tsize\tconc\tduration\tops\terrors\tobj/s\tMiB/s\tp50\tp90\tp99\tmax\t")
	row := func(op string, ops, errs int64, objs, mibs float64, p50, p90, p99, mx time.Duration) {
		fmt.Fprintf(tw, "%-7s\t%s\t%d\t%s\t%d\t%d\t%.1f\t%.2f\t%s\t%s\t%s\t%s\t\n",
			op, FormatSize(r.Size), r.Concurrency, fmtDur(r.Duration), ops, errs, objs, mibs,
			fmtDur(p50), fmtDur(p90), fmtDur(p99), fmtDur(mx))
	}
	row(r.Op, r.Ops, r.Errors, r.ObjPerSec, r.MiBPerSec, r.P50, r.P90, r.P99, r.Max)
	for _, p := range r.PerOp {
		row("  "+p.Op, p.Ops, p.Errors, p.ObjPerSec, p.MiBPerSec, p.P50, p.P90, p.P99, p.Max)
	}
	tw.Flush()
	if r.Keys < r.KeysRequested {
		fmt.Fprintf(w, "note: key space capped from %d to %d objects (at most %s of data)\n",
			r.KeysRequested, r.Keys, FormatSize(MaxKeySpaceBytes))
	}
	if len(r.ErrorSamples) > 0 {
		fmt.Fprintln(w, "errors:")
		for _, e := range r.ErrorSamples {
			fmt.Fprintf(w, "  %6d x %s\n", e.Count, e.Message)
		}
	}
}

// fmtDur prints a latency with three significant digits.
func fmtDur(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d >= 100*time.Second:
		return fmt.Sprintf("%.0fs", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.3gs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.3gms", float64(d)/float64(time.Millisecond))
	case d >= time.Microsecond:
		return fmt.Sprintf("%.3gµs", float64(d)/float64(time.Microsecond))
	}
	return fmt.Sprintf("%dns", int64(d))
}

// JSONResult is the --json output. Latencies are in milliseconds.
type JSONResult struct {
	Endpoint      string        `json:"endpoint"`
	Bucket        string        `json:"bucket"`
	Op            string        `json:"op"`
	Size          int64         `json:"size"`
	SizeHuman     string        `json:"size_human"`
	Concurrency   int           `json:"concurrency"`
	Keys          int           `json:"keys"`
	KeysRequested int           `json:"keys_requested"`
	Payload       string        `json:"payload"`
	Checksum      string        `json:"checksum"`
	DurationSec   float64       `json:"duration_s"`
	WarmupSec     float64       `json:"warmup_s"`
	Interrupted   bool          `json:"interrupted,omitempty"`
	JSONOpStats                 // totals
	PerOp         []JSONOpStats `json:"per_op,omitempty"`
	Errs          []ErrorJSON   `json:"error_samples,omitempty"`
}

// JSONOpStats is one row of the --json output.
type JSONOpStats struct {
	Op        string  `json:"op_kind,omitempty"`
	Ops       int64   `json:"ops"`
	Errors    int64   `json:"errors"`
	Bytes     int64   `json:"bytes"`
	ObjPerSec float64 `json:"obj_per_sec"`
	MiBPerSec float64 `json:"mib_per_sec"`
	P50ms     float64 `json:"p50_ms"`
	P90ms     float64 `json:"p90_ms"`
	P99ms     float64 `json:"p99_ms"`
	MaxMs     float64 `json:"max_ms"`
	MeanMs    float64 `json:"mean_ms"`
}

// ErrorJSON is one distinct error in the --json output.
type ErrorJSON struct {
	Message string `json:"message"`
	Count   int64  `json:"count"`
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func toJSON(o Options, r Result) JSONResult {
	j := JSONResult{
		Endpoint:      redactURL(o.Endpoint),
		Bucket:        o.Bucket,
		Op:            r.Op,
		Size:          r.Size,
		SizeHuman:     FormatSize(r.Size),
		Concurrency:   r.Concurrency,
		Keys:          r.Keys,
		KeysRequested: r.KeysRequested,
		Payload:       o.Payload,
		Checksum:      o.Checksum,
		DurationSec:   r.Duration.Seconds(),
		WarmupSec:     o.Warmup.Seconds(),
		Interrupted:   r.Interrupted,
		JSONOpStats: JSONOpStats{
			Ops: r.Ops, Errors: r.Errors, Bytes: r.Bytes,
			ObjPerSec: r.ObjPerSec, MiBPerSec: r.MiBPerSec,
			P50ms: ms(r.P50), P90ms: ms(r.P90), P99ms: ms(r.P99), MaxMs: ms(r.Max), MeanMs: ms(r.Mean),
		},
	}
	for _, p := range r.PerOp {
		j.PerOp = append(j.PerOp, JSONOpStats{
			Op: p.Op, Ops: p.Ops, Errors: p.Errors, Bytes: p.Bytes,
			ObjPerSec: p.ObjPerSec, MiBPerSec: p.MiBPerSec,
			P50ms: ms(p.P50), P90ms: ms(p.P90), P99ms: ms(p.P99), MaxMs: ms(p.Max), MeanMs: ms(p.Mean),
		})
	}
	for _, e := range r.ErrorSamples {
		j.Errs = append(j.Errs, ErrorJSON(e))
	}
	return j
}
