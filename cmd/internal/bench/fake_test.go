package bench

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// fakeS3 is a minimal in-memory, path-style S3 server: CreateBucket,
// HeadBucket, PutObject, GetObject and HeadObject. It checks no signatures,
// but it verifies the payload hashes and checksums a client sends, so a body
// that arrives different from what was hashed is caught.
type fakeS3 struct {
	srv *httptest.Server

	mu       sync.Mutex
	buckets  map[string]bool
	objects  map[string][]byte // "bucket/key" -> body
	problems []string          // protocol violations, reported by the test

	// failPutEvery > 0 answers every n-th PutObject with 500 InternalError.
	failPutEvery int64
	// denyCreate answers CreateBucket with 403 AccessDenied, echoing the
	// Authorization header (which names the access key) in the message.
	denyCreate bool
	// onPut, if set, is called after each successful PutObject with the
	// running count.
	onPut func(n int64)

	putAttempts  atomic.Int64
	putOK        atomic.Int64
	getOK        atomic.Int64
	bytesIn      atomic.Int64
	unsignedPuts atomic.Int64 // x-amz-content-sha256: UNSIGNED-PAYLOAD
	signedPuts   atomic.Int64 // x-amz-content-sha256: verified hex SHA-256
	crcPuts      atomic.Int64 // x-amz-checksum-crc32 present and verified
}

func newFakeS3(t *testing.T) *fakeS3 {
	f := &fakeS3{buckets: map[string]bool{}, objects: map[string][]byte{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(func() {
		f.srv.Close()
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, p := range f.problems {
			t.Errorf("fake S3: %s", p)
		}
	})
	return f
}

func (f *fakeS3) problem(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.problems) < 10 {
		f.problems = append(f.problems, fmt.Sprintf(format, args...))
	}
}

func s3Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><RequestId>req-%d</RequestId></Error>`,
		code, msg, status)
}

func (f *fakeS3) serve(w http.ResponseWriter, r *http.Request) {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if bucket == "" {
		s3Error(w, http.StatusNotImplemented, "NotImplemented", "no bucket in path (virtual-hosted style?)")
		return
	}
	if key == "" {
		f.serveBucket(w, r, bucket)
		return
	}
	f.mu.Lock()
	exists := f.buckets[bucket]
	f.mu.Unlock()
	if !exists {
		s3Error(w, http.StatusNotFound, "NoSuchBucket", "no such bucket")
		return
	}
	switch r.Method {
	case http.MethodPut:
		f.putObject(w, r, bucket+"/"+key)
	case http.MethodGet, http.MethodHead:
		f.mu.Lock()
		body, ok := f.objects[bucket+"/"+key]
		f.mu.Unlock()
		if !ok {
			s3Error(w, http.StatusNotFound, "NoSuchKey", "no such key")
			return
		}
		sum := sha256.Sum256(body)
		w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT")
		if r.Method == http.MethodGet {
			f.getOK.Add(1)
			w.Write(body)
		}
	default:
		s3Error(w, http.StatusMethodNotAllowed, "MethodNotAllowed", r.Method)
	}
}

func (f *fakeS3) serveBucket(w http.ResponseWriter, r *http.Request, bucket string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r.Method {
	case http.MethodHead:
		if !f.buckets[bucket] {
			w.WriteHeader(http.StatusNotFound)
		}
	case http.MethodPut:
		switch {
		case f.denyCreate:
			s3Error(w, http.StatusForbidden, "AccessDenied", "denied for "+r.Header.Get("Authorization"))
		case f.buckets[bucket]:
			s3Error(w, http.StatusConflict, "BucketAlreadyOwnedByYou", "yours already")
		default:
			f.buckets[bucket] = true
		}
	default:
		s3Error(w, http.StatusMethodNotAllowed, "MethodNotAllowed", r.Method)
	}
}

func (f *fakeS3) putObject(w http.ResponseWriter, r *http.Request, name string) {
	n := f.putAttempts.Add(1)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s3Error(w, http.StatusBadRequest, "IncompleteBody", err.Error())
		return
	}
	f.bytesIn.Add(int64(len(body)))
	if f.failPutEvery > 0 && n%f.failPutEvery == 0 {
		s3Error(w, http.StatusInternalServerError, "InternalError", "injected failure")
		return
	}
	if r.ContentLength != int64(len(body)) {
		f.problem("PUT %s: Content-Length %d but %d body bytes", name, r.ContentLength, len(body))
	}
	if enc := r.Header.Get("Content-Encoding"); strings.Contains(enc, "aws-chunked") {
		f.problem("PUT %s: aws-chunked encoding is not supported by the fake", name)
	}
	switch h := r.Header.Get("X-Amz-Content-Sha256"); {
	case h == "UNSIGNED-PAYLOAD":
		f.unsignedPuts.Add(1)
	case len(h) == 64:
		sum := sha256.Sum256(body)
		if hex.EncodeToString(sum[:]) != h {
			s3Error(w, http.StatusBadRequest, "XAmzContentSHA256Mismatch", "payload hash mismatch")
			return
		}
		f.signedPuts.Add(1)
	default:
		f.problem("PUT %s: unexpected x-amz-content-sha256 %q", name, h)
	}
	if c := r.Header.Get("X-Amz-Checksum-Crc32"); c != "" {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], crc32.ChecksumIEEE(body))
		if base64.StdEncoding.EncodeToString(b[:]) != c {
			s3Error(w, http.StatusBadRequest, "BadDigest", "crc32 mismatch")
			return
		}
		f.crcPuts.Add(1)
	}
	f.mu.Lock()
	f.objects[name] = body
	f.mu.Unlock()
	sum := sha256.Sum256(body)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
	ok := f.putOK.Add(1)
	if f.onPut != nil {
		f.onPut(ok)
	}
}

// stored returns the sizes of the stored objects by name.
func (f *fakeS3) stored() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for k, v := range f.objects {
		out[k] = len(v)
	}
	return out
}
