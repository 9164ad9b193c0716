package sigv2

import (
	"bytes"
	"net/http"
	"slices"
	"strings"

	"github.com/cairnstore/cairn/httpapi/sigv4"
)

// subresources are the query parameters that belong to the canonicalized
// resource: botocore's HmacV1Auth.QSAOfInterest, a superset of the names the
// S3 documentation lists.
var subresources = map[string]bool{
	"accelerate": true, "acl": true, "analytics": true, "cors": true,
	"defaultObjectAcl": true, "delete": true, "inventory": true, "lifecycle": true,
	"location": true, "logging": true, "metrics": true, "notification": true,
	"object-lock": true, "partNumber": true, "policy": true, "replication": true,
	"requestPayment": true, "restore": true, "select": true, "select-type": true,
	"storageClass": true, "tagging": true, "torrent": true, "uploadId": true,
	"uploads": true, "versionId": true, "versioning": true, "versions": true,
	"website":                true,
	"response-cache-control": true, "response-content-disposition": true,
	"response-content-encoding": true, "response-content-language": true,
	"response-content-type": true, "response-expires": true,
}

// percentDecode is SigV4's decoder: both signatures see a request's escapes
// the same way.
var percentDecode = sigv4.PercentDecode

// rawParam is one query parameter as sent: raw name and value, and whether
// the segment had an '='.
type rawParam struct {
	name, value string
	hasValue    bool
}

// splitQuery splits a raw query on '&' (a ';' is data), skipping empty
// segments.
func splitQuery(raw string) []rawParam {
	var out []rawParam
	for raw != "" {
		var seg string
		seg, raw, _ = strings.Cut(raw, "&")
		if seg == "" {
			continue
		}
		name, value, ok := strings.Cut(seg, "=")
		out = append(out, rawParam{name, value, ok})
	}
	return out
}

// queryValues returns the decoded values of the parameters whose decoded
// name is name.
func queryValues(params []rawParam, name string) []string {
	var vs []string
	for _, p := range params {
		if percentDecode(p.name, true) == name {
			vs = append(vs, percentDecode(p.value, true))
		}
	}
	return vs
}

// bucketOnly reports whether a path-style path names a bucket alone.
func bucketOnly(path string) bool {
	return len(path) > 1 && !strings.Contains(path[1:], "/")
}

// requestPath is the request-target's path as sent, never decoded.
func requestPath(r *http.Request) string {
	if strings.HasPrefix(r.RequestURI, "/") {
		p, _, _ := strings.Cut(r.RequestURI, "?")
		return p
	}
	if p := r.URL.EscapedPath(); p != "" {
		return p
	}
	return "/"
}

// canonicalResource builds the CanonicalizedResource element. A path-style
// request for a bucket itself ("/bucket") is canonicalized as "/bucket/",
// the virtual-host form AWS documents and what botocore signs; with
// literal set, the path is used exactly as sent.
func canonicalResource(r *http.Request, bucket string, params []rawParam, literal bool) string {
	var sb strings.Builder
	if bucket != "" {
		sb.WriteByte('/')
		sb.WriteString(bucket)
	}
	path := requestPath(r)
	sb.WriteString(path)
	if bucket == "" && !literal && bucketOnly(path) {
		sb.WriteByte('/')
	}
	var subs []rawParam
	for _, p := range params {
		if subresources[p.name] {
			subs = append(subs, p)
		}
	}
	slices.SortStableFunc(subs, func(a, b rawParam) int { return strings.Compare(a.name, b.name) })
	for i, p := range subs {
		if i == 0 {
			sb.WriteByte('?')
		} else {
			sb.WriteByte('&')
		}
		sb.WriteString(p.name)
		if p.hasValue {
			sb.WriteByte('=')
			sb.WriteString(percentDecode(p.value, false))
		}
	}
	return sb.String()
}

// amzHeader is one canonicalized x-amz-* header.
type amzHeader struct{ name, value string }

