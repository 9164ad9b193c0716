package engine

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/cairnstore/cairn/engine/checksum"
	"github.com/cairnstore/cairn/engine/names"
	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/stream"
	"github.com/cairnstore/cairn/projections/catalog"
)

// maxExtents bounds the extents of one object so that its completion event
// stays well inside NATS's 8 MiB payload limit (parts copied from objects
// made of many extents can multiply them).
const maxExtents = 20000

// CompletePart is one entry of a completion's part list.
type CompletePart struct {
	Number   int
	ETag     string // quoted or not
	Checksum string // base64 in the upload's algorithm, if sent
}

// CompleteMultipartInput completes an upload from a list of its parts.
type CompleteMultipartInput struct {
	Bucket, Key, UploadID string
	Actor                 string
	Parts                 []CompletePart
	Cond                  WriteConditions
	// Checksum is a whole-object checksum the client sent (x-amz-checksum-*)
	// in ChecksumAlgorithm; ChecksumType the x-amz-checksum-type it named.
	ChecksumAlgorithm checksum.Algorithm
	Checksum          string
	ChecksumType      string
	ObjectSize        int64 // x-amz-mp-object-size, -1 when absent
}

// CompleteResult is what S3 answers to a completion.
type CompleteResult struct {
	ETag         string
	Checksums    map[string]string
	ChecksumType string
	VersionID    string
}

func checkPartList(parts []CompletePart) error {
	if len(parts) == 0 {
		return ErrNoParts
	}
	for i, p := range parts {
		if err := checkPartNumber(p.Number); err != nil {
			return err
		}
		if i > 0 && p.Number <= parts[i-1].Number {
			return ErrInvalidPartOrder
		}
	}
	return nil
}

// CompleteMultipartUpload makes the object from the listed parts: one
// object.put on the key's subject that references the parts' extents (no
// byte is copied), guarded by the key's last sequence.
func (e *Engine) CompleteMultipartUpload(ctx context.Context, in CompleteMultipartInput) (CompleteResult, error) {
	if err := names.CheckKey(in.Key); err != nil {
		return CompleteResult{}, err
	}
	if err := checkPartList(in.Parts); err != nil {
		return CompleteResult{}, err
	}
	for attempt := range maxConflictRetries {
		if attempt > 0 {
			if err := e.waitLatest(ctx); err != nil {
				return CompleteResult{}, err
			}
		}
		res, err := e.tryComplete(ctx, in, attempt > 0)
		if !errors.Is(err, stream.ErrConflict) {
			return res, err
		}
	}
	return CompleteResult{}, ErrBusy
}

// tryComplete checks the upload, the parts and the conditions as the local
// index has them, and appends the completion guarded by the key's
// sequence. It returns stream.ErrConflict when someone wrote the key since.
func (e *Engine) tryComplete(ctx context.Context, in CompleteMultipartInput, retry bool) (CompleteResult, error) {
	b, err := e.bucket(ctx, in.Bucket)
	if err != nil {
		return CompleteResult{}, err
	}
	// NB: the key's sequence is read before anything it guards.
	kseq, err := e.o.Catalog.KeySeq(b.id, in.Key)
	if err != nil {
		return CompleteResult{}, err
	}
	if !validUploadID(in.UploadID) {
		return CompleteResult{}, ErrNoSuchUpload
	}
	up, parts, found, err := e.o.Catalog.UploadParts(b.id, in.Key, in.UploadID)
	if err == nil && !found {
		return e.retried(b, in)
	}
	if err != nil {
		return CompleteResult{}, err
	}
	if in.Cond.set() {
		o, found, err := e.current(b, in.Key)
		if err == nil {
			err = in.Cond.check(o, found)
		}
		if err != nil && retry {
			err = ErrConditionalConflict // the key changed under us, as in appendObject
		}
		if err != nil {
			return CompleteResult{}, err
		}
	}
	p, err := e.assemble(up, parts, in)
	if err != nil {
		return CompleteResult{}, err
	}
	ev := &event.Event{Header: e.header(ctx, in.Actor), Payload: p}
	ev.Bucket, ev.BucketID, ev.Key = in.Bucket, b.id, in.Key
	if ev.VersionID, ev.Time, err = e.newVersion(b, in.Key, ev.Time); err != nil {
		return CompleteResult{}, err
	}
	if err := asReplica(ctx, b, ev, &p.ACL); err != nil {
		return CompleteResult{}, err
	}
	p.Lock = lockFor(b, uploadLock(up), ev.Time)
	seq, err := e.appendEvent(ctx, stream.ObjectSubject(b.id, in.Key), ev, &stream.Expect{Seq: kseq})
	if err != nil {
		return CompleteResult{}, err
	}
	ok, err := e.completed(ctx, b, in.Key, in.UploadID, up.LastSeq+1, seq)
	if err != nil {
		return CompleteResult{}, err
	}
	if !ok {
		return CompleteResult{}, ErrNoSuchUpload
	}
	return CompleteResult{ETag: p.ETag, Checksums: p.Checksums, ChecksumType: p.ChecksumType, VersionID: ev.VersionID}, nil
}

