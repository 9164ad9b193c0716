package httpapi

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/engine/checksum"
	"github.com/cairnstore/cairn/httpapi/s3err"
	"github.com/cairnstore/cairn/httpapi/s3xml"
)

// maxCompleteBody bounds a CompleteMultipartUpload body: 10,000 parts with
// SHA-256 checksums take about 2 MB.
const maxCompleteBody = 8 << 20

// uploadError adds the upload id to a NoSuchUpload body, as S3 does.
func uploadError(err error, uploadID string) error {
	if errors.Is(err, engine.ErrNoSuchUpload) {
		return s3err.FromError(err).With("UploadId", uploadID)
	}
	return err
}

func (h *Handler) createMultipartUpload(w http.ResponseWriter, r *http.Request, q *request) error {
	in := engine.CreateMultipartInput{Bucket: q.bucket, Key: q.key, Actor: q.actor(),
		ContentHeaders: contentHeaders(r.Header), UserMeta: userMeta(r.Header)}
	a, err := readNewObjectAttrs(r.Header)
	if err != nil {
		return err
	}
	in.ACL, in.Tags, in.StorageClass, in.Lock = a.acl, a.tags, a.storageClass, a.lock
	if v := r.Header.Get("X-Amz-Checksum-Algorithm"); v != "" {
		a, ok := checksum.Parse(v)
		if !ok {
			return s3err.New(s3err.InvalidRequest, "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
		}
		in.ChecksumAlgorithm = a
	}
	in.ChecksumType = strings.ToUpper(r.Header.Get("X-Amz-Checksum-Type"))
	up, err := h.o.Engine.CreateMultipartUpload(r.Context(), in)
	if err != nil {
		return err
	}
	if up.ChecksumAlgorithm != "" {
		w.Header().Set("x-amz-checksum-algorithm", string(up.ChecksumAlgorithm))
		w.Header().Set("x-amz-checksum-type", up.ChecksumType)
	}
	return writeXML(w, http.StatusOK, s3xml.InitiateMultipartUploadResult{NS: s3xml.NS, Bucket: q.bucket, Key: q.key, UploadID: up.UploadID})
}

// partNumber parses the partNumber parameter.
func partNumber(r *http.Request) (int, error) {
	n, err := strconv.Atoi(r.URL.Query().Get("partNumber"))
	if err != nil || n < 1 || n > engine.MaxParts {
		return 0, s3err.New(s3err.InvalidArgument, "Part number must be an integer between 1 and 10000, inclusive")
	}
	return n, nil
}

func (h *Handler) uploadPart(w http.ResponseWriter, r *http.Request, q *request) error {
	if r.Header.Get("X-Amz-Copy-Source") != "" {
		q.op = "UploadPartCopy"
		return h.uploadPartCopy(w, r, q)
	}
	n, err := partNumber(r)
	if err != nil {
		return err
	}
	uploadID := r.URL.Query().Get("uploadId")
	body, err := q.auth.Body(r)
	if err != nil {
		return err
	}
	defer body.Close()
	if body.Size() < 0 {
		return s3err.New(s3err.MissingContentLength, "")
	}
	in := engine.UploadPartInput{Bucket: q.bucket, Key: q.key, UploadID: uploadID, Actor: q.actor(), PartNumber: n,
		Size: body.Size(), Body: body}
	if in.ContentMD5, err = contentMD5(r.Header); err != nil {
		return err
	}
	if in.Checksum, err = requestChecksum(r.Header, body); err != nil {
		return err
	}
	res, err := h.o.Engine.UploadPart(r.Context(), in)
	if err != nil {
		return uploadError(err, uploadID)
	}
	w.Header().Set("ETag", `"`+res.ETag+`"`)
	if res.Checksum != "" {
		w.Header().Set(checksumHeader(string(res.ChecksumAlgorithm)), res.Checksum)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) uploadPartCopy(w http.ResponseWriter, r *http.Request, q *request) error {
	n, err := partNumber(r)
	if err != nil {
		return err
	}
	uploadID := r.URL.Query().Get("uploadId")
	in := engine.UploadPartCopyInput{Bucket: q.bucket, Key: q.key, UploadID: uploadID, Actor: q.actor(), PartNumber: n,
		Cond: copySourceConditions(r.Header)}
	if in.SourceBucket, in.SourceKey, in.SourceVersionID, err = parseCopySource(r.Header.Get("X-Amz-Copy-Source")); err != nil {
		return err
	}
	if in.Range, err = partCopyRange(r.Header); err != nil {
		return err
	}
	res, err := h.o.Engine.UploadPartCopy(r.Context(), in)
	if err != nil {
		return uploadError(err, uploadID)
	}
	if res.SrcVersionID != "" {
		w.Header().Set("x-amz-copy-source-version-id", res.SrcVersionID)
	}
	out := s3xml.CopyPartResult{NS: s3xml.NS, LastModified: s3xml.Time(res.Modified), ETag: `"` + res.ETag + `"`}
	out.Set(string(res.ChecksumAlgorithm), res.Checksum)
	return writeXML(w, http.StatusOK, out)
}

// partCopyRange parses x-amz-copy-source-range: "bytes=first-last", both
// given.
func partCopyRange(h http.Header) (*engine.PartCopyRange, error) {
	v, ok := h["X-Amz-Copy-Source-Range"]
	if !ok {
		return nil, nil
	}
	bad := s3err.New(s3err.InvalidArgument, "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy")
	spec, ok := strings.CutPrefix(strings.TrimSpace(v[0]), "bytes=")
	first, last, found := strings.Cut(spec, "-")
	if !ok || !found {
		return nil, bad
	}
	f, err1 := strconv.ParseInt(first, 10, 64)
	l, err2 := strconv.ParseInt(last, 10, 64)
	if err1 != nil || err2 != nil || f < 0 || l < 0 {
		return nil, bad
	}
	return &engine.PartCopyRange{First: f, Last: l}, nil
}

func (h *Handler) abortMultipartUpload(w http.ResponseWriter, r *http.Request, q *request) error {
	uploadID := r.URL.Query().Get("uploadId")
	if err := h.o.Engine.AbortMultipartUpload(r.Context(), q.bucket, q.key, uploadID, q.actor()); err != nil {
		return uploadError(err, uploadID)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// readCompleteBody reads and decodes a CompleteMultipartUpload body.
func readCompleteBody(r *http.Request, q *request) ([]engine.CompletePart, error) {
	body, err := q.auth.Body(r)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	b, err := io.ReadAll(io.LimitReader(body, maxCompleteBody+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxCompleteBody {
		return nil, s3err.New(s3err.InvalidRequest, "The XML body is too large.")
	}
	var c s3xml.CompleteMultipartUpload
	if err := xml.Unmarshal(b, &c); err != nil {
		return nil, s3err.New(s3err.MalformedXML, "")
	}
	parts := make([]engine.CompletePart, len(c.Parts))
	for i, p := range c.Parts {
		if p.PartNumber == nil || p.ETag == nil {
			return nil, s3err.New(s3err.MalformedXML, "")
		}
		parts[i] = engine.CompletePart{Number: *p.PartNumber, ETag: *p.ETag}
		for _, a := range checksum.All {
			if v := p.Get(string(a)); v != "" && parts[i].Checksum == "" {
				parts[i].Checksum = v
			}
		}
	}
	return parts, nil
}

func (h *Handler) completeMultipartUpload(w http.ResponseWriter, r *http.Request, q *request) error {
	uploadID := r.URL.Query().Get("uploadId")
	in := engine.CompleteMultipartInput{Bucket: q.bucket, Key: q.key, UploadID: uploadID, Actor: q.actor(), ObjectSize: -1,
		ChecksumType: strings.ToUpper(r.Header.Get("X-Amz-Checksum-Type"))}
	var err error
	if in.Parts, err = readCompleteBody(r, q); err != nil {
		return err
	}
	if in.Cond, err = writeConditions(r.Header); err != nil {
		return err
	}
	for _, a := range checksum.All {
		if v := r.Header.Get(a.HeaderName()); v != "" {
			in.ChecksumAlgorithm, in.Checksum = a, v
		}
	}
	if v := r.Header.Get("X-Amz-Mp-Object-Size"); v != "" {
		if in.ObjectSize, err = strconv.ParseInt(v, 10, 64); err != nil || in.ObjectSize < 0 {
			return s3err.New(s3err.InvalidArgument, "Value for x-amz-mp-object-size header is invalid.")
		}
	}
	res, err := h.o.Engine.CompleteMultipartUpload(r.Context(), in)
	if err != nil {
		return uploadError(err, uploadID)
	}
	setVersionID(w, res.VersionID)
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	out := s3xml.CompleteMultipartUploadResult{NS: s3xml.NS, Location: scheme + "://" + r.Host + r.URL.EscapedPath(),
		Bucket: q.bucket, Key: q.key, ETag: `"` + res.ETag + `"`, ChecksumType: res.ChecksumType}
	for alg, v := range res.Checksums {
		out.Set(alg, v)
	}
	return writeXML(w, http.StatusOK, out)
}

// partChecksumHeaders sets the checksum of part n of a multipart object,
// for a GET or HEAD of that part.
func partChecksumHeaders(h http.Header, o engine.ObjectInfo, n int) {
	if n > len(o.Parts) || o.Parts[n-1].Checksum == "" {
		return
	}
	for alg := range o.Checksums {
		if _, ok := checksum.Parse(alg); ok {
			h.Set(checksumHeader(alg), o.Parts[n-1].Checksum)
			h.Set("x-amz-checksum-type", o.ChecksumType)
		}
	}
}
