package httpapi

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/engine/checksum"
	"github.com/cairnstore/cairn/httpapi/s3err"
)

func (h *Handler) putObject(w http.ResponseWriter, r *http.Request, q *request) error {
	body, err := q.auth.Body(r)
	if err != nil {
		return err
	}
	defer body.Close()
	if body.Size() < 0 {
		return s3err.New(s3err.MissingContentLength, "")
	}
	in := engine.PutObjectInput{Bucket: q.bucket, Key: q.key, Actor: q.actor(), Size: body.Size(), Body: body,
		ContentHeaders: contentHeaders(r.Header), UserMeta: userMeta(r.Header)}
	if in.ContentMD5, err = contentMD5(r.Header); err != nil {
		return err
	}
	if in.Checksum, err = requestChecksum(r.Header, body); err != nil {
		return err
	}
	if in.Cond, err = writeConditions(r.Header); err != nil {
		return err
	}
	a, err := readNewObjectAttrs(r.Header)
	if err != nil {
		return err
	}
	in.ACL, in.Tags, in.StorageClass, in.Lock = a.acl, a.tags, a.storageClass, a.lock
	res, err := h.o.Engine.PutObject(r.Context(), in)
	if err != nil {
		return err
	}
	hdr := w.Header()
	hdr.Set("ETag", `"`+res.ETag+`"`)
	setVersionID(w, res.VersionID)
	for alg, v := range res.Checksums {
		hdr.Set(checksumHeader(alg), v)
		hdr.Set("x-amz-checksum-type", "FULL_OBJECT")
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func checksumHeader(alg string) string { return "x-amz-checksum-" + strings.ToLower(alg) }

// objectHeaders sets the headers GET and HEAD share.
func objectHeaders(w http.ResponseWriter, r *http.Request, o engine.ObjectInfo, in engine.ReadInput, sp engine.Span) {
	h := w.Header()
	h.Set("ETag", `"`+o.ETag+`"`)
	h.Set("Last-Modified", o.Modified.UTC().Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
	setVersionID(w, o.VersionID)
	lockHeaders(h, o.Lock)
	set := func(name, v string) {
		if v != "" {
			h.Set(name, v)
		}
	}
	set("Content-Type", o.ContentType)
	set("Content-Encoding", o.ContentEncoding)
	set("Content-Disposition", o.ContentDisposition)
	set("Content-Language", o.ContentLanguage)
	set("Cache-Control", o.CacheControl)
	set("Expires", o.Expires)
	set("x-amz-storage-class", o.StorageClass)
	set("x-amz-replication-status", o.ReplicationStatus)
	for k, v := range o.UserMeta {
		h["X-Amz-Meta-"+k] = []string{v} // S3 returns the names as stored (lower case)
	}
	if len(o.Tags) > 0 {
		h.Set("x-amz-tagging-count", strconv.Itoa(len(o.Tags)))
	}
	if in.PartNumber > 0 && len(o.Parts) > 0 {
		h.Set("x-amz-mp-parts-count", strconv.Itoa(len(o.Parts)))
	}
	// Checksums describe the whole object: S3 returns them only for full
	// reads (or a part's for a read of that part), and only when the
	// client asks.
	if in.PartNumber > 0 && strings.EqualFold(r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") {
		partChecksumHeaders(h, o, in.PartNumber)
	}
	if !sp.Ranged && strings.EqualFold(r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") {
		for alg, v := range o.Checksums {
			if _, ok := checksum.Parse(alg); ok {
				h.Set(checksumHeader(alg), v)
			}
		}
		if len(o.Checksums) > 0 {
			h.Set("x-amz-checksum-type", o.ChecksumType)
		}
	}
	for param, header := range responseOverrides {
		if v := r.URL.Query().Get(param); v != "" {
			h.Set(header, v)
		}
	}
	h.Set("Content-Length", strconv.FormatInt(sp.Length, 10))
	if sp.Ranged {
		end := sp.Offset + sp.Length - 1
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", sp.Offset, end, o.Size))
	}
}

// responseOverrides are the query parameters that override a GET's
// response headers.
var responseOverrides = map[string]string{
	"response-content-type":        "Content-Type",
	"response-content-language":    "Content-Language",
	"response-expires":             "Expires",
	"response-cache-control":       "Cache-Control",
	"response-content-disposition": "Content-Disposition",
	"response-content-encoding":    "Content-Encoding",
}

// readInput parses what a GET or HEAD asks for.
func readInput(r *http.Request, q *request) (engine.ReadInput, error) {
	in := engine.ReadInput{Bucket: q.bucket, Key: q.key, VersionID: q.versionID, Cond: conditions(r.Header)}
	var err error
	if in.Range, err = parseRange(r.Header.Get("Range")); err != nil {
		return in, err
	}
	if v, ok := r.URL.Query()["partNumber"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 1 || n > 10000 {
			return in, s3err.New(s3err.InvalidArgument, "Part number must be an integer between 1 and 10000, inclusive")
		}
		in.PartNumber = n
	}
	return in, nil
}

// conditions reads the precondition headers; an unparsable date is
// ignored, as RFC 9110 asks.
func conditions(h http.Header) engine.Conditions {
	c := engine.Conditions{IfMatch: h.Get("If-Match"), IfNoneMatch: h.Get("If-None-Match")}
	if t, err := http.ParseTime(h.Get("If-Modified-Since")); err == nil {
		c.IfModifiedSince = t
	}
	if t, err := http.ParseTime(h.Get("If-Unmodified-Since")); err == nil {
		c.IfUnmodifiedSince = t
	}
	return c
}

// readError answers a refused read: 304 carries the validators and no
// body; an unsatisfiable range names the object's size.
func readError(w http.ResponseWriter, o engine.ObjectInfo, err error) error {
	switch {
	case errors.Is(err, engine.ErrNotModified):
		w.Header().Set("ETag", `"`+o.ETag+`"`)
		w.Header().Set("Last-Modified", o.Modified.UTC().Format(http.TimeFormat))
		w.WriteHeader(http.StatusNotModified)
		return nil
	case errors.Is(err, engine.ErrInvalidRange):
		w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", o.Size))
	}
	return err
}

func (h *Handler) headObject(w http.ResponseWriter, r *http.Request, q *request) error {
	in, err := readInput(r, q)
	if err != nil {
		return err
	}
	o, sp, err := h.o.Engine.HeadObject(r.Context(), in)
	if err != nil {
		return readError(w, o, err)
	}
	objectHeaders(w, r, o, in, sp)
	w.WriteHeader(status(sp))
	return nil
}

func status(sp engine.Span) int {
	if sp.Ranged {
		return http.StatusPartialContent
	}
	return http.StatusOK
}

var copyBufs = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

func (h *Handler) getObject(w http.ResponseWriter, r *http.Request, q *request) error {
	in, err := readInput(r, q)
	if err != nil {
		return err
	}
	o, c, err := h.o.Engine.GetObject(r.Context(), in)
	if err != nil {
		return readError(w, o, err)
	}
	defer c.Close()
	objectHeaders(w, r, o, in, c.Span)
	w.WriteHeader(status(c.Span))
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	if _, err := io.CopyBuffer(writerOnly{w}, c, *bp); err != nil {
		// Headers are gone: abort the connection so the client sees a
		// broken response, never silently short or wrong bytes.
		h.o.Logger.Warn("GET aborted mid-body", "id", q.id, "bucket", q.bucket, "err", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}

// writerOnly hides ReadFrom so io.CopyBuffer uses the pooled buffer.
type writerOnly struct{ io.Writer }

func (h *Handler) deleteObject(w http.ResponseWriter, r *http.Request, q *request) error {
	in := engine.DeleteInput{Bucket: q.bucket, Key: q.key, VersionID: q.versionID, Actor: q.actor(),
		Cond: engine.WriteConditions{IfMatch: r.Header.Get("If-Match")}, Bypass: bypassGovernance(r.Header)}
	res, err := h.o.Engine.DeleteObject(r.Context(), in)
	if err != nil {
		return err
	}
	setVersionID(w, res.VersionID)
	if res.Marker {
		w.Header().Set("x-amz-delete-marker", "true")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
