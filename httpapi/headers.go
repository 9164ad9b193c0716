package httpapi

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/engine/checksum"
	"github.com/cairnstore/cairn/httpapi/s3err"
	"github.com/cairnstore/cairn/httpapi/sigv4"
)

const metaPrefix = "X-Amz-Meta-"

// storageClasses S3 accepts on PUT.
var storageClasses = map[string]bool{"STANDARD": true, "REDUCED_REDUNDANCY": true, "STANDARD_IA": true,
	"ONEZONE_IA": true, "INTELLIGENT_TIERING": true, "GLACIER": true, "DEEP_ARCHIVE": true, "GLACIER_IR": true,
	"OUTPOSTS": true, "SNOW": true, "EXPRESS_ONEZONE": true}

// contentHeaders reads the standard headers stored with an object.
func contentHeaders(h http.Header) engine.ContentHeaders {
	ch := engine.ContentHeaders{ContentType: h.Get("Content-Type"), ContentDisposition: h.Get("Content-Disposition"),
		ContentLanguage: h.Get("Content-Language"), CacheControl: h.Get("Cache-Control"), Expires: h.Get("Expires"),
		ContentEncoding: stripAWSChunked(h.Values("Content-Encoding"))}
	if ch.ContentType == "" {
		ch.ContentType = "binary/octet-stream" // S3's default
	}
	return ch
}

// stripAWSChunked removes the transfer coding "aws-chunked", which
// describes the request body, not the object.
func stripAWSChunked(values []string) string {
	var out []string
	for _, v := range values {
		for _, c := range strings.Split(v, ",") {
			if c = strings.TrimSpace(c); c != "" && !strings.EqualFold(c, "aws-chunked") {
				out = append(out, c)
			}
		}
	}
	return strings.Join(out, ",")
}

// userMeta collects x-amz-meta-* headers under lower-case names.
func userMeta(h http.Header) map[string]string {
	var m map[string]string
	for k, v := range h {
		if !strings.HasPrefix(k, metaPrefix) {
			continue
		}
		if m == nil {
			m = map[string]string{}
		}
		m[strings.ToLower(k[len(metaPrefix):])] = strings.Join(v, ",")
	}
	return m
}

// contentMD5 decodes Content-MD5, nil when absent.
func contentMD5(h http.Header) ([]byte, error) {
	v, ok := h["Content-Md5"]
	if !ok {
		return nil, nil
	}
	b, err := base64.StdEncoding.DecodeString(v[0])
	if err != nil || len(b) != 16 {
		return nil, s3err.New(s3err.InvalidDigest, "")
	}
	return b, nil
}

// requestChecksum finds the additional checksum a PUT carries: a value in
// one x-amz-checksum-* header, or a declared trailer, or only the
// algorithm named by x-amz-sdk-checksum-algorithm.
func requestChecksum(h http.Header, body *sigv4.Body) (engine.Checksum, error) {
	var c engine.Checksum
	for _, a := range checksum.All {
		v := h.Get(a.HeaderName())
		if v == "" {
			continue
		}
		if c.Algorithm != "" {
			return c, s3err.New(s3err.InvalidRequest, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		c.Algorithm, c.Value = a, v
	}
	for _, t := range strings.Split(h.Get("X-Amz-Trailer"), ",") {
		t = strings.ToLower(strings.TrimSpace(t))
		a, ok := checksum.Parse(strings.TrimPrefix(t, "x-amz-checksum-"))
		if !ok || !strings.HasPrefix(t, "x-amz-checksum-") {
			continue
		}
		if c.Algorithm != "" && c.Algorithm != a {
			return c, s3err.New(s3err.InvalidRequest, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		name := t
		c.Algorithm = a
		c.Trailer = func() (string, bool) {
			v, ok := body.Trailer()[name]
			return v, ok
		}
	}
	if s := h.Get("X-Amz-Sdk-Checksum-Algorithm"); s != "" && c.Algorithm == "" {
		a, ok := checksum.Parse(s)
		if !ok {
			return c, s3err.New(s3err.InvalidRequest, "Value for x-amz-sdk-checksum-algorithm header is invalid.")
		}
		c.Algorithm = a
	}
	return c, nil
}

// parseRange parses a single-range Range header. Anything it does not
// understand (other units, several ranges) is ignored as RFC 9110 allows,
// and the whole object is served.
func parseRange(v string) (*engine.Range, error) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(v), "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return nil, nil
	}
	first, last, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return nil, nil
	}
	if first == "" {
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil || n < 0 {
			return nil, nil
		}
		if n == 0 {
			return nil, engine.ErrInvalidRange
		}
		return &engine.Range{Suffix: n}, nil
	}
	start, err := strconv.ParseInt(first, 10, 64)
	if err != nil || start < 0 {
		return nil, nil
	}
	end := int64(-1)
	if last != "" {
		if end, err = strconv.ParseInt(last, 10, 64); err != nil || end < start {
			return nil, nil
		}
	}
	return &engine.Range{Start: start, End: end}, nil
}

// writeConditions reads If-Match and If-None-Match on a write. S3 accepts
// only "*" in If-None-Match there.
func writeConditions(h http.Header) (engine.WriteConditions, error) {
	c := engine.WriteConditions{IfMatch: h.Get("If-Match"), IfNoneMatch: h.Get("If-None-Match")}
	if c.IfNoneMatch != "" && strings.TrimSpace(c.IfNoneMatch) != "*" {
		return c, s3err.New(s3err.NotImplemented, "If-None-Match on a write accepts only *")
	}
	return c, nil
}

// storageClassHeader reads x-amz-storage-class; "" stands for STANDARD.
func storageClassHeader(h http.Header) (string, error) {
	sc := h.Get("X-Amz-Storage-Class")
	if sc == "" || sc == "STANDARD" {
		return "", nil
	}
	if !storageClasses[sc] {
		return "", s3err.New(s3err.InvalidStorageClass, "")
	}
	return sc, nil
}

// newObjectAttrs are what the headers of a request making an object
// (PutObject, CreateMultipartUpload) set besides its content: ACL, tags
// (x-amz-tagging), storage class and Object Lock.
type newObjectAttrs struct {
	acl          *engine.ACLSpec
	tags         map[string]string
	storageClass string
	lock         *engine.LockSpec
}

func readNewObjectAttrs(h http.Header) (a newObjectAttrs, err error) {
	if a.acl, err = aclSpec(h); err != nil {
		return a, err
	}
	if tags, ok, err := headerTags(h); err != nil {
		return a, err
	} else if ok {
		if a.tags, err = engine.TagSet(tags, engine.MaxObjectTags); err != nil {
			return a, err
		}
	}
	if a.storageClass, err = storageClassHeader(h); err != nil {
		return a, err
	}
	a.lock, err = lockSpec(h)
	return a, err
}
