package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/cairnstore/cairn/cmd/internal/server"
	"github.com/cairnstore/cairn/notify"
	"github.com/cairnstore/cairn/notify/replicate"
)

// serverFlags registers the flags shared by server, rebuild and verify.
func serverFlags(fs *flag.FlagSet, cfg *server.Config) *string {
	fs.StringVar(&cfg.DataDir, "data", "./data", "data directory (event log, index, segments)")
	fs.Var((*listFlag)(&cfg.Disks), "disk", "a data disk directory for object bytes (repeat, or a comma list); "+
		"without it they go to <data>/segments")
	fs.StringVar(&cfg.Region, "region", "us-east-1", "the region this endpoint serves")
	fs.StringVar(&cfg.NATSURL, "nats", "", "URL of an external NATS cluster (default: embedded NATS in --data)")
	fs.IntVar(&cfg.NATSReplicas, "nats-replicas", 1, "stream replicas on an external NATS cluster")
	fs.StringVar(&cfg.Durability, "durability", server.DurabilityPower,
		`"power": fsync bytes and events before acknowledging (survives power loss); `+
			`"process": no fsync, survives kill -9 of cairn but NOT power loss`)
	level := fs.String("log-level", "info", "debug, info, warn or error")
	return level
}

// parse parses args and returns the logger --log-level asks for, or false
// after telling stderr what is wrong.
func parse(fs *flag.FlagSet, args []string, level *string, stderr io.Writer) (*slog.Logger, bool) {
	if err := fs.Parse(args); err != nil {
		return nil, false
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintln(stderr, "cairn: --log-level:", err)
		return nil, false
	}
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: l})), true
}

func serverCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var cfg server.Config
	fs := flag.NewFlagSet("cairn server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	level := serverFlags(fs, &cfg)
	fs.StringVar(&cfg.Listen, "listen", ":9000", "S3 API listen address")
	fs.StringVar(&cfg.NATSListen, "nats-listen", "", "embedded NATS: also accept NATS clients on this address (e.g. 127.0.0.1:4222)")
	fs.Int64Var(&cfg.SegmentSize, "segment-size", 1<<30, "roll segment files at this size in bytes")
	backgroundFlags(fs, &cfg)
	fs.StringVar(&cfg.Advertise, "advertise", "", "URL other gateways on the same NATS use to read this one's bytes (default: from --listen, with the host name when it listens on every interface)")
	fs.StringVar(&cfg.TLSCert, "tls-cert", "", "PEM certificate file: serve HTTPS (with --tls-key)")
	fs.StringVar(&cfg.TLSKey, "tls-key", "", "PEM private key file for --tls-cert")
	fs.StringVar(&cfg.MetricsListen, "metrics-listen", "", "serve Prometheus metrics at /metrics on this address (off by default)")
	debugListen := fs.String("debug-listen", "", "serve Go profiling (/debug/pprof) on this address; off by default, never expose it")
	fs.Int64Var(&cfg.MinPartSize, testMinPartSize, 0, "TEST ONLY: minimum multipart part size in bytes (S3: 5 MiB)")
	crashAt := fs.String(testCrashAt, "", "TEST ONLY: exit at once at this compaction step")
	hideFlags(fs, testMinPartSize, testCrashAt)
	domains := fs.String("domain", "", "comma-separated domains for virtual-host style requests (<bucket>.<domain>)")
	var webhooks, natsSubjects repeated
	fs.Var(&webhooks, "notify-webhook", "notification destination ID=URL[,token=T][,timeout=D] (repeatable): arn:cairn:sqs::ID:webhook")
	fs.Var(&natsSubjects, "notify-nats", "notification destination ID=SUBJECT on cairn's NATS (repeatable): arn:cairn:sqs::ID:nats")
	notifyConfig := fs.String("notify-config", "", "JSON file declaring notification destinations (see README, Notifications)")
	var replTargets repeated
	fs.Var(&replTargets, "replication-target", "replication site ID=URL[,region=R][,generic] (repeatable); its keys in "+
		"CAIRN_REPLICATION_<ID>_ACCESS_KEY and _SECRET_KEY; rules name it arn:cairn:s3::ID:BUCKET")
	replConfig := fs.String("replication-config", "", "JSON file declaring replication sites (see README, Replication)")
	lg, ok := parse(fs, args, level, stderr)
	if !ok {
		return 2
	}
	var err error
	if cfg.Notify, err = declarations(webhooks, natsSubjects, *notifyConfig); err != nil {
		fmt.Fprintln(stderr, "cairn:", err)
		return 2
	}
	if cfg.Replicate, err = replicationSites(replTargets, *replConfig, os.Getenv); err != nil {
		fmt.Fprintln(stderr, "cairn:", err)
		return 2
	}
	if *domains != "" {
		cfg.Domains = strings.Split(*domains, ",")
	}
	cfg.Logger, cfg.Stdout = lg, stdout
	if *crashAt != "" {
		cfg.Compaction.Hook = crashHook(*crashAt)
	}
	cfg.Root = server.RootCredentials{AccessKey: os.Getenv("CAIRN_ROOT_ACCESS_KEY"), SecretKey: os.Getenv("CAIRN_ROOT_SECRET_KEY")}
	cfg.MasterKey = os.Getenv("CAIRN_MASTER_KEY")
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := server.Start(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "cairn:", err)
		return 1
	}
	fmt.Fprintf(stdout, "cairn: listening on %s\n", s.URL())
	if *debugListen != "" {
		go serveDebug(*debugListen, lg)
	}
	select {
	case <-ctx.Done():
	case err := <-s.Done():
		lg.Error("http server stopped", "err", err)
	}
	lg.Info("shutting down")
	cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.Close(cctx); err != nil && !errors.Is(err, context.Canceled) {
		lg.Error("shutdown", "err", err)
		return 1
	}
	return 0
}

