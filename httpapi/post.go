package httpapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/httpapi/postpolicy"
	"github.com/cairnstore/cairn/httpapi/sigv4"
)

// memoryPostLimit is the largest POST file kept in memory while its length
// is learnt; larger ones spool to disk (a segment record needs its length
// before its first byte).
const memoryPostLimit = 8 << 20

// formHandler runs a handler that authenticates from its own body.
func (h *Handler) formHandler(op string, hf handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := reqOf(r)
		q.op = op
		if err := hf(w, r, q); err != nil {
			h.writeError(w, r, q, err)
		}
	})
}

// postObject is a browser POST upload (multipart/form-data with a signed
// policy document). The form authenticates the request; then the one
// authorization decision applies as for any PutObject.
func (h *Handler) postObject(w http.ResponseWriter, r *http.Request, q *request) error {
	form, err := postpolicy.Parse(r, 0)
	if err != nil {
		return err
	}
	v, err := h.post.Verify(r.Context(), form, q.bucket)
	switch {
	case errors.Is(err, sigv4.ErrMissingAuth):
		q.principal = engine.Anonymous
	case err != nil:
		return err
	default:
		if err := h.signedBy(r, q, &sigv4.Verified{AccessKey: v.AccessKey, Mode: sigv4.PayloadUnsigned}, v.Version == 2); err != nil {
			return err
		}
	}
	q.key, _ = form.Field("key")
	if r, err = h.authorize(r, q); err != nil {
		return err
	}
	in, cleanup, err := h.postInput(r.Context(), form, q)
	if err != nil {
		return err
	}
	defer cleanup()
	res, err := h.o.Engine.PutObject(r.Context(), in)
	if err != nil {
		return err
	}
	setVersionID(w, res.VersionID)
	base := "http://" + r.Host
	if r.TLS != nil {
		base = "https://" + r.Host
	}
	if !q.vhost {
		base += "/" + q.bucket
	}
	form.Success().Write(w, postpolicy.Object{Location: postpolicy.ObjectURL(base, q.key), Bucket: q.bucket, Key: q.key, ETag: `"` + res.ETag + `"`})
	return nil
}

// postInput turns the form into a PutObject: its file (length learnt by
// reading it, in memory or spooled) and its standard fields.
func (h *Handler) postInput(ctx context.Context, form *postpolicy.Form, q *request) (engine.PutObjectInput, func(), error) {
	fields := http.Header{}
	for k, v := range form.Fields {
		fields.Set(k, v)
	}
	if fields.Get("Content-Type") == "" && form.ContentType != "" {
		fields.Set("Content-Type", form.ContentType)
	}
	in := engine.PutObjectInput{Bucket: q.bucket, Key: q.key, Actor: q.actor(), ContentHeaders: contentHeaders(fields),
		UserMeta: userMeta(fields), Post: true}
	var err error
	if acl := fields.Get("Acl"); acl != "" {
		in.ACL = &engine.ACLSpec{Canned: acl}
	}
	if in.StorageClass, err = storageClassHeader(fields); err != nil {
		return in, func() {}, err
	}
	body, size, cleanup, err := h.spool(form.File)
	in.Body, in.Size = body, size
	return in, cleanup, err
}

// spool reads r to its end: into memory up to memoryPostLimit, then into
// a temporary file, so the length is known without holding big files in
// memory.
func (h *Handler) spool(r io.Reader) (io.Reader, int64, func(), error) {
	head := make([]byte, memoryPostLimit+1)
	n, err := io.ReadFull(r, head)
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return bytes.NewReader(head[:n]), int64(n), func() {}, nil
	}
	if err != nil {
		return nil, 0, func() {}, err
	}
	f, err := os.CreateTemp(h.o.SpoolDir, "post-*")
	if err != nil {
		return nil, 0, func() {}, err
	}
	cleanup := func() { f.Close(); os.Remove(f.Name()) }
	total, err := io.Copy(f, io.MultiReader(bytes.NewReader(head), r))
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		cleanup()
		return nil, 0, func() {}, err
	}
	return f, total, cleanup, nil
}
