package httpapi

import (
	"errors"
	"net/http"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/httpapi/s3err"
	"github.com/cairnstore/cairn/httpapi/s3xml"
)

// setVersionID sets x-amz-version-id when S3 would show one (never in a
// bucket whose versioning was never configured).
func setVersionID(w http.ResponseWriter, vid string) {
	if vid != "" {
		w.Header().Set("x-amz-version-id", vid)
	}
}

// deleteMarkerHeaders says, on an error response, that the version asked
// for (or the current one) is a delete marker, as S3 does.
func deleteMarkerHeaders(w http.ResponseWriter, err error) {
	var dm *engine.DeleteMarkerError
	if !errors.As(err, &dm) {
		return
	}
	h := w.Header()
	h.Set("x-amz-delete-marker", "true")
	setVersionID(w, dm.VersionID)
	if dm.Named {
		h.Set("Last-Modified", dm.Modified.UTC().Format(http.TimeFormat))
	}
}

func (h *Handler) getBucketVersioning(w http.ResponseWriter, r *http.Request, q *request) error {
	status, err := h.o.Engine.BucketVersioning(r.Context(), q.bucket)
	if err != nil {
		return err
	}
	return writeXML(w, http.StatusOK, s3xml.VersioningConfiguration{NS: s3xml.NS, Status: status})
}

// putBucketVersioning sets Enabled or Suspended. MFA Delete is not
// supported: a request to enable it is refused with NotImplemented
// (S3 would need an MFA device's code in x-amz-mfa, which cairn has no
// way to check); MfaDelete Disabled is accepted, as it changes nothing.
func (h *Handler) putBucketVersioning(w http.ResponseWriter, r *http.Request, q *request) error {
	var c s3xml.VersioningConfiguration
	found, err := readXMLBody(r, q, &c)
	switch {
	case err != nil:
		return err
	case !found || c.MfaDelete != "" && c.MfaDelete != "Enabled" && c.MfaDelete != "Disabled":
		return s3err.New(s3err.MalformedXML, "")
	case c.MfaDelete == "Enabled":
		return s3err.New(s3err.NotImplemented, "cairn does not support MFA Delete.")
	case c.Status != engine.VersioningEnabled && c.Status != engine.VersioningSuspended:
		return s3err.New(s3err.MalformedXML, "")
	}
	if err := h.o.Engine.PutBucketVersioning(r.Context(), q.bucket, q.actor(), c.Status); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// listObjectVersions is GET /bucket?versions.
func (h *Handler) listObjectVersions(w http.ResponseWriter, r *http.Request, q *request) error {
	query := r.URL.Query()
	p, err := parseListParams(query)
	if err != nil {
		return err
	}
	in := engine.ListVersionsInput{Prefix: p.prefix, Delimiter: p.delimiter, KeyMarker: query.Get("key-marker"),
		VersionIDMarker: query.Get("version-id-marker"), MaxKeys: p.maxKeys}
	res, err := h.o.Engine.ListObjectVersions(r.Context(), q.bucket, in)
	if err != nil {
		return err
	}
	out := s3xml.ListVersionsResult{NS: s3xml.NS, Name: q.bucket, Prefix: p.enc(p.prefix), KeyMarker: p.enc(in.KeyMarker),
		VersionIDMarker: in.VersionIDMarker, MaxKeys: p.maxKeys, Delimiter: p.enc(p.delimiter), EncodingType: p.encoding,
		IsTruncated: res.Truncated, Entries: make([]any, 0, len(res.Versions))}
	if res.Truncated {
		out.NextKeyMarker, out.NextVersionIDMarker = p.enc(res.NextKey), res.NextVersionID
	}
	for _, v := range res.Versions {
		out.Entries = append(out.Entries, versionEntry(v, p))
	}
	for _, cp := range res.CommonPrefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, s3xml.CommonPrefix{Prefix: p.enc(cp)})
	}
	return writeXML(w, http.StatusOK, out)
}

// versionEntry is a Version or DeleteMarker element.
func versionEntry(v engine.VersionInfo, p listParams) any {
	owner := &s3xml.Owner{ID: v.Owner}
	if v.Marker {
		return &s3xml.DeleteMarkerEntry{Key: p.enc(v.Key), VersionID: v.VersionID, IsLatest: v.Latest,
			LastModified: s3xml.Time(v.Modified), Owner: owner}
	}
	e := &s3xml.ObjectVersion{Key: p.enc(v.Key), VersionID: v.VersionID, IsLatest: v.Latest, LastModified: s3xml.Time(v.Modified),
		ETag: `"` + v.ETag + `"`, Size: v.Size, StorageClass: storageClass(v.StorageClass), Owner: owner}
	for alg := range v.Checksums {
		e.ChecksumAlgorithm, e.ChecksumType = alg, v.ChecksumType
	}
	return e
}
