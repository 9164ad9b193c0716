package peer

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/metrics"
	"github.com/zeebo/xxh3"
)

// ClientOptions configure a Client.
type ClientOptions struct {
	Node      string // this gateway's node, named in its reads
	MasterKey []byte
	// Lookup finds the base URL of a node's gateway (stream.Log.Lookup).
	Lookup  func(ctx context.Context, node string) (string, error)
	TLS     *tls.Config       // for owners that listen with TLS; nil: system roots
	Now     func() time.Time  // nil: time.Now
	Metrics *metrics.Registry // nil: not measured
}

// Client reads bytes held by other gateways. It is safe for concurrent
// use.
type Client struct {
	o    ClientOptions
	key  []byte
	http *http.Client

	mu   sync.Mutex
	urls map[string]cached // by node

	reads *metrics.CounterVec // by result
	bytes *metrics.Counter
}

type cached struct {
	url     string
	expires time.Time
}

// urlTTL is how long a looked-up URL is used before asking again.
const urlTTL = time.Minute

// lookupTimeout bounds the wait for a node's gateway to answer a lookup.
const lookupTimeout = 2 * time.Second

// NewClient returns a client signing with the key derived from o.MasterKey.
func NewClient(o ClientOptions) *Client {
	if o.Now == nil {
		o.Now = time.Now
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	t.ResponseHeaderTimeout = 30 * time.Second
	t.DialContext = (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.TLSClientConfig = o.TLS
	t.DisableCompression = true // bytes are read as stored
	reg := o.Metrics
	if reg == nil {
		reg = metrics.New()
	}
	return &Client{o: o, key: keyFor(o.MasterKey), http: &http.Client{Transport: t}, urls: map[string]cached{},
		reads: reg.Counter("cairn_peer_reads_total", "Reads of bytes another gateway holds, by result (ok, unavailable, corrupt, error).", "result"),
		bytes: reg.Counter("cairn_peer_read_bytes_total", "Bytes read from other gateways.").With()}
}

// result names how a read ended, for cairn_peer_reads_total.
func result(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, engine.ErrBlobUnavailable), errors.Is(err, engine.ErrDiskUnavailable):
		return "unavailable"
	case errors.Is(err, engine.ErrCorruptData):
		return "corrupt"
	}
	return "error"
}

// Close drops idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// Open returns a reader of n bytes from byte off of x's record, read from
// the gateway of x.Node. Like a local read, it fails before returning
// when the owner cannot serve the bytes; the reader fails (never returns
// short or altered bytes) when the stream is cut or fails its checksum.
func (c *Client) Open(ctx context.Context, x event.Extent, off, n int64) (io.ReadCloser, error) {
	rc, err := c.open(ctx, x, off, n)
	if err != nil {
		c.reads.With(result(err)).Inc()
	}
	return rc, err
}

func (c *Client) open(ctx context.Context, x event.Extent, off, n int64) (io.ReadCloser, error) {
	for attempt := 0; ; attempt++ {
		base, err := c.base(ctx, x.Node)
		if err != nil {
			return nil, err
		}
		rc, err := c.get(ctx, base, x, off, n)
		if err == nil {
			return rc, nil
		}
		var te transportError
		if !errors.As(err, &te) || attempt > 0 || ctx.Err() != nil {
			return nil, err
		}
		c.forget(x.Node) // it may have restarted elsewhere: ask again, once
	}
}

// base is the URL of node's gateway.
func (c *Client) base(ctx context.Context, node string) (string, error) {
	now := c.o.Now()
	c.mu.Lock()
	e, ok := c.urls[node]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.url, nil
	}
	lctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	url, err := c.o.Lookup(lctx, node)
	if err != nil {
		return "", fmt.Errorf("%w: node %s: %v", engine.ErrBlobUnavailable, node, err)
	}
	c.mu.Lock()
	c.urls[node] = cached{url: strings.TrimSuffix(url, "/"), expires: now.Add(urlTTL)}
	c.mu.Unlock()
	return strings.TrimSuffix(url, "/"), nil
}

func (c *Client) forget(node string) {
	c.mu.Lock()
	delete(c.urls, node)
	c.mu.Unlock()
}

// transportError is a read that never reached the owner's handler.
type transportError struct{ error }

func (e transportError) Unwrap() error { return e.error }

func (c *Client) get(ctx context.Context, base string, x event.Extent, off, n int64) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+ReadPath+"?"+query(x, off, n).Encode(), nil)
	if err != nil {
		return nil, fmt.Errorf("%w: node %s at %q: %v", engine.ErrBlobUnavailable, x.Node, base, err)
	}
	sign(c.key, req, c.o.Node, c.o.Now())
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, transportError{fmt.Errorf("%w: node %s: %v", engine.ErrBlobUnavailable, x.Node, err)}
	}
	if resp.StatusCode == http.StatusOK {
		return &body{c: c, resp: resp, h: xxh3.New(), left: n, node: x.Node}, nil
	}
	reason, _ := io.ReadAll(io.LimitReader(resp.Body, 64))
	resp.Body.Close()
	return nil, refusal(x, resp.StatusCode, string(reason))
}

// refusal is the engine's error for the owner's refusal of a read.
func refusal(x event.Extent, status int, reason string) error {
	what := fmt.Sprintf("node %s answered %d %s for record %s", x.Node, status, reason, x.Record)
	switch {
	case status == http.StatusInternalServerError && reason == "corrupt":
		return fmt.Errorf("%w: %s", engine.ErrCorruptData, what)
	case status == http.StatusServiceUnavailable:
		return fmt.Errorf("%w: %s", engine.ErrDiskUnavailable, what)
	case status == http.StatusForbidden:
		return fmt.Errorf("%w: %s (do the gateways share the master key?)", engine.ErrBlobUnavailable, what)
	}
	return fmt.Errorf("peer: %s", what)
}

// body is the stream of a read: exactly left bytes, then a trailer that
// must match their hash.
type body struct {
	c    *Client
	resp *http.Response
	h    *xxh3.Hasher
	left int64
	node string
	err  error
}

func (b *body) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.resp.Body.Read(p)
	if int64(n) > b.left {
		n, err = 0, fmt.Errorf("%w: node %s sent more bytes than asked for", engine.ErrCorruptData, b.node)
	}
	b.left -= int64(n)
	_, _ = b.h.Write(p[:n])
	b.c.bytes.Add(uint64(n))
	switch {
	case errors.Is(err, io.EOF):
		err = b.finish()
	case err != nil:
		err = fmt.Errorf("peer: read from node %s cut: %w", b.node, err)
	}
	if err != nil { // the read's end: counted once
		b.c.reads.With(result(ignoreEOF(err))).Inc()
	}
	b.err = err
	return n, err
}

// finish checks, at the end of the stream, that every byte came and that
// they are the bytes the owner read.
func (b *body) finish() error {
	if b.left != 0 {
		return fmt.Errorf("peer: read from node %s ended %d bytes short: %w", b.node, b.left, io.ErrUnexpectedEOF)
	}
	want := b.resp.Trailer.Get(HeaderXxh3)
	if want == "" {
		return fmt.Errorf("peer: read from node %s ended without its checksum: %w", b.node, io.ErrUnexpectedEOF)
	}
	if got := fmt.Sprintf("%016x", b.h.Sum64()); got != want {
		return fmt.Errorf("%w: bytes from node %s hash to %s, it sent %s", engine.ErrCorruptData, b.node, got, want)
	}
	return io.EOF
}

func (b *body) Close() error { return b.resp.Body.Close() }

func ignoreEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}