// offlineCmd parses the flags of an offline tool (the server stopped) and
// runs it until done or interrupted; run returns the exit status.
func offlineCmd(ctx context.Context, name string, args []string, stderr io.Writer,
	run func(ctx context.Context, cfg server.Config) int) int {
	var cfg server.Config
	fs := flag.NewFlagSet("cairn "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	level := serverFlags(fs, &cfg)
	lg, ok := parse(fs, args, level, stderr)
	if !ok {
		return 2
	}
	cfg.Logger = lg
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, cfg)
}

func rebuildCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return offlineCmd(ctx, "rebuild", args, stderr, func(ctx context.Context, cfg server.Config) int {
		if err := server.Rebuild(ctx, cfg, stdout, isTerminal(stdout)); err != nil {
			fmt.Fprintln(stderr, "cairn:", err)
			return 1
		}
		return 0
	})
}

func verifyCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return offlineCmd(ctx, "verify", args, stderr, func(ctx context.Context, cfg server.Config) int {
		return verify(ctx, cfg, stdout, stderr)
	})
}

func verify(ctx context.Context, cfg server.Config, stdout, stderr io.Writer) int {
	problems, err := server.Verify(ctx, cfg, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "cairn:", err)
		return 1
	}
	if problems > 0 {
		return 1
	}
	return 0
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// serveDebug serves net/http/pprof on its own listener, apart from the S3 API.
func serveDebug(addr string, lg *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	lg.Info("debug endpoint", "addr", addr)
	if err := srv.ListenAndServe(); err != nil {
		lg.Error("debug endpoint", "err", err)
	}
}

// backgroundFlags registers the compaction and scrub flags.
func backgroundFlags(fs *flag.FlagSet, cfg *server.Config) {
	c, s := &cfg.Compaction, &cfg.Scrub
	fs.Float64Var(&c.Threshold, "compaction-threshold", server.DefaultCompactionThreshold,
		"rewrite a sealed segment once this fraction of it is garbage (0 < x <= 1)")
	fs.Int64Var(&c.Rate, "compaction-rate", server.DefaultCompactionRate,
		"bytes per second compaction may read plus write; 0 turns compaction off, -1 removes the limit")
	fs.DurationVar(&c.Grace, "compaction-grace", server.DefaultCompactionGrace,
		"leave segments sealed, and records dead, for less than this alone")
	fs.DurationVar(&c.Interval, "compaction-interval", server.DefaultCompactionInterval, "how often to look for segments to compact")
	fs.Int64Var(&s.Rate, "scrub-rate", server.DefaultScrubRate, "bytes per second the scrub reads to verify data at rest; 0 turns it off")
	fs.DurationVar(&s.Interval, "scrub-interval", server.DefaultScrubInterval, "start a scrub pass at most this often")
}

// listFlag collects a repeated (or comma-separated) flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// testCrashAt is a hidden flag for tests (cmd/internal/crash): the process
// exits at once, as if killed, when compaction reaches the named step.
const testCrashAt = "test-crash-at"

func crashHook(step string) func(string) error {
	return func(s string) error {
		if s == step {
			fmt.Fprintf(os.Stderr, "cairn: %s: exiting at compaction step %s\n", testCrashAt, s)
			os.Exit(86)
		}
		return nil
	}
}

// testMinPartSize is a hidden flag for tests (cmd/internal/crash): S3's
// 5 MiB minimum part size made smaller. Real deployments never set it.
const testMinPartSize = "test-min-part-size"

// hideFlags leaves the named flags out of the usage text.
func hideFlags(fs *flag.FlagSet, hidden ...string) {
	fs.Usage = func() {
		shown := flag.NewFlagSet(fs.Name(), flag.ContinueOnError)
		shown.SetOutput(fs.Output())
		fs.VisitAll(func(f *flag.Flag) {
			if !slices.Contains(hidden, f.Name) {
				shown.Var(f.Value, f.Name, f.Usage)
				shown.Lookup(f.Name).DefValue = f.DefValue
			}
		})
		fmt.Fprintf(fs.Output(), "Usage of %s:\n", fs.Name())
		shown.PrintDefaults()
	}
}

// repeated is a flag that may be given several times.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, " ") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

// declarations gathers the notification destinations of the flags and the
// config file.
func declarations(webhooks, natsSubjects []string, file string) (notify.Declarations, error) {
	var d notify.Declarations
	if file != "" {
		var err error
		if d, err = notify.LoadDeclarations(file); err != nil {
			return d, err
		}
	}
	for _, v := range webhooks {
		w, err := notify.ParseWebhookFlag(v)
		if err != nil {
			return d, err
		}
		d.Webhooks = append(d.Webhooks, w)
	}
	for _, v := range natsSubjects {
		n, err := notify.ParseNATSFlag(v)
		if err != nil {
			return d, err
		}
		d.NATS = append(d.NATS, n)
	}
	return d, nil
}

// replicationSites gathers the replication sites of the config file and
// the flags (whose keys come from the environment), and checks them.
func replicationSites(flags []string, file string, getenv func(string) string) (replicate.Declarations, error) {
	var d replicate.Declarations
	if file != "" {
		var err error
		if d, err = replicate.LoadDeclarations(file); err != nil {
			return d, err
		}
	}
	for _, v := range flags {
		t, err := replicate.ParseTargetFlag(v, getenv)
		if err != nil {
			return d, err
		}
		d.Targets = append(d.Targets, t)
	}
	return d, d.Check()
}
