package httpapi

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/engine/checksum"
	"github.com/cairnstore/cairn/httpapi/s3err"
	"github.com/cairnstore/cairn/httpapi/s3xml"
)

// parseCopySource reads x-amz-copy-source: "bucket/key" or "/bucket/key",
// URL-encoded, optionally with "?versionId=".
func parseCopySource(v string) (bucket, key, vid string, err error) {
	path, query, _ := strings.Cut(v, "?")
	p, perr := url.PathUnescape(path)
	bucket, key, ok := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	if perr != nil || !ok || bucket == "" || key == "" {
		return "", "", "", s3err.New(s3err.InvalidArgument, "Invalid copy source object key")
	}
	q, err := url.ParseQuery(query)
	if vids, ok := q["versionId"]; err == nil && ok {
		if vids[0] == "" {
			return "", "", "", s3err.New(s3err.InvalidArgument, "Version id cannot be the empty string")
		}
		vid = vids[0]
	}
	return bucket, key, vid, nil
}

// directive reads a COPY/REPLACE directive header (COPY by default).
func directive(h http.Header, name string) (replace bool, err error) {
	switch v := h.Get(name); v {
	case "", "COPY":
		return false, nil
	case "REPLACE":
		return true, nil
	}
	what := "metadata"
	if strings.Contains(name, "tagging") {
		what = "tagging"
	}
	return false, s3err.New(s3err.InvalidArgument, "Unknown "+what+" directive.")
}

// copySourceConditions reads the x-amz-copy-source-if-* headers.
func copySourceConditions(h http.Header) engine.Conditions {
	c := engine.Conditions{IfMatch: h.Get("X-Amz-Copy-Source-If-Match"), IfNoneMatch: h.Get("X-Amz-Copy-Source-If-None-Match")}
	if t, err := http.ParseTime(h.Get("X-Amz-Copy-Source-If-Modified-Since")); err == nil {
		c.IfModifiedSince = t
	}
	if t, err := http.ParseTime(h.Get("X-Amz-Copy-Source-If-Unmodified-Since")); err == nil {
		c.IfUnmodifiedSince = t
	}
	return c
}

func copyInput(r *http.Request, q *request) (engine.CopyObjectInput, error) {
	in := engine.CopyObjectInput{Bucket: q.bucket, Key: q.key, Actor: q.actor(), SrcCond: copySourceConditions(r.Header)}
	var err error
	if in.SrcBucket, in.SrcKey, in.SrcVersionID, err = parseCopySource(r.Header.Get("X-Amz-Copy-Source")); err != nil {
		return in, err
	}
	if in.Lock, err = lockSpec(r.Header); err != nil {
		return in, err
	}
	if in.Cond, err = writeConditions(r.Header); err != nil {
		return in, err
	}
	if in.ACL, err = aclSpec(r.Header); err != nil {
		return in, err
	}
	if in.ReplaceMeta, err = directive(r.Header, "X-Amz-Metadata-Directive"); err != nil {
		return in, err
	}
	if in.ReplaceMeta {
		in.ContentHeaders, in.UserMeta = contentHeaders(r.Header), userMeta(r.Header)
	}
	if in.ReplaceTags, err = directive(r.Header, "X-Amz-Tagging-Directive"); err != nil {
		return in, err
	}
	if in.ReplaceTags {
		tags, _, err := headerTags(r.Header)
		if err == nil {
			in.Tags, err = engine.TagSet(tags, engine.MaxObjectTags)
		}
		if err != nil {
			return in, err
		}
	}
	if in.StorageClass, err = storageClassHeader(r.Header); err != nil {
		return in, err
	}
	if a := r.Header.Get("X-Amz-Checksum-Algorithm"); a != "" {
		alg, ok := checksum.Parse(a)
		if !ok {
			return in, s3err.New(s3err.InvalidRequest, "Value for x-amz-checksum-algorithm header is invalid.")
		}
		in.Checksum = alg
	}
	return in, nil
}

// copyObject is PUT /bucket/key with x-amz-copy-source.
func (h *Handler) copyObject(w http.ResponseWriter, r *http.Request, q *request) error {
	in, err := copyInput(r, q)
	if err != nil {
		return err
	}
	res, err := h.o.Engine.CopyObject(r.Context(), in)
	if err != nil {
		return err
	}
	setVersionID(w, res.VersionID)
	if res.SrcVersionID != "" {
		w.Header().Set("x-amz-copy-source-version-id", res.SrcVersionID)
	}
	out := s3xml.CopyObjectResult{NS: s3xml.NS, LastModified: s3xml.Time(res.Modified), ETag: `"` + res.ETag + `"`}
	for alg, v := range res.Checksums {
		out.Set(alg, v)
		out.ChecksumType = res.ChecksumType
	}
	return writeXML(w, http.StatusOK, out)
}
