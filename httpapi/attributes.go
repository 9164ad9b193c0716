package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/httpapi/s3err"
	"github.com/cairnstore/cairn/httpapi/s3xml"
)

var objectAttributes = map[string]bool{"ETag": true, "Checksum": true, "ObjectParts": true, "StorageClass": true, "ObjectSize": true}

// getObjectAttributes is GET /bucket/key?attributes.
func (h *Handler) getObjectAttributes(w http.ResponseWriter, r *http.Request, q *request) error {
	want := map[string]bool{}
	for _, v := range r.Header.Values("X-Amz-Object-Attributes") {
		for _, a := range strings.Split(v, ",") {
			a = strings.TrimSpace(a)
			if !objectAttributes[a] {
				return s3err.New(s3err.InvalidArgument, "Invalid attribute name specified.")
			}
			want[a] = true
		}
	}
	if len(want) == 0 {
		return s3err.New(s3err.InvalidRequest, "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty")
	}
	o, _, err := h.o.Engine.HeadObject(r.Context(), engine.ReadInput{Bucket: q.bucket, Key: q.key, VersionID: q.versionID,
		Cond: conditions(r.Header)})
	if err != nil {
		return readError(w, o, err)
	}
	setVersionID(w, o.VersionID)
	res := s3xml.GetObjectAttributesResponse{NS: s3xml.NS}
	if want["ETag"] {
		res.ETag = o.ETag
	}
	if want["StorageClass"] {
		res.StorageClass = storageClass(o.StorageClass)
	}
	if want["ObjectSize"] {
		res.ObjectSize = &o.Size
	}
	if want["Checksum"] && len(o.Checksums) > 0 {
		res.Checksum = &s3xml.Checksum{ChecksumType: o.ChecksumType}
		for alg, v := range o.Checksums {
			res.Checksum.Set(alg, v)
		}
	}
	if want["ObjectParts"] && len(o.Parts) > 0 {
		if res.ObjectParts, err = objectParts(r.Header, o); err != nil {
			return err
		}
	}
	w.Header().Set("Last-Modified", o.Modified.UTC().Format(http.TimeFormat))
	return writeXML(w, http.StatusOK, res)
}

// objectParts pages through o's parts after x-amz-part-number-marker, at
// most x-amz-max-parts (1000 by default).
func objectParts(h http.Header, o engine.ObjectInfo) (*s3xml.ObjectParts, error) {
	op := &s3xml.ObjectParts{TotalPartsCount: len(o.Parts), MaxParts: 1000}
	if v := h.Get("X-Amz-Max-Parts"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, s3err.New(s3err.InvalidArgument, "Invalid max-parts")
		}
		op.MaxParts = min(n, 1000)
	}
	if v := h.Get("X-Amz-Part-Number-Marker"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, s3err.New(s3err.InvalidArgument, "Invalid part-number-marker")
		}
		op.PartNumberMarker = n
	}
	for _, p := range o.Parts {
		if p.Number <= op.PartNumberMarker {
			continue
		}
		if len(op.Parts) == op.MaxParts {
			op.IsTruncated = true
			break
		}
		part := s3xml.ObjectPart{PartNumber: p.Number, Size: p.Size}
		for alg := range o.Checksums {
			part.Set(alg, p.Checksum)
		}
		op.Parts = append(op.Parts, part)
		op.NextPartNumberMarker = p.Number
	}
	return op, nil
}