// uploadLock is the Object Lock an upload asked for when it was created.
func uploadLock(up catalog.Upload) *LockSpec {
	spec := &LockSpec{Mode: up.LockMode}
	if up.RetainUntil != nil {
		spec.Until = *up.RetainUntil
	}
	if up.LegalHold {
		spec.LegalHold = "ON"
	}
	return spec
}

// retried answers a completion of an upload that is no longer in
// progress. S3 answers a completion retried after it succeeded (a client
// that timed out waiting for the answer retries) with the same result, so
// when the key's current object is the one this upload made from the same
// part list, that is the answer; otherwise the upload is gone.
func (e *Engine) retried(b Bucket, in CompleteMultipartInput) (CompleteResult, error) {
	o, found, err := e.o.Catalog.Object(b.id, in.Key)
	if err != nil {
		return CompleteResult{}, err
	}
	if !found || o.UploadID != in.UploadID || len(o.Parts) != len(in.Parts) {
		return CompleteResult{}, ErrNoSuchUpload
	}
	for i, p := range in.Parts {
		if o.Parts[i].Number != p.Number || bareETag(p.ETag) != o.Parts[i].ETag {
			return CompleteResult{}, ErrNoSuchUpload
		}
	}
	return CompleteResult{ETag: o.ETag, Checksums: o.Checksums, ChecksumType: o.ChecksumType, VersionID: b.shown(o.VersionID)}, nil
}

// completed reports whether the completion applied at seq made its object.
// It did if the key's object is the one seq made. Otherwise, if nothing
// followed seq on the key, seq was a no-op (its upload had ended); if a
// later write to the key hides the answer, seq made its object unless an
// abort of the upload reached the log before it (its guard excludes
// another completion, and upload events before from were already applied
// when the upload was read).
func (e *Engine) completed(ctx context.Context, b Bucket, key, uploadID string, from, seq uint64) (bool, error) {
	if cur, err := e.bucket(ctx, b.Name); err != nil || cur.id != b.id {
		return false, ErrNoSuchBucket
	}
	oseq, found, err := e.o.Catalog.ObjectSeq(b.id, key)
	if err != nil {
		return false, err
	}
	if found && oseq == seq {
		return true, nil
	}
	last, err := e.o.Catalog.KeySeq(b.id, key)
	if err != nil || last == seq {
		return false, err
	}
	aborted, err := e.abortedBetween(ctx, b.id, uploadID, from, seq)
	return !aborted, err
}

