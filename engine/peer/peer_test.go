package peer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/log/event"
	"github.com/zeebo/xxh3"
)

var ctx = context.Background()

// records is a Reader holding one node's records in memory.
type records struct {
	node string
	data map[string][]byte
	err  error // returned by every read when set
	got  []event.Extent
}

func (r *records) ReadLocal(_ context.Context, x event.Extent, off, n int64) (io.ReadCloser, error) {
	r.got = append(r.got, x)
	if r.err != nil {
		return nil, r.err
	}
	b, ok := r.data[x.Record]
	if !ok || x.Node != r.node {
		return nil, engine.ErrBlobUnavailable
	}
	return io.NopCloser(bytes.NewReader(b[off : off+n])), nil
}

const rec = "0000000000000001000000000000002a"

func owner(t *testing.T, r *records, key []byte) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(NewHandler(HandlerOptions{Reader: r, MasterKey: key}))
	t.Cleanup(srv.Close)
	return srv
}

func client(url string, key []byte, now func() time.Time) *Client {
	return NewClient(ClientOptions{Node: "asker", MasterKey: key, Now: now,
		Lookup: func(context.Context, string) (string, error) { return url, nil }})
}

func extent() event.Extent {
	return event.Extent{Node: "owner", Disk: 3, Segment: 17, Offset: 4096, Length: 200000, Record: rec}
}

func TestReadReturnsTheOwnersBytes(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 12500)
	r := &records{node: "owner", data: map[string][]byte{rec: data}}
	c := client(owner(t, r, []byte("mk")).URL, []byte("mk"), nil)
	rc, err := c.Open(ctx, extent(), 70000, 65536)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(got, data[70000:70000+65536]) {
		t.Fatalf("read %d bytes, %v", len(got), err)
	}
	if r.got[0] != extent() {
		t.Fatalf("owner was asked for %+v, want %+v", r.got[0], extent())
	}
}

// A read signed with another key, an old date or an altered query is
// refused; the asker reports it as unavailable bytes (a 503 to S3).
func TestReadsMustBeSignedByAGatewayOfTheLog(t *testing.T) {
	r := &records{node: "owner", data: map[string][]byte{rec: make([]byte, 100)}}
	srv := owner(t, r, []byte("mk"))
	for name, c := range map[string]*Client{
		"other key": client(srv.URL, []byte("other"), nil),
		"old date":  client(srv.URL, []byte("mk"), func() time.Time { return time.Now().Add(-MaxSkew - time.Minute) }),
		"from the future": client(srv.URL, []byte("mk"),
			func() time.Time { return time.Now().Add(MaxSkew + time.Minute) }),
	} {
		_, err := c.Open(ctx, extent(), 0, 10)
		if !errors.Is(err, engine.ErrBlobUnavailable) || !strings.Contains(err.Error(), "403") {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A valid signature does not cover another query.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+ReadPath+"?"+query(extent(), 0, 10).Encode(), nil)
	sign(keyFor([]byte("mk")), req, "asker", time.Now())
	req.URL.RawQuery = query(extent(), 0, 99).Encode()
	if resp := do(t, req); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("altered query: %d", resp.StatusCode)
	}
	// Nor does no signature at all.
	req, _ = http.NewRequest(http.MethodGet, srv.URL+ReadPath+"?"+query(extent(), 0, 10).Encode(), nil)
	if resp := do(t, req); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("unsigned: %d", resp.StatusCode)
	}
	if len(r.got) != 0 {
		t.Fatalf("the owner read %d records for refused requests", len(r.got))
	}
}

