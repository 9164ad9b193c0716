// Package server is cairn's composition root: it opens every part in
// order, wires them, serves HTTP, and closes them in reverse order.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/engine/blob"
	"github.com/cairnstore/cairn/engine/peer"
	"github.com/cairnstore/cairn/httpapi"
	"github.com/cairnstore/cairn/log/metrics"
	"github.com/cairnstore/cairn/log/stream"
	"github.com/cairnstore/cairn/notify"
	"github.com/cairnstore/cairn/notify/relay"
	"github.com/cairnstore/cairn/notify/replicate"
	"github.com/cairnstore/cairn/projections/catalog"
	"github.com/cairnstore/cairn/projections/runner"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// Durability modes.
const (
	// DurabilityPower: bytes are fdatasync'd and events fsync'd before a
	// write is acknowledged; survives power loss. The default.
	DurabilityPower = "power"
	// DurabilityProcess: nothing is fsync'd on the write path; an
	// acknowledged write survives kill -9 of cairn but NOT a power loss or
	// kernel crash. Opt-in.
	DurabilityProcess = "process"
)

// Config is everything cairn server needs.
type Config struct {
	DataDir      string
	Listen       string
	Region       string
	NATSURL      string // external NATS; empty for embedded
	NATSListen   string // embedded only: also open a NATS client port
	NATSReplicas int
	Durability   string
	SegmentSize  int64
	Disks        []string // data disks (--disk); none: <data>/segments only
	// DiskFS, when set, gives the file system of each disk directory
	// (tests inject faults); nil: the OS's.
	DiskFS        func(dir string) vfs.FS
	Compaction    CompactionConfig
	Scrub         ScrubConfig
	Domains       []string
	MetricsListen string // serve Prometheus metrics on this address; empty: off
	// Advertise is the base URL other gateways sharing the log read this
	// one's bytes at; empty: derived from the listener (see advertiseURL).
	Advertise string
	TLSCert   string // PEM certificate file: serve HTTPS when set (with TLSKey)
	TLSKey    string
	Root      RootCredentials // from the environment; empty to use or generate stored ones
	MasterKey string          // CAIRN_MASTER_KEY (base64); empty: the data dir's master.key
	// Notify declares the notification destinations; NotifyTuning and
	// ListenKeepAlive adjust delivery and live subscriptions (tests make
	// them fast).
	Notify          notify.Declarations
	NotifyTuning    notify.Tuning
	ListenKeepAlive time.Duration
	// Replicate declares the replication sites; ReplicateTuning adjusts
	// delivery (tests make it fast).
	Replicate       replicate.Declarations
	ReplicateTuning relay.Tuning
	Logger          *slog.Logger
	Stdout          io.Writer // where generated credentials are printed once
	// MinPartSize lowers the 5 MiB minimum size of multipart parts; for
	// tests only (the crash test's writers use small parts).
	MinPartSize int64
}

// Server is a running cairn.
type Server struct {
	cfg   Config
	root  RootCredentials
	lock  *os.File
	log   *stream.Log
	cat   *catalog.Catalog
	run   *runner.Runner
	blobs *blob.Set
	comp  *blob.Compactor // nil when compaction is off
	scrub *blob.Scrubber
	ntf   *notify.Service
	rep   *replicate.Service
	node  string
	peers *peer.Client
	// unannounce stops answering other gateways' lookups of this node.
	unannounce func() error
	ln         net.Listener
	http       *http.Server
	serve      chan error
	reg        *metrics.Registry
	mhttp      *http.Server // metrics listener, if any
	// refresh updates scrape-time gauges.
	refresh func()
}

// Start opens the data dir, the log, the index and the segments, catches
// the index up with the log, and starts serving.
func Start(ctx context.Context, cfg Config) (_ *Server, err error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, serve: make(chan error, 1), reg: metrics.New()}
	defer func() {
		if err != nil {
			s.closeParts()
		}
	}()
	if s.lock, err = lockDir(cfg.DataDir); err != nil {
		return nil, err
	}
	if err = s.openParts(ctx); err != nil {
		return nil, err
	}
	if err = s.listen(); err != nil {
		return nil, err
	}
	if err = s.announce(); err != nil {
		return nil, err
	}
	if err = s.listenMetrics(); err != nil {
		return nil, err
	}
	return s, nil
}