// assemble validates the part list against the stored parts and builds
// the completion: ETag, checksum and extents of the chosen parts in order.
func (e *Engine) assemble(up catalog.Upload, stored []catalog.Part, in CompleteMultipartInput) (*event.ObjectPut, error) {
	alg := checksum.Algorithm(up.ChecksumAlgorithm)
	p := &event.ObjectPut{ContentHeaders: up.ContentHeaders, UserMeta: up.UserMeta, StorageClass: up.StorageClass,
		Tags: up.Tags, ACL: up.ACL, UploadID: up.UploadID, Parts: make([]event.PartInfo, 0, len(in.Parts))}
	md := md5.New()
	var sums [][]byte
	var sizes []int64
	tooSmall := false
	j := 0
	for i, want := range in.Parts {
		for j < len(stored) && stored[j].Number < want.Number {
			j++
		}
		if j == len(stored) || stored[j].Number != want.Number {
			return nil, ErrInvalidPart
		}
		sp := stored[j]
		if err := checkListedPart(up, sp, want); err != nil {
			return nil, err
		}
		if i < len(in.Parts)-1 && sp.Size < e.minPartSize() {
			tooSmall = true // reported once every part is known to exist
		}
		raw, _ := hex.DecodeString(sp.ETag)
		md.Write(raw)
		if alg != "" {
			if !alg.Valid(sp.Checksum) {
				return nil, fmt.Errorf("engine: stored part %d of upload %s has no %s checksum", sp.Number, up.UploadID, alg)
			}
			sum, _ := base64.StdEncoding.DecodeString(sp.Checksum)
			sums, sizes = append(sums, sum), append(sizes, sp.Size)
		}
		p.Size += sp.Size
		p.Extents = append(p.Extents, sp.Extents...)
		p.Parts = append(p.Parts, event.PartInfo{Number: sp.Number, Size: sp.Size, ETag: sp.ETag, Checksum: sp.Checksum})
	}
	switch {
	case tooSmall:
		return nil, ErrEntityTooSmall
	case p.Size > MaxObjectSize:
		return nil, ErrEntityTooLarge
	case in.ObjectSize >= 0 && in.ObjectSize != p.Size:
		return nil, ErrObjectSizeMismatch
	case len(p.Extents) > maxExtents:
		return nil, ErrTooManyExtents
	}
	n := strconv.Itoa(len(in.Parts))
	p.ETag = hex.EncodeToString(md.Sum(nil)) + "-" + n
	if alg == "" {
		if in.ChecksumAlgorithm != "" {
			return nil, &ChecksumTypeMismatchError{Actual: in.ChecksumAlgorithm}
		}
		return p, nil
	}
	p.ChecksumType = up.ChecksumType
	if up.ChecksumType == ChecksumFullObject {
		p.Checksums = map[string]string{string(alg): checksum.Encode(checksum.CombineFull(alg, sums, sizes))}
	} else {
		p.Checksums = map[string]string{string(alg): checksum.Encode(checksum.Composite(alg, sums)) + "-" + n}
	}
	return p, checkObjectChecksum(up, in, p.Checksums[string(alg)])
}

// bareETag is a listed part's ETag without the quotes clients may send.
func bareETag(s string) string { return strings.Trim(strings.TrimSpace(s), `"`) }

// checkListedPart checks one listed part against the stored one.
func checkListedPart(up catalog.Upload, sp catalog.Part, want CompletePart) error {
	if bareETag(want.ETag) != sp.ETag {
		return ErrInvalidPart
	}
	if up.ChecksumAlgorithm != "" {
		switch {
		case want.Checksum == "" && up.ChecksumType == ChecksumComposite:
			return &MissingPartChecksumError{Algorithm: checksum.Algorithm(up.ChecksumAlgorithm), Part: want.Number}
		case want.Checksum != "" && want.Checksum != sp.Checksum:
			return ErrInvalidPart
		}
	}
	return nil
}

// checkObjectChecksum checks what a completion said of the whole object:
// its checksum type and, if sent, its checksum (a composite may be given
// with or without its "-N").
func checkObjectChecksum(up catalog.Upload, in CompleteMultipartInput, got string) error {
	alg := checksum.Algorithm(up.ChecksumAlgorithm)
	if in.ChecksumType != "" && in.ChecksumType != up.ChecksumType {
		return &ChecksumTypeError{Type: in.ChecksumType, Algorithm: alg, Upload: up.ChecksumType}
	}
	if in.ChecksumAlgorithm == "" {
		return nil
	}
	if in.ChecksumAlgorithm != alg {
		return &ChecksumTypeMismatchError{Expected: alg, Actual: in.ChecksumAlgorithm}
	}
	if in.Checksum != got && in.Checksum+"-"+strconv.Itoa(len(in.Parts)) != got {
		return &ChecksumMismatchError{Algorithm: alg}
	}
	return nil
}