// unfold trims v and replaces folded white space (any run of blanks that
// contains a line break) with a single space.
func unfold(v string) string {
	v = strings.TrimSpace(v)
	if !strings.ContainsAny(v, "\r\n") {
		return v
	}
	b := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c != '\r' && c != '\n' {
			b = append(b, c)
			continue
		}
		b = bytes.TrimRight(b, " \t")
		for i+1 < len(v) && strings.IndexByte("\r\n \t", v[i+1]) >= 0 {
			i++
		}
		b = append(b, ' ')
	}
	return string(b)
}

func isAmz(lowerName string) bool { return strings.HasPrefix(lowerName, "x-amz-") }

// amzHeaders collects the x-amz-* headers of r, sorted by lower-case name.
// When presigned, an x-amz-* query parameter stands in for a header of the
// same name that the request does not carry.
func amzHeaders(r *http.Request, params []rawParam, presigned bool) []amzHeader {
	vals := make(map[string][]string)
	names := make([]string, 0, len(r.Header))
	for name := range r.Header {
		names = append(names, name)
	}
	slices.Sort(names) // deterministic when two spellings share a lower-case name
	for _, name := range names {
		if ln := strings.ToLower(name); isAmz(ln) {
			vals[ln] = append(vals[ln], r.Header[name]...)
		}
	}
	if presigned {
		fromQuery := make(map[string][]string)
		for _, p := range params {
			if ln := strings.ToLower(percentDecode(p.name, true)); isAmz(ln) {
				fromQuery[ln] = append(fromQuery[ln], percentDecode(p.value, true))
			}
		}
		for ln, vs := range fromQuery {
			if _, ok := vals[ln]; !ok {
				vals[ln] = vs
			}
		}
	}
	out := make([]amzHeader, 0, len(vals))
	for ln, vs := range vals {
		parts := make([]string, len(vs))
		for i, v := range vs {
			parts[i] = unfold(v)
		}
		out = append(out, amzHeader{ln, strings.Join(parts, ",")})
	}
	slices.SortFunc(out, func(a, b amzHeader) int { return strings.Compare(a.name, b.name) })
	return out
}

// standardHeader returns a Content-MD5 or Content-Type value, trimmed: the
// (first) header, or when presigned and the header is absent, the query
// parameter of the same name.
func standardHeader(r *http.Request, params []rawParam, presigned bool, name string) string {
	if vs := r.Header.Values(name); len(vs) > 0 || !presigned {
		return strings.TrimSpace(r.Header.Get(name))
	}
	lower := strings.ToLower(name)
	for _, p := range params {
		if strings.ToLower(percentDecode(p.name, true)) == lower {
			return strings.TrimSpace(percentDecode(p.value, true))
		}
	}
	return ""
}

// canon holds the parts of the string to sign.
type canon struct {
	method, md5, ctype string
	amz                []amzHeader
	resource           string
}

func newCanon(r *http.Request, bucket string, params []rawParam, presigned bool) *canon {
	return &canon{
		method:   r.Method,
		md5:      standardHeader(r, params, presigned, "Content-Md5"),
		ctype:    standardHeader(r, params, presigned, "Content-Type"),
		amz:      amzHeaders(r, params, presigned),
		resource: canonicalResource(r, bucket, params, false),
	}
}

// stringToSign renders the string to sign with date in the Date slot,
// leaving x-amz-date out of the amz headers when skipAmzDate.
func (c *canon) stringToSign(date string, skipAmzDate bool) string {
	var sb strings.Builder
	sb.Grow(128 + len(c.resource))
	sb.WriteString(c.method)
	sb.WriteByte('\n')
	sb.WriteString(c.md5)
	sb.WriteByte('\n')
	sb.WriteString(c.ctype)
	sb.WriteByte('\n')
	sb.WriteString(date)
	sb.WriteByte('\n')
	for _, h := range c.amz {
		if skipAmzDate && h.name == "x-amz-date" {
			continue
		}
		sb.WriteString(h.name)
		sb.WriteByte(':')
		sb.WriteString(h.value)
		sb.WriteByte('\n')
	}
	sb.WriteString(c.resource)
	return sb.String()
}

// amzValue returns the canonical value of an x-amz-* header, if present.
func (c *canon) amzValue(name string) (string, bool) {
	for _, h := range c.amz {
		if h.name == name {
			return h.value, true
		}
	}
	return "", false
}
