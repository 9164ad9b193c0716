package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

const upperHex = "0123456789ABCDEF"

// emptySHA256 is hex(sha256("")).
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// uriEncode encodes every byte of s outside the unreserved set (and '/' when
// keepSlash) as %XX with upper-case hex.
func uriEncode(s string, keepSlash bool) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isUnreserved(c) && !(keepSlash && c == '/') {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	b := make([]byte, 0, len(s)+16)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) || keepSlash && c == '/' {
			b = append(b, c)
		} else {
			b = append(b, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return string(b)
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// PercentDecode decodes %XX escapes; a malformed escape is kept literally.
// With plusSpace, '+' decodes to ' ' (query components).
func PercentDecode(s string, plusSpace bool) string {
	if !strings.ContainsRune(s, '%') && !(plusSpace && strings.ContainsRune(s, '+')) {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s):
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				b = append(b, hi<<4|lo)
				i += 2
				continue
			}
			b = append(b, c)
		case c == '+' && plusSpace:
			b = append(b, ' ')
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// canonicalURI returns the SigV4 canonical URI for S3: the escaped path,
// decoded once and re-encoded, with no normalisation.
func canonicalURI(r *http.Request) string {
	p := r.URL.EscapedPath()
	if p == "" {
		return "/"
	}
	return uriEncode(PercentDecode(p, false), true)
}

// queryParam is one decoded query parameter, in wire order.
type queryParam struct{ name, value string }

// parseRawQuery splits a raw query on '&' only (';' is data, unlike
// url.ParseQuery), skipping empty segments, and decodes names and values.
func parseRawQuery(raw string) []queryParam {
	if raw == "" {
		return nil
	}
	params := make([]queryParam, 0, strings.Count(raw, "&")+1)
	for raw != "" {
		var seg string
		seg, raw, _ = strings.Cut(raw, "&")
		if seg == "" {
			continue
		}
		name, value, _ := strings.Cut(seg, "=")
		params = append(params, queryParam{PercentDecode(name, true), PercentDecode(value, true)})
	}
	return params
}

// lookupParam returns the values of the parameters called name.
func lookupParam(params []queryParam, name string) []string {
	var vs []string
	for _, p := range params {
		if p.name == name {
			vs = append(vs, p.value)
		}
	}
	return vs
}

// canonicalQuery encodes, sorts (after encoding) and joins the parameters,
// leaving out X-Amz-Signature when presigned.
func canonicalQuery(params []queryParam, presigned bool) string {
	if len(params) == 0 {
		return ""
	}
	enc := make([]queryParam, 0, len(params))
	n := 0
	for _, p := range params {
		if presigned && p.name == "X-Amz-Signature" {
			continue
		}
		q := queryParam{uriEncode(p.name, false), uriEncode(p.value, false)}
		n += len(q.name) + len(q.value) + 2
		enc = append(enc, q)
	}
	slices.SortFunc(enc, func(a, b queryParam) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return strings.Compare(a.value, b.value)
	})
	var sb strings.Builder
	sb.Grow(n)
	for i, p := range enc {
		if i > 0 {
			sb.WriteByte('&')
		}
		sb.WriteString(p.name)
		sb.WriteByte('=')
		sb.WriteString(p.value)
	}
	return sb.String()
}

// headerValues returns the values of a signed header as the server sees
// them; Go keeps Host, and for chunked bodies Transfer-Encoding, out of
// r.Header.
func headerValues(r *http.Request, name string) []string {
	switch strings.ToLower(name) {
	case "host":
		if r.Host != "" {
			return []string{r.Host}
		}
		return []string{r.URL.Host}
	case "content-length":
		if v := r.Header.Values("Content-Length"); len(v) > 0 {
			return v
		}
		if r.ContentLength >= 0 {
			return []string{strconv.FormatInt(r.ContentLength, 10)}
		}
		return nil
	case "transfer-encoding":
		if v := r.Header.Values("Transfer-Encoding"); len(v) > 0 {
			return v
		}
		return r.TransferEncoding
	}
	return r.Header.Values(name)
}

// writeHeaderValue writes v trimmed, with runs of spaces collapsed to one.
func writeHeaderValue(sb *strings.Builder, v string) {
	v = strings.TrimSpace(v)
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		sb.WriteByte(c)
	}
}

// canonicalRequest builds the SigV4 canonical request.
func canonicalRequest(r *http.Request, params []queryParam, signed []string, payloadHash string, presigned bool) string {
	var sb strings.Builder
	sb.Grow(512)
	sb.WriteString(r.Method)
	sb.WriteByte('\n')
	sb.WriteString(canonicalURI(r))
	sb.WriteByte('\n')
	sb.WriteString(canonicalQuery(params, presigned))
	sb.WriteByte('\n')
	for _, name := range signed {
		sb.WriteString(name)
		sb.WriteByte(':')
		for i, v := range headerValues(r, name) {
			if i > 0 {
				sb.WriteByte(',')
			}
			writeHeaderValue(&sb, v)
		}
		sb.WriteByte('\n')
	}
	sb.WriteByte('\n')
	for i, name := range signed {
		if i > 0 {
			sb.WriteByte(';')
		}
		sb.WriteString(name)
	}
	sb.WriteByte('\n')
	sb.WriteString(payloadHash)
	return sb.String()
}

// stringToSign builds the SigV4 string to sign for a canonical request.
func stringToSign(amzDate, scope, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	return algorithm + "\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// deriveSigningKey computes the SigV4 signing key. The result is secret.
func deriveSigningKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, scopeTerminator)
}
