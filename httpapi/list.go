package httpapi

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/httpapi/s3err"
	"github.com/cairnstore/cairn/httpapi/s3xml"
)

// listParams are the parameters common to both listing versions.
type listParams struct {
	prefix, delimiter, encoding string
	maxKeys                     int
}

func parseListParams(query url.Values) (listParams, error) {
	p := listParams{prefix: query.Get("prefix"), delimiter: query.Get("delimiter"), maxKeys: engine.MaxListKeys}
	if v, ok := query["max-keys"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 0 {
			return p, s3err.New(s3err.InvalidArgument, "Provided max-keys not an integer or within integer range")
		}
		p.maxKeys = min(n, engine.MaxListKeys)
	}
	if v, ok := query["encoding-type"]; ok {
		if !strings.EqualFold(v[0], "url") {
			return p, s3err.New(s3err.InvalidArgument, "Invalid Encoding Method specified in Request")
		}
		p.encoding = "url"
	}
	return p, nil
}

// enc encodes a listed value when the client asked for encoding-type=url.
func (p listParams) enc(s string) string {
	if p.encoding == "url" {
		return s3xml.URLEncode(s)
	}
	return s
}

// Continuation tokens are opaque to clients: a version byte and the key
// (or common prefix) the next page starts after.
const tokenVersion = 1

func encodeToken(after string) string {
	return base64.RawURLEncoding.EncodeToString(append([]byte{tokenVersion}, after...))
}

func decodeToken(tok string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) == 0 || b[0] != tokenVersion {
		return "", s3err.New(s3err.InvalidArgument, "The continuation token provided is incorrect")
	}
	return string(b[1:]), nil
}

func (h *Handler) listObjectsV2(w http.ResponseWriter, r *http.Request, q *request) error {
	query := r.URL.Query()
	p, err := parseListParams(query)
	if err != nil {
		return err
	}
	token, startAfter := query.Get("continuation-token"), query.Get("start-after")
	after := startAfter
	if _, ok := query["continuation-token"]; ok {
		if after, err = decodeToken(token); err != nil {
			return err
		}
	}
	res, err := h.o.Engine.ListObjects(r.Context(), q.bucket, engine.ListInput{Prefix: p.prefix, Delimiter: p.delimiter, After: after, MaxKeys: p.maxKeys})
	if err != nil {
		return err
	}
	out := s3xml.ListBucketResultV2{NS: s3xml.NS, Name: q.bucket, Prefix: p.enc(p.prefix), Delimiter: p.enc(p.delimiter),
		MaxKeys: p.maxKeys, IsTruncated: res.Truncated, EncodingType: p.encoding, ContinuationToken: token,
		StartAfter: p.enc(startAfter), KeyCount: len(res.Objects) + len(res.CommonPrefixes)}
	if res.Truncated {
		out.NextContinuationToken = encodeToken(res.Next)
	}
	withOwner := query.Get("fetch-owner") == "true"
	out.Contents, out.CommonPrefixes = listEntries(res, p, withOwner)
	return writeXML(w, http.StatusOK, out)
}

func (h *Handler) listObjectsV1(w http.ResponseWriter, r *http.Request, q *request) error {
	query := r.URL.Query()
	p, err := parseListParams(query)
	if err != nil {
		return err
	}
	marker := query.Get("marker")
	res, err := h.o.Engine.ListObjects(r.Context(), q.bucket, engine.ListInput{Prefix: p.prefix, Delimiter: p.delimiter, After: marker, MaxKeys: p.maxKeys})
	if err != nil {
		return err
	}
	out := s3xml.ListBucketResultV1{NS: s3xml.NS, Name: q.bucket, Prefix: p.enc(p.prefix), Delimiter: p.enc(p.delimiter),
		Marker: p.enc(marker), MaxKeys: p.maxKeys, IsTruncated: res.Truncated, EncodingType: p.encoding}
	if res.Truncated && p.delimiter != "" {
		out.NextMarker = p.enc(res.Next) // S3 sends NextMarker only with a delimiter
	}
	out.Contents, out.CommonPrefixes = listEntries(res, p, true)
	return writeXML(w, http.StatusOK, out)
}

func listEntries(res engine.ListResult, p listParams, withOwner bool) ([]s3xml.Object, []s3xml.CommonPrefix) {
	objs := make([]s3xml.Object, len(res.Objects))
	for i, o := range res.Objects {
		objs[i] = s3xml.Object{Key: p.enc(o.Key), LastModified: s3xml.Time(o.Modified), ETag: `"` + o.ETag + `"`,
			Size: o.Size, StorageClass: storageClass(o.StorageClass)}
		for alg := range o.Checksums {
			objs[i].ChecksumAlgorithm, objs[i].ChecksumType = alg, o.ChecksumType
		}
		if withOwner {
			objs[i].Owner = &s3xml.Owner{ID: o.Owner}
		}
	}
	cps := make([]s3xml.CommonPrefix, len(res.CommonPrefixes))
	for i, cp := range res.CommonPrefixes {
		cps[i] = s3xml.CommonPrefix{Prefix: p.enc(cp)}
	}
	return objs, cps
}

func storageClass(s string) string {
	if s == "" {
		return "STANDARD"
	}
	return s
}