func (c *Config) defaults() error {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Stdout == nil {
		c.Stdout = io.Discard
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if err := c.Replicate.Check(); err != nil {
		return err
	}
	if t := c.Compaction.Threshold; t < 0 || t > 1 {
		return fmt.Errorf("--compaction-threshold must be in (0, 1], got %g", t)
	}
	switch c.Durability {
	case "":
		c.Durability = DurabilityPower
	case DurabilityPower, DurabilityProcess:
	default:
		return fmt.Errorf("--durability must be %q or %q", DurabilityPower, DurabilityProcess)
	}
	return nil
}

func (s *Server) openParts(ctx context.Context) error {
	cfg := s.cfg
	node, err := nodeID(cfg.DataDir)
	if err != nil {
		return err
	}
	s.node = node
	root, generated, err := rootCredentials(cfg.DataDir, cfg.Root)
	if err != nil {
		return err
	}
	s.root = root
	if generated {
		fmt.Fprintf(cfg.Stdout, "cairn: generated root credentials (stored in %s, shown only this once):\n"+
			"  CAIRN_ROOT_ACCESS_KEY=%s\n  CAIRN_ROOT_SECRET_KEY=%s\n",
			filepath.Join(cfg.DataDir, credsFile), root.AccessKey, root.SecretKey)
	}
	if s.log, err = OpenLog(ctx, cfg); err != nil {
		return err
	}
	if s.cat, err = openIndex(ctx, cfg, s.log); err != nil {
		return err
	}
	if s.blobs, err = openBlobs(cfg, node, s.reg); err != nil {
		return err
	}
	if err := s.catchUp(ctx); err != nil {
		return err
	}
	spool := filepath.Join(cfg.DataDir, "tmp")
	if err := os.MkdirAll(spool, 0o700); err != nil {
		return err
	}
	mk, err := masterKey(cfg.DataDir, cfg.MasterKey)
	if err != nil {
		return err
	}
	if err := s.startNotify(ctx); err != nil {
		return err
	}
	if s.peers, err = s.peerClient(mk); err != nil {
		return err
	}
	eng, err := engine.New(engine.Options{Log: s.log, Catalog: s.cat, Runner: s.run, Blobs: s.blobs, Node: node, Peers: s.peers,
		Region: cfg.Region, Barrier: cfg.NATSURL != "", Logger: cfg.Logger, Destinations: s.ntf.HasARN, Sites: cfg.Replicate.IDs(),
		Root: engine.RootCredentials{AccessKey: root.AccessKey, SecretKey: root.SecretKey}, MasterKey: mk,
		MinPartSize: cfg.MinPartSize})
	if err != nil {
		return err
	}
	if err := s.startReplication(ctx, eng); err != nil {
		return err
	}
	s.startBackground()
	h := httpapi.New(httpapi.Options{Engine: eng, Region: cfg.Region,
		Domains: cfg.Domains, Logger: cfg.Logger.With("component", "http"), Metrics: s.reg, SpoolDir: spool,
		Listener: listener{s.ntf}, ListenKeepAlive: cfg.ListenKeepAlive, Replication: s.rep,
		Peer: peer.NewHandler(peer.HandlerOptions{Reader: eng, MasterKey: mk, Logger: cfg.Logger.With("component", "peer")})})
	s.logMetrics()
	s.http = &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute,
		MaxHeaderBytes: 64 << 10, ErrorLog: slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelDebug)}
	// Live subscriptions stream until told to stop: end them when the
	// server shuts down, or Shutdown would wait for them.
	s.http.RegisterOnShutdown(s.ntf.CloseListens)
	return nil
}

// openBlobs opens the node's disks: <data>/segments (disk 0) and --disk.
func openBlobs(cfg Config, node string, reg *metrics.Registry) (*blob.Set, error) {
	spec := func(dir string) blob.DiskSpec {
		if cfg.DiskFS == nil {
			return blob.DiskSpec{Dir: dir, FS: vfs.Default}
		}
		return blob.DiskSpec{Dir: dir, FS: cfg.DiskFS(dir)}
	}
	o := blob.Options{Node: node, DataDir: cfg.DataDir, Legacy: spec(filepath.Join(cfg.DataDir, segsDir)),
		SegmentSize: cfg.SegmentSize, NoSync: cfg.Durability == DurabilityProcess,
		Logger: cfg.Logger.With("component", "disks"), Metrics: reg}
	for _, d := range cfg.Disks {
		o.Disks = append(o.Disks, spec(d))
	}
	return blob.Open(o)
}

