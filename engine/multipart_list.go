package engine

import (
	"context"
	"time"

	"github.com/cairnstore/cairn/projections/catalog"
)

// UploadedPart is one stored part of an upload.
type UploadedPart struct {
	Number   int
	Size     int64
	ETag     string // hex MD5, without quotes
	Checksum string // base64 in the upload's algorithm, if it has one
	Modified time.Time
}

// ListPartsInput selects a page of an upload's parts.
type ListPartsInput struct {
	Bucket, Key, UploadID string
	After                 int // part-number-marker
	MaxParts              int // capped at MaxListParts
}

// ListPartsResult is one page of parts in part-number order. Next is the
// last part number on the page.
type ListPartsResult struct {
	Upload    MultipartUpload
	Parts     []UploadedPart
	Truncated bool
	Next      int
}

// ListParts returns one page of an in-progress upload's parts.
func (e *Engine) ListParts(ctx context.Context, in ListPartsInput) (ListPartsResult, error) {
	b, up, err := e.upload(ctx, in.Bucket, in.Key, in.UploadID)
	if err != nil {
		return ListPartsResult{}, err
	}
	res := ListPartsResult{Upload: uploadOf(up)}
	res.Upload.Key = in.Key
	limit := min(max(in.MaxParts, 0), MaxListParts)
	parts, more, err := e.o.Catalog.Parts(b.id, in.UploadID, in.After, max(limit, 1))
	if err != nil {
		return ListPartsResult{}, err
	}
	if limit == 0 { // nothing asked for: only whether something is left
		return ListPartsResult{Upload: res.Upload, Truncated: len(parts) > 0}, nil
	}
	res.Truncated = more
	for _, p := range parts {
		res.Parts = append(res.Parts, UploadedPart{Number: p.Number, Size: p.Size, ETag: p.ETag, Checksum: p.Checksum, Modified: p.Modified})
		res.Next = p.Number
	}
	return res, nil
}

// ListUploadsInput selects a page of a bucket's in-progress uploads.
type ListUploadsInput struct {
	Prefix, Delimiter string
	KeyMarker         string
	UploadIDMarker    string // used only with KeyMarker
	MaxUploads        int    // capped at MaxListUploads
}

// ListUploadsResult is one page of uploads in key order, then initiation
// order. NextKey and NextUploadID are the markers of the following page.
type ListUploadsResult struct {
	Uploads        []MultipartUpload
	CommonPrefixes []string
	Truncated      bool
	NextKey        string
	NextUploadID   string
}

// ListMultipartUploads returns one page of a bucket's in-progress uploads.
func (e *Engine) ListMultipartUploads(ctx context.Context, bucket string, in ListUploadsInput) (ListUploadsResult, error) {
	b, err := e.bucket(ctx, bucket)
	if err != nil {
		return ListUploadsResult{}, err
	}
	q := catalog.UploadQuery{Prefix: in.Prefix, Delimiter: in.Delimiter, KeyMarker: in.KeyMarker,
		Max: min(max(in.MaxUploads, 0), MaxListUploads)}
	if in.KeyMarker != "" {
		q.UploadIDMarker = in.UploadIDMarker
	}
	page, err := e.o.Catalog.ListUploads(b.id, q)
	if err != nil {
		return ListUploadsResult{}, err
	}
	res := ListUploadsResult{CommonPrefixes: page.CommonPrefixes, Truncated: page.Truncated,
		NextKey: page.NextKey, NextUploadID: page.NextUploadID}
	for _, u := range page.Uploads {
		res.Uploads = append(res.Uploads, uploadOf(u))
	}
	return res, nil
}
