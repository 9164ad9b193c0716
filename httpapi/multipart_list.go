package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/httpapi/s3err"
	"github.com/cairnstore/cairn/httpapi/s3xml"
)

// intParam parses a non-negative integer parameter, def when absent.
func intParam(query url.Values, name string, def int) (int, error) {
	v, ok := query[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.ParseInt(v[0], 10, 32)
	if err != nil || n < 0 {
		return 0, s3err.New(s3err.InvalidArgument, "Argument "+name+" must be an integer between 0 and 2147483647")
	}
	return int(n), nil
}

// encodingParam reads encoding-type: "url" or nothing.
func encodingParam(query url.Values) (listParams, error) {
	var p listParams
	if v, ok := query["encoding-type"]; ok {
		if !strings.EqualFold(v[0], "url") {
			return p, s3err.New(s3err.InvalidArgument, "Invalid Encoding Method specified in Request")
		}
		p.encoding = "url"
	}
	return p, nil
}

// owner shows the user whose access key started an upload (its canonical
// id, and its name), or nothing once that key is gone.
func (h *Handler) owner(ctx context.Context, accessKey string) s3xml.Owner {
	cred, err := h.o.Engine.LookupKey(ctx, accessKey)
	if err != nil {
		return s3xml.Owner{}
	}
	return s3xml.Owner{ID: cred.Principal.CanonicalID, DisplayName: cred.Principal.User}
}

func (h *Handler) listParts(w http.ResponseWriter, r *http.Request, q *request) error {
	query := r.URL.Query()
	uploadID := query.Get("uploadId")
	p, err := encodingParam(query)
	if err != nil {
		return err
	}
	in := engine.ListPartsInput{Bucket: q.bucket, Key: q.key, UploadID: uploadID}
	if in.MaxParts, err = intParam(query, "max-parts", engine.MaxListParts); err != nil {
		return err
	}
	if in.After, err = intParam(query, "part-number-marker", 0); err != nil {
		return err
	}
	res, err := h.o.Engine.ListParts(r.Context(), in)
	if err != nil {
		return uploadError(err, uploadID)
	}
	up := res.Upload
	out := s3xml.ListPartsResult{NS: s3xml.NS, Bucket: q.bucket, Key: p.enc(q.key), UploadID: uploadID,
		PartNumberMarker: in.After, NextPartNumberMarker: res.Next, MaxParts: min(in.MaxParts, engine.MaxListParts),
		IsTruncated: res.Truncated, Initiator: h.owner(r.Context(), up.Owner), Owner: h.owner(r.Context(), up.Owner),
		StorageClass: storageClass(up.StorageClass), ChecksumAlgorithm: string(up.ChecksumAlgorithm), ChecksumType: up.ChecksumType}
	for _, part := range res.Parts {
		xp := s3xml.Part{PartNumber: part.Number, LastModified: s3xml.Time(part.Modified), ETag: `"` + part.ETag + `"`, Size: part.Size}
		xp.Set(string(up.ChecksumAlgorithm), part.Checksum)
		out.Parts = append(out.Parts, xp)
	}
	return writeXML(w, http.StatusOK, out)
}

func (h *Handler) listMultipartUploads(w http.ResponseWriter, r *http.Request, q *request) error {
	query := r.URL.Query()
	p, err := encodingParam(query)
	if err != nil {
		return err
	}
	in := engine.ListUploadsInput{Prefix: query.Get("prefix"), Delimiter: query.Get("delimiter"),
		KeyMarker: query.Get("key-marker"), UploadIDMarker: query.Get("upload-id-marker")}
	if in.MaxUploads, err = intParam(query, "max-uploads", engine.MaxListUploads); err != nil {
		return err
	}
	res, err := h.o.Engine.ListMultipartUploads(r.Context(), q.bucket, in)
	if err != nil {
		return err
	}
	out := s3xml.ListMultipartUploadsResult{NS: s3xml.NS, Bucket: q.bucket, KeyMarker: p.enc(in.KeyMarker),
		UploadIDMarker: in.UploadIDMarker, Delimiter: p.enc(in.Delimiter), Prefix: p.enc(in.Prefix),
		MaxUploads: min(in.MaxUploads, engine.MaxListUploads), IsTruncated: res.Truncated, EncodingType: p.encoding}
	if res.Truncated {
		out.NextKeyMarker, out.NextUploadIDMarker = p.enc(res.NextKey), res.NextUploadID
	}
	for _, u := range res.Uploads {
		out.Uploads = append(out.Uploads, s3xml.Upload{Key: p.enc(u.Key), UploadID: u.UploadID, Initiator: h.owner(r.Context(), u.Owner),
			Owner: h.owner(r.Context(), u.Owner), StorageClass: storageClass(u.StorageClass), Initiated: s3xml.Time(u.Initiated),
			ChecksumAlgorithm: string(u.ChecksumAlgorithm), ChecksumType: u.ChecksumType})
	}
	for _, cp := range res.CommonPrefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, s3xml.CommonPrefix{Prefix: p.enc(cp)})
	}
	return writeXML(w, http.StatusOK, out)
}
