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
	if sc := r.Header.Get("X-Amz-Storage-Class"); sc != "" {
		if !storageClasses[sc] {
			return s3err.New(s3err.InvalidStorageClass, "")
		}
		if sc != "STANDARD" {
			in.StorageClass = sc
		}
	}
	res, err := h.o.Engine.PutObject(r.Context(), in)
	if err != nil {
		return err
	}
	hdr := w.Header()
	hdr.Set("ETag", `"`+res.ETag+`"`)
	for alg, v := range res.Checksums {
		hdr.Set(checksumHeader(alg), v)
		hdr.Set("x-amz-checksum-type", "FULL_OBJECT")
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func checksumHeader(alg string) string { return "x-amz-checksum-" + strings.ToLower(alg) }

// objectHeaders sets the headers GET and HEAD share.
func objectHeaders(w http.ResponseWriter, r *http.Request, o engine.ObjectInfo, full bool) {
	h := w.Header()
	h.Set("ETag", `"`+o.ETag+`"`)
	h.Set("Last-Modified", o.Modified.UTC().Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
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
	for k, v := range o.UserMeta {
		h["X-Amz-Meta-"+k] = []string{v} // S3 returns the names as stored (lower case)
	}
	// Checksums describe the whole object: S3 returns them only for full
	// reads, and only when the client asks.
	if full && strings.EqualFold(r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") {
		for alg, v := range o.Checksums {
			if _, ok := checksum.Parse(alg); ok {
				h.Set(checksumHeader(alg), v)
			}
		}
		if len(o.Checksums) > 0 {
			h.Set("x-amz-checksum-type", o.ChecksumType)
		}
	}
}

func (h *Handler) headObject(w http.ResponseWriter, r *http.Request, q *request) error {
	o, err := h.o.Engine.HeadObject(r.Context(), q.bucket, q.key)
	if err != nil {
		return err
	}
	rng, err := parseRange(r.Header.Get("Range"))
	if err != nil {
		return err
	}
	objectHeaders(w, r, o, rng == nil)
	w.Header().Set("Content-Length", strconv.FormatInt(o.Size, 10))
	w.WriteHeader(http.StatusOK)
	return nil
}

var copyBufs = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

func (h *Handler) getObject(w http.ResponseWriter, r *http.Request, q *request) error {
	rng, err := parseRange(r.Header.Get("Range"))
	if err != nil {
		return err
	}
	o, c, err := h.o.Engine.GetObject(r.Context(), q.bucket, q.key, rng)
	if err != nil {
		if errors.Is(err, engine.ErrInvalidRange) && o.Size >= 0 {
			w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", o.Size))
		}
		return err
	}
	defer c.Close()
	objectHeaders(w, r, o, !c.Ranged)
	w.Header().Set("Content-Length", strconv.FormatInt(c.Length, 10))
	status := http.StatusOK
	if c.Ranged {
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", c.Offset, c.Offset+c.Length-1, o.Size))
		status = http.StatusPartialContent
	}
	w.WriteHeader(status)
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
	if err := h.o.Engine.DeleteObject(r.Context(), q.bucket, q.key, q.actor()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
