package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/httpapi/s3err"
)

// Listener streams a bucket's events as they are committed to the log
// (ListenBucketNotification). The notification consumers implement it;
// cmd wires it in.
type Listener interface {
	Listen(ctx context.Context, in ListenInput) (ListenStream, error)
}

// ListenInput selects the events a live subscription receives.
type ListenInput struct {
	Bucket string
	Events []string // S3 event names, wildcards allowed; none means every event
	Prefix string
	Suffix string
	// Where to start: FromSeq (a stream sequence), else Since (a time),
	// else the next event committed.
	FromSeq uint64
	Since   time.Time
}

// ListenStream is one live subscription. Each value on C is one
// notification document, S3's {"Records":[...]} JSON without a newline.
type ListenStream interface {
	C() <-chan []byte // closed when the stream ends; Err then says why
	Err() error
	Close()
}

// Query parameters of ListenBucketNotification (MinIO's API, plus cairn's
// resume points).
const (
	listenStartSeq  = "x-cairn-start-seq"  // deliver from this stream sequence (the record's cairn.seq)
	listenStartTime = "x-cairn-start-time" // deliver from the first event at or after this RFC 3339 time
)

// listenBucket answers GET /bucket?events=...: 200 at once, then one
// notification document per line as events are committed, and an empty
// line every ListenKeepAlive so that idle connections stay open. It runs
// until the client goes away or the server shuts down.
func (h *Handler) listenBucket(w http.ResponseWriter, r *http.Request, q *request) error {
	if h.o.Listener == nil {
		return s3err.New(s3err.NotImplemented, "This server does not run notification consumers.")
	}
	in, err := listenInput(r, q)
	if err != nil {
		return err
	}
	if _, err := h.o.Engine.HeadBucket(r.Context(), q.bucket); err != nil {
		return err
	}
	stream, err := h.o.Listener.Listen(r.Context(), in)
	if err != nil {
		return err
	}
	defer stream.Close()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	flush(w)
	keepAlive := time.NewTicker(h.o.ListenKeepAlive)
	defer keepAlive.Stop()
	for {
		select {
		case doc, ok := <-stream.C():
			if !ok {
				if err := stream.Err(); err != nil {
					h.o.Logger.Warn("listen stream ended", "id", q.id, "err", err)
				}
				return nil
			}
			if _, err := w.Write(append(doc, '\n')); err != nil {
				return nil // the client went away
			}
			flush(w)
		case <-keepAlive.C:
			if _, err := w.Write([]byte("\n")); err != nil {
				return nil
			}
			flush(w)
		case <-r.Context().Done():
			return nil
		}
	}
}

func flush(w http.ResponseWriter) {
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}

func listenInput(r *http.Request, q *request) (ListenInput, error) {
	query := r.URL.Query()
	in := ListenInput{Bucket: q.bucket, Prefix: query.Get("prefix"), Suffix: query.Get("suffix")}
	for _, ev := range query["events"] {
		if ev == "" {
			continue
		}
		if !engine.ValidNotificationEvent(ev) {
			return in, s3err.New(s3err.InvalidArgument, "A specified event is not supported for notifications.").
				With("ArgumentName", "events").With("ArgumentValue", ev)
		}
		in.Events = append(in.Events, ev)
	}
	if v := query.Get(listenStartSeq); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || n == 0 {
			return in, s3err.New(s3err.InvalidArgument, listenStartSeq+" must be a stream sequence (1 or more).").
				With("ArgumentName", listenStartSeq).With("ArgumentValue", v)
		}
		in.FromSeq = n
	}
	if v := query.Get(listenStartTime); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return in, s3err.New(s3err.InvalidArgument, listenStartTime+" must be an RFC 3339 time.").
				With("ArgumentName", listenStartTime).With("ArgumentValue", v)
		}
		in.Since = t
	}
	return in, nil
}
