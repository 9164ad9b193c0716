package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cairnstore/cairn/httpapi/sigv4"
)

// policyContext is what a bucket policy's conditions can test about a
// request: the global aws: keys and the s3: keys of the request's
// parameters and headers. Keys are lower case; absent keys are absent.
func policyContext(r *http.Request, q *request) map[string][]string {
	now := time.Now().UTC()
	c := map[string][]string{
		"aws:sourceip":        {sourceIP(r)},
		"aws:securetransport": {strconv.FormatBool(r.TLS != nil)},
		"aws:currenttime":     {now.Format(time.RFC3339)},
		"aws:epochtime":       {strconv.FormatInt(now.Unix(), 10)},
	}
	set := func(k, v string) {
		if v != "" {
			c[k] = []string{v}
		}
	}
	set("aws:referer", r.Header.Get("Referer"))
	set("aws:useragent", r.Header.Get("User-Agent"))
	if !q.principal.Anonymous {
		set("aws:username", q.principal.User)
		set("aws:userid", q.principal.CanonicalID)
		set("aws:principalarn", "arn:aws:iam::000000000000:user/"+q.principal.User)
	}
	query := r.URL.Query()
	for _, k := range []string{"prefix", "delimiter", "max-keys", "versionId"} {
		if v, ok := query[k]; ok {
			c["s3:"+strings.ToLower(k)] = v
		}
	}
	for _, h := range []string{"x-amz-acl", "x-amz-content-sha256", "x-amz-server-side-encryption", "x-amz-storage-class",
		"x-amz-copy-source", "x-amz-metadata-directive", "x-amz-object-ownership"} {
		set("s3:"+h, r.Header.Get(h))
	}
	if q.auth != nil {
		set("s3:signatureversion", "AWS4-HMAC-SHA256")
		if q.sigV2 {
			set("s3:signatureversion", "AWS")
		}
		auth := "REST-HEADER"
		if q.auth.Presigned {
			auth = "REST-QUERY-STRING"
		}
		set("s3:authtype", auth)
		if q.auth.Mode == sigv4.PayloadUnsigned {
			set("s3:x-amz-content-sha256", "UNSIGNED-PAYLOAD")
		}
	}
	return c
}
