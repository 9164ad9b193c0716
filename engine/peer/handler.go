package peer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/segment"
	"github.com/zeebo/xxh3"
)

// Reader reads the bytes of records this gateway holds
// (engine.Engine.ReadLocal).
type Reader interface {
	ReadLocal(ctx context.Context, x event.Extent, off, n int64) (io.ReadCloser, error)
}

// HandlerOptions configure a Handler.
type HandlerOptions struct {
	Reader    Reader
	MasterKey []byte
	Logger    *slog.Logger
	Now       func() time.Time // nil: time.Now
}

// Handler answers other gateways' reads (mounted at ReadPath).
type Handler struct {
	o   HandlerOptions
	key []byte
}

// NewHandler returns a handler of reads signed with the key derived from
// o.MasterKey.
func NewHandler(o HandlerOptions) *Handler {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{o: o, key: keyFor(o.MasterKey)}
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || r.URL.Path != ReadPath {
		refuse(w, http.StatusBadRequest, "bad-request")
		return
	}
	if err := verify(h.key, r, h.o.Now()); err != nil {
		h.o.Logger.Warn("peer read refused: bad signature or date", "remote", r.RemoteAddr)
		refuse(w, http.StatusForbidden, "forbidden")
		return
	}
	x, off, n, err := parseQuery(r.URL.Query())
	if err != nil {
		refuse(w, http.StatusBadRequest, "bad-request")
		return
	}
	rc, err := h.o.Reader.ReadLocal(r.Context(), x, off, n)
	if err != nil {
		status, reason := statusOf(err)
		h.o.Logger.Warn("peer read failed", "from", r.Header.Get(HeaderFrom), "record", x.Record, "err", err)
		refuse(w, status, reason)
		return
	}
	defer rc.Close()
	w.Header().Set("Trailer", HeaderXxh3)
	w.Header().Set("Content-Type", "application/octet-stream")
	w.WriteHeader(http.StatusOK)
	hw := &hashWriter{w: w, h: xxh3.New()}
	if _, err := io.Copy(hw, rc); err != nil {
		// No trailer: the asker fails instead of taking short or bad bytes.
		h.o.Logger.Warn("peer read cut", "record", x.Record, "err", err)
		return
	}
	w.Header().Set(HeaderXxh3, fmt.Sprintf("%016x", hw.h.Sum64()))
}

// statusOf is the answer to a read that failed with err.
func statusOf(err error) (int, string) {
	switch {
	case errors.Is(err, engine.ErrCorruptData):
		return http.StatusInternalServerError, "corrupt"
	case errors.Is(err, engine.ErrDiskUnavailable):
		return http.StatusServiceUnavailable, "unavailable"
	case errors.Is(err, segment.ErrRange):
		return http.StatusBadRequest, "bad-request"
	case errors.Is(err, engine.ErrBlobUnavailable), errors.Is(err, segment.ErrNotFound):
		return http.StatusNotFound, "not-found"
	}
	return http.StatusInternalServerError, "error"
}

func refuse(w http.ResponseWriter, status int, reason string) {
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, reason)
}

// hashWriter writes to w and hashes what it wrote.
type hashWriter struct {
	w io.Writer
	h *xxh3.Hasher
}

func (hw *hashWriter) Write(p []byte) (int, error) {
	n, err := hw.w.Write(p)
	_, _ = hw.h.Write(p[:n])
	return n, err
}
