package httpapi

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/engine/checksum"
	"github.com/cairnstore/cairn/httpapi/s3err"
	"github.com/cairnstore/cairn/httpapi/s3xml"
)

// maxDeleteBody bounds a DeleteObjects body: 1000 keys of 1024 bytes with
// their XML.
const maxDeleteBody = 2 << 20

// deleteObjects is POST /bucket?delete.
func (h *Handler) deleteObjects(w http.ResponseWriter, r *http.Request, q *request) error {
	body, err := q.auth.Body(r)
	if err != nil {
		return err
	}
	defer body.Close()
	raw, err := io.ReadAll(io.LimitReader(body, maxDeleteBody+1))
	if err != nil {
		return err
	}
	if len(raw) > maxDeleteBody {
		return s3err.New(s3err.MalformedXML, "")
	}
	if err := checkBodyIntegrity(r.Header, raw, body.Trailer()); err != nil {
		return err
	}
	var req s3xml.Delete
	if err := xml.Unmarshal(raw, &req); err != nil || len(req.Objects) == 0 || len(req.Objects) > engine.MaxDeleteObjects {
		return s3err.New(s3err.MalformedXML, "")
	}
	in := engine.DeleteObjectsInput{Bucket: q.bucket, Actor: q.actor(), Bypass: bypassGovernance(r.Header)}
	for _, o := range req.Objects {
		in.Objects = append(in.Objects, engine.DeleteSpec{Key: o.Key, VersionID: o.VersionID, Cond: engine.WriteConditions{IfMatch: o.ETag}})
	}
	outcomes, err := h.o.Engine.DeleteObjects(r.Context(), in)
	if err != nil {
		return err
	}
	res := s3xml.DeleteResult{NS: s3xml.NS}
	for i, o := range outcomes {
		vid := req.Objects[i].VersionID
		switch {
		case o.Err != nil:
			e := s3err.FromError(o.Err)
			res.Errors = append(res.Errors, s3xml.DeleteError{Key: o.Key, VersionID: vid, Code: e.Code.Name, Message: e.Message})
			if e.Message == "" {
				res.Errors[len(res.Errors)-1].Message = e.Code.Message
			}
		case !req.Quiet:
			res.Deleted = append(res.Deleted, s3xml.DeletedObject{Key: o.Key, VersionID: vid, DeleteMarker: o.Marker,
				DeleteMarkerVersionID: o.MarkerVersionID})
		}
	}
	return writeXML(w, http.StatusOK, res)
}

// checkBodyIntegrity requires, as S3 does for DeleteObjects, a Content-MD5
// or an x-amz-checksum-* value (in a header or trailer) and verifies it
// against the body.
func checkBodyIntegrity(h http.Header, body []byte, trailer map[string]string) error {
	if v := h.Get("Content-Md5"); v != "" {
		sum := md5.Sum(body)
		want, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(want) != md5.Size {
			return s3err.New(s3err.InvalidDigest, "")
		}
		if !bytes.Equal(want, sum[:]) {
			return s3err.New(s3err.BadDigest, "")
		}
		return nil
	}
	for _, a := range checksum.All {
		v := h.Get(a.HeaderName())
		if v == "" {
			v = trailer[a.HeaderName()]
		}
		if v == "" {
			continue
		}
		hh := a.New()
		hh.Write(body)
		if checksum.Encode(hh.Sum(nil)) != v {
			return &engine.ChecksumMismatchError{Algorithm: a}
		}
		return nil
	}
	return s3err.New(s3err.InvalidRequest, "Missing required header for this request: Content-MD5")
}
