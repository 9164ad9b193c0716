package engine

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"

	"github.com/cairnstore/cairn/engine/checksum"
	"github.com/cairnstore/cairn/log/event"
)

// PartCopyRange is x-amz-copy-source-range: bytes First..Last, inclusive.
type PartCopyRange struct {
	First, Last int64
}

// UploadPartCopyInput makes a part from (a range of) an existing object.
type UploadPartCopyInput struct {
	Bucket, Key, UploadID string
	Actor                 string
	PartNumber            int
	SourceBucket          string
	SourceKey             string
	SourceVersionID       string         // "": the source's current object
	Range                 *PartCopyRange // nil: the whole source
	Cond                  Conditions     // x-amz-copy-source-if-*
}

// UploadPartCopy stores a part that shares the source's bytes: its extents
// are slices of the source object's records, and no byte is written. The
// bytes are read (and their block checksums verified) once to compute the
// part's MD5 and checksum, unless the source's own describe them.
func (e *Engine) UploadPartCopy(ctx context.Context, in UploadPartCopyInput) (PartResult, error) {
	if err := checkPartNumber(in.PartNumber); err != nil {
		return PartResult{}, err
	}
	b, up, err := e.upload(ctx, in.Bucket, in.Key, in.UploadID)
	if err != nil {
		return PartResult{}, err
	}
	defer e.o.Blobs.HoldCopies()() // the source's records must outlive compaction until the part is applied
	src, err := e.copySource(ctx, in.SourceBucket, in.SourceKey, in.SourceVersionID)
	if err != nil {
		return PartResult{}, err
	}
	if err := in.Cond.checkRead(src); err != nil {
		if errors.Is(err, ErrNotModified) {
			err = ErrPreconditionFailed // a copy condition never answers 304
		}
		return PartResult{}, err
	}
	off, n := int64(0), src.Size
	if r := in.Range; r != nil {
		if r.First < 0 || r.First > r.Last || r.Last >= src.Size {
			return PartResult{}, &CopyRangeError{Size: src.Size}
		}
		off, n = r.First, r.Last-r.First+1
	}
	if n > MaxPartSize {
		return PartResult{}, ErrCopySourceTooLarge
	}
	alg := checksum.Algorithm(up.ChecksumAlgorithm)
	etag, ck, err := e.partCopySums(ctx, src, off, n, alg)
	if err != nil {
		return PartResult{}, err
	}
	hdr := e.header(ctx, in.Actor)
	p := &event.MultipartPart{UploadID: in.UploadID, Number: in.PartNumber, Size: n, ETag: etag,
		Extents: partExtents(src.extents, off, n), Checksum: ck}
	if err := e.appendPart(ctx, b, in.Key, hdr, p); err != nil {
		return PartResult{}, err
	}
	return PartResult{ETag: etag, ChecksumAlgorithm: alg, Checksum: ck, Modified: hdr.Time, SrcVersionID: src.VersionID}, nil
}

// partCopySums returns the MD5 (hex) and the checksum alg (base64, "" for
// none) of bytes [off, off+n) of src.
func (e *Engine) partCopySums(ctx context.Context, src ObjectInfo, off, n int64, alg checksum.Algorithm) (string, string, error) {
	whole := off == 0 && n == src.Size && len(src.Parts) == 0 && !strings.Contains(src.ETag, "-")
	own := src.Checksums[string(alg)]
	if whole && (alg == "" || own != "" && src.ChecksumType == ChecksumFullObject) {
		return src.ETag, own, nil // a single PUT's ETag is its MD5
	}
	rc, err := e.openExtents(ctx, src.extents, off, n)
	if err != nil {
		return "", "", err
	}
	defer rc.Close()
	md := md5.New()
	hashes := []hash.Hash{md}
	var ck hash.Hash
	if alg != "" {
		ck = alg.New()
		hashes = append(hashes, ck)
	}
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	got, err := copyTo(io.Discard, rc, *bp, hashes)
	if err != nil {
		return "", "", err
	}
	if got != n {
		return "", "", fmt.Errorf("engine: copy source read %d of %d bytes", got, n)
	}
	var sum string
	if ck != nil {
		sum = checksum.Encode(ck.Sum(nil))
	}
	return hex.EncodeToString(md.Sum(nil)), sum, nil
}

// partExtents returns the extents that hold bytes [off, off+n) of the
// concatenation of extents, as slices of the same records.
func partExtents(extents []event.Extent, off, n int64) []event.Extent {
	var out []event.Extent
	for _, x := range extents {
		if n <= 0 {
			break
		}
		size := x.Bytes()
		if off >= size {
			off -= size
			continue
		}
		k := min(n, size-off)
		y := x
		y.Skip, y.Take = x.Skip+off, k
		out = append(out, y)
		n -= k
		off = 0
	}
	return out
}
