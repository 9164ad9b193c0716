package httpapi

import (
	"cmp"
	"encoding/xml"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/httpapi/s3err"
	"github.com/cairnstore/cairn/httpapi/s3xml"
)

// maxXMLBody bounds request bodies parsed as XML.
const maxXMLBody = 1 << 20

// readXMLBody decodes an optional XML request body into v; found is false
// when the body is empty.
func readXMLBody(r *http.Request, q *request, v any) (found bool, err error) {
	body, err := q.auth.Body(r)
	if err != nil {
		return false, err
	}
	defer body.Close()
	b, err := io.ReadAll(io.LimitReader(body, maxXMLBody+1))
	if err != nil {
		return false, err
	}
	if len(b) > maxXMLBody {
		return false, s3err.New(s3err.InvalidRequest, "The XML body is too large.")
	}
	if len(b) == 0 {
		return false, nil
	}
	if err := xml.Unmarshal(b, v); err != nil {
		return false, s3err.New(s3err.MalformedXML, "")
	}
	return true, nil
}

func (h *Handler) createBucket(w http.ResponseWriter, r *http.Request, q *request) error {
	var cfg s3xml.CreateBucketConfiguration
	if _, err := readXMLBody(r, q, &cfg); err != nil {
		return err
	}
	acl, err := aclSpec(r.Header)
	if err != nil {
		return err
	}
	err = h.o.Engine.CreateBucket(r.Context(), engine.CreateBucketInput{Name: q.bucket, Location: cfg.LocationConstraint,
		ACL: acl, Ownership: r.Header.Get("X-Amz-Object-Ownership"),
		ObjectLock: strings.EqualFold(r.Header.Get("X-Amz-Bucket-Object-Lock-Enabled"), "true")})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/"+q.bucket)
	w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) headBucket(w http.ResponseWriter, r *http.Request, q *request) error {
	b, err := h.o.Engine.HeadBucket(r.Context(), q.bucket)
	if err != nil {
		return err
	}
	w.Header().Set("x-amz-bucket-region", b.Region)
	w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) deleteBucket(w http.ResponseWriter, r *http.Request, q *request) error {
	if err := h.o.Engine.DeleteBucket(r.Context(), q.bucket, q.actor()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) getBucketLocation(w http.ResponseWriter, r *http.Request, q *request) error {
	b, err := h.o.Engine.HeadBucket(r.Context(), q.bucket)
	if err != nil {
		return err
	}
	loc := b.Region
	if loc == "us-east-1" {
		loc = "" // S3 reports the classic region as an empty constraint
	}
	return writeXML(w, http.StatusOK, s3xml.LocationConstraint{NS: s3xml.NS, Region: loc})
}

// maxBuckets is S3's largest ListBuckets page.
const maxBuckets = 10000

func (h *Handler) listBuckets(w http.ResponseWriter, r *http.Request, q *request) error {
	query := r.URL.Query()
	in := engine.ListBucketsInput{Prefix: query.Get("prefix"), Region: query.Get("bucket-region")}
	_, paged := query["max-buckets"]
	if v, ok := query["max-buckets"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 1 || n > maxBuckets {
			return s3err.New(s3err.InvalidArgument, "max-buckets must be an integer between 1 and 10000")
		}
		in.Max = n
	}
	if tok, ok := query["continuation-token"]; ok {
		after, err := decodeToken(tok[0])
		if err != nil {
			return err
		}
		in.After, paged = after, true
	}
	if paged || in.Prefix != "" || in.Region != "" {
		in.Max = cmp.Or(in.Max, maxBuckets) // S3's default page once paging is asked for
	}
	bs, more, err := h.o.Engine.ListBuckets(r.Context(), in)
	if err != nil {
		return err
	}
	res := s3xml.ListAllMyBucketsResult{NS: s3xml.NS, Owner: s3xml.Owner{ID: q.principal.CanonicalID, DisplayName: q.principal.User},
		Prefix: in.Prefix, Buckets: make([]s3xml.BucketInfo, 0, len(bs))}
	for _, b := range bs {
		res.Buckets = append(res.Buckets, s3xml.BucketInfo{Name: b.Name, CreationDate: s3xml.Time(b.Created), BucketRegion: b.Region})
	}
	if more {
		res.ContinuationToken = encodeToken(bs[len(bs)-1].Name)
	}
	return writeXML(w, http.StatusOK, res)
}