func do(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// The owner's disk trouble reaches the asker as the engine's error of the
// same kind, so S3 answers as it would for a local read.
func TestOwnerErrorsKeepTheirKind(t *testing.T) {
	for _, c := range []struct {
		err, want error
	}{
		{fmt.Errorf("x: %w", engine.ErrCorruptData), engine.ErrCorruptData},
		{fmt.Errorf("x: %w", engine.ErrDiskUnavailable), engine.ErrDiskUnavailable},
	} {
		r := &records{node: "owner", err: c.err}
		_, err := client(owner(t, r, []byte("mk")).URL, []byte("mk"), nil).Open(ctx, extent(), 0, 10)
		if !errors.Is(err, c.want) {
			t.Errorf("owner failed with %v; asker got %v", c.err, err)
		}
	}
	r := &records{node: "someone else"}
	_, err := client(owner(t, r, []byte("mk")).URL, []byte("mk"), nil).Open(ctx, extent(), 0, 10)
	if err == nil || !strings.Contains(err.Error(), "404 not-found") {
		t.Fatalf("a record the owner does not hold: %v", err)
	}
}

// A stream altered or cut on the way is an error at its end, never bytes
// taken as good.
func TestAlteredOrCutStreamsFail(t *testing.T) {
	data := []byte("the bytes the owner read")
	for name, c := range map[string]struct {
		serve func(w http.ResponseWriter)
		want  error
	}{
		"altered": {func(w http.ResponseWriter) {
			w.Header().Set("Trailer", HeaderXxh3)
			w.Write(bytes.ToUpper(data))
			w.Header().Set(HeaderXxh3, trailerOf(data))
		}, engine.ErrCorruptData},
		"cut": {func(w http.ResponseWriter) {
			w.Header().Set("Trailer", HeaderXxh3)
			w.Write(data[:5])
		}, io.ErrUnexpectedEOF},
		"no trailer": {func(w http.ResponseWriter) { w.Write(data) }, io.ErrUnexpectedEOF},
		"too long": {func(w http.ResponseWriter) {
			w.Write(append(data, data...))
		}, engine.ErrCorruptData},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { c.serve(w) }))
		rc, err := client(srv.URL, []byte("mk"), nil).Open(ctx, extent(), 0, int64(len(data)))
		if err == nil {
			_, err = io.ReadAll(rc)
			rc.Close()
		}
		srv.Close()
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
}

func trailerOf(b []byte) string {
	hw := &hashWriter{w: io.Discard, h: xxh3.New()}
	hw.Write(b)
	return fmt.Sprintf("%016x", hw.h.Sum64())
}

// A gateway that restarted on another address is found again: a read
// that cannot reach the cached address looks the node up once more.
func TestMovedOwnerIsLookedUpAgain(t *testing.T) {
	r := &records{node: "owner", data: map[string][]byte{rec: []byte("still here")}}
	live := owner(t, r, []byte("mk")).URL
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	lookups := 0
	c := NewClient(ClientOptions{Node: "asker", MasterKey: []byte("mk"), Lookup: func(context.Context, string) (string, error) {
		lookups++
		if lookups == 1 {
			return deadURL, nil
		}
		return live, nil
	}})
	rc, err := c.Open(ctx, extent(), 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || string(got) != "still here" || lookups != 2 {
		t.Fatalf("%q %v after %d lookups", got, err, lookups)
	}
	// A node nobody answers for is unavailable.
	c = NewClient(ClientOptions{Node: "asker", MasterKey: []byte("mk"), Lookup: func(context.Context, string) (string, error) {
		return "", errors.New("no responders")
	}})
	if _, err := c.Open(ctx, extent(), 0, 10); !errors.Is(err, engine.ErrBlobUnavailable) {
		t.Fatalf("no owner: %v", err)
	}
}

func TestQueryRoundTrips(t *testing.T) {
	x, off, n, err := parseQuery(query(extent(), 5, 7))
	if err != nil || x != extent() || off != 5 || n != 7 {
		t.Fatalf("%+v %d %d %v", x, off, n, err)
	}
	q := query(extent(), 5, 7)
	q.Set("n", "-1")
	if _, _, _, err := parseQuery(q); err == nil {
		t.Fatal("a negative length must be refused")
	}
}