// OpenLog opens the event log as cfg describes (embedded or external).
func OpenLog(ctx context.Context, cfg Config) (*stream.Log, error) {
	power := cfg.Durability != DurabilityProcess
	return stream.Open(ctx, stream.Options{
		URL:      cfg.NATSURL,
		Replicas: cfg.NATSReplicas,
		Batch:    power,
		Logger:   cfg.Logger.With("component", "log"),
		Embedded: stream.EmbeddedOptions{Dir: filepath.Join(cfg.DataDir, natsDir), SyncAlways: power,
			Listen: cfg.NATSListen, Logger: cfg.Logger},
	})
}

// catchUp starts the projection runner and waits until the index has
// applied everything the log held at start, so the first request sees it.
func (s *Server) catchUp(ctx context.Context) error {
	var err error
	if s.run, err = runner.Start(ctx, runner.Options{Log: s.log, Target: s.cat, Logger: s.cfg.Logger}); err != nil {
		return err
	}
	st, err := s.log.State(ctx)
	if err != nil {
		return err
	}
	from := s.run.Applied()
	start := time.Now()
	if err := s.run.WaitFor(ctx, st.LastSeq); err != nil {
		return fmt.Errorf("catching the index up with the log: %w", err)
	}
	if st.LastSeq > from {
		s.cfg.Logger.Info("index caught up with the log", "events", st.LastSeq-from, "took", time.Since(start))
	}
	return nil
}

func (s *Server) listen() error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return err
	}
	s.ln = ln
	if s.cfg.TLSCert != "" {
		go func() { s.serve <- s.http.ServeTLS(ln, s.cfg.TLSCert, s.cfg.TLSKey) }()
	} else {
		go func() { s.serve <- s.http.Serve(ln) }()
	}
	s.cfg.Logger.Info("cairn serving S3", "addr", ln.Addr().String(), "tls", s.cfg.TLSCert != "", "region", s.cfg.Region,
		"durability", s.cfg.Durability, "data", s.cfg.DataDir)
	return nil
}

// Addr is the address the S3 API listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is the S3 endpoint's base URL.
func (s *Server) URL() string {
	if s.cfg.TLSCert != "" {
		return "https://" + s.Addr()
	}
	return "http://" + s.Addr()
}

// Root returns the root credentials.
func (s *Server) Root() RootCredentials { return s.root }

// Done delivers the HTTP server's exit error.
func (s *Server) Done() <-chan error { return s.serve }

// Close stops serving (letting requests in flight finish until ctx ends)
// and closes every part in reverse order.
func (s *Server) Close(ctx context.Context) error {
	err := s.stopAnnouncing()
	if s.mhttp != nil {
		_ = s.mhttp.Close()
	}
	if s.http != nil {
		herr := s.http.Shutdown(ctx)
		if errors.Is(herr, context.DeadlineExceeded) || errors.Is(herr, context.Canceled) {
			herr = s.http.Close()
		}
		err = errors.Join(err, herr)
	}
	return errors.Join(err, s.closeParts())
}

func (s *Server) closeParts() error {
	errs := []error{s.stopAnnouncing()}
	if s.peers != nil {
		s.peers.Close()
	}
	if s.rep != nil {
		s.rep.Close()
	}
	if s.ntf != nil {
		s.ntf.Close()
	}
	if s.comp != nil {
		s.comp.Stop()
	}
	if s.scrub != nil {
		s.scrub.Stop()
	}
	if s.run != nil {
		s.run.Stop()
	}
	if s.cat != nil {
		errs = append(errs, s.cat.Close())
	}
	if s.blobs != nil {
		errs = append(errs, s.blobs.Close())
	}
	if s.log != nil {
		s.log.Close()
	}
	if s.lock != nil {
		errs = append(errs, s.lock.Close())
	}
	return errors.Join(errs...)
}
