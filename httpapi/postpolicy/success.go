package postpolicy

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Success is how to answer a successful upload.
type Success struct {
	Status   int    // 200, 201, 204 (default) or 303
	Redirect string // the redirect target (bucket, key and etag not yet added) when Status is 303
}

// Object describes the stored object for the success answer.
type Object struct {
	Location string // the object's URL, e.g. from ObjectURL
	Bucket   string
	Key      string
	ETag     string // quoted, as in the ETag header
}

// Success returns the answer the form asks for: a 303 to
// success_action_redirect (or redirect) when it is an absolute http(s) URL,
// else success_action_status 200 or 201, else 204.
func (f *Form) Success() Success {
	for _, name := range []string{"success_action_redirect", "redirect"} {
		if v, ok := f.Fields[name]; ok && v != "" {
			if u, err := url.Parse(v); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
				return Success{Status: http.StatusSeeOther, Redirect: v}
			}
			break // S3 acts as if an unusable URL were absent
		}
	}
	switch f.Fields["success_action_status"] {
	case "200":
		return Success{Status: http.StatusOK}
	case "201":
		return Success{Status: http.StatusCreated}
	}
	return Success{Status: http.StatusNoContent}
}

// RedirectURL appends bucket, key and etag to target as S3 does: form
// encoded, after any query the target already has.
func RedirectURL(target string, o Object) string {
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
		if strings.HasSuffix(target, "?") || strings.HasSuffix(target, "&") {
			sep = ""
		}
	}
	return target + sep + "bucket=" + url.QueryEscape(o.Bucket) + "&key=" + url.QueryEscape(o.Key) +
		"&etag=" + url.QueryEscape(o.ETag)
}

// ObjectURL is the Location S3 reports: base (the bucket's URL, e.g.
// "https://bkt.s3.example.com" or "http://host/bkt") followed by the key
// with every byte outside A-Z a-z 0-9 - . _ ~ percent-encoded, '/' included.
func ObjectURL(base, key string) string {
	var b strings.Builder
	b.WriteString(strings.TrimSuffix(base, "/"))
	b.WriteByte('/')
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(key); i++ {
		c := key[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// postResponse is the 201 body; S3 sends it without a namespace.
type postResponse struct {
	XMLName  xml.Name `xml:"PostResponse"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
}

// PostResponseXML renders the 201 body.
func PostResponseXML(o Object) []byte {
	b, _ := xml.Marshal(postResponse{Location: o.Location, Bucket: o.Bucket, Key: o.Key, ETag: o.ETag})
	return append([]byte(xml.Header), b...)
}

// Write sends the success answer with ETag and Location headers.
func (s Success) Write(w http.ResponseWriter, o Object) {
	h := w.Header()
	if o.ETag != "" {
		h.Set("ETag", o.ETag)
	}
	switch s.Status {
	case http.StatusSeeOther:
		h.Set("Location", RedirectURL(s.Redirect, o))
		w.WriteHeader(s.Status)
	case http.StatusCreated:
		body := PostResponseXML(o)
		h.Set("Location", o.Location)
		h.Set("Content-Type", "application/xml")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(s.Status)
		_, _ = w.Write(body)
	default:
		h.Set("Location", o.Location)
		w.WriteHeader(s.Status)
	}
}
