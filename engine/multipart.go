package engine

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"time"

	"github.com/cairnstore/cairn/engine/checksum"
	"github.com/cairnstore/cairn/engine/names"
	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/stream"
	"github.com/cairnstore/cairn/projections/catalog"
)

// Multipart upload. Every step is an event: multipart.created, one
// multipart.part per stored part (a re-upload replaces the part), and the
// end: multipart.aborted, or the object.put that completes the upload. The
// building events go on the upload's own subject, so concurrent parts of
// one upload never contend for a guard or a lock: each part streams into
// its own segment record and appends its event unconditionally.
//
// Completion and abort must not both succeed. A completion is appended on
// the key's subject guarded by the key's last sequence, and an abort on the
// upload's subject guarded by the same key sequence: an abort can therefore
// not follow a completion (nor a completion another completion) unseen. An
// abort that reaches the log between a completion's checks and its append
// makes the completion's event a no-op in the projection; the engine finds
// out which happened after its event is applied (see completed) and
// answers NoSuchUpload rather than 200 for an object that is not there.

// Limits of multipart uploads, as in S3.
const (
	MaxParts           = catalog.MaxPartNumber
	MaxPartSize        = 5 << 30
	MaxObjectSize      = 5 << 40
	DefaultMinPartSize = 5 << 20
	MaxListParts       = 1000
	MaxListUploads     = 1000
)

// The checksum types of a multipart upload.
const (
	ChecksumComposite  = "COMPOSITE"
	ChecksumFullObject = "FULL_OBJECT"
)

// CreateMultipartInput starts an upload.
type CreateMultipartInput struct {
	Bucket, Key string
	Actor       string
	ContentHeaders
	UserMeta          map[string]string
	StorageClass      string
	Tags              map[string]string
	ChecksumAlgorithm checksum.Algorithm // empty for none
	ChecksumType      string             // COMPOSITE, FULL_OBJECT, or empty for the algorithm's default
	ACL               *ACLSpec           // x-amz-acl / x-amz-grant-*: the completed object's ACL
	Lock              *LockSpec          // x-amz-object-lock-*: the completed object's
}

// MultipartUpload describes an in-progress upload.
type MultipartUpload struct {
	Key, UploadID     string
	Initiated         time.Time
	Owner             string
	StorageClass      string
	ChecksumAlgorithm checksum.Algorithm
	ChecksumType      string
}

func uploadOf(u catalog.Upload) MultipartUpload {
	return MultipartUpload{Key: u.Key, UploadID: u.UploadID, Initiated: u.Initiated, Owner: u.Owner,
		StorageClass: u.StorageClass, ChecksumAlgorithm: checksum.Algorithm(u.ChecksumAlgorithm), ChecksumType: u.ChecksumType}
}

func (e *Engine) minPartSize() int64 {
	if e.o.MinPartSize > 0 {
		return e.o.MinPartSize
	}
	return DefaultMinPartSize
}

// newUploadID returns an upload id: the time in nanoseconds (16 hex
// digits) and 64 random bits, so that ids are unique and sort by
// initiation time.
func newUploadID(now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixNano()))
	_, _ = rand.Read(b[8:])
	return hex.EncodeToString(b[:])
}

// validUploadID reports whether id could be one of ours: anything else is
// NoSuchUpload, and never reaches a subject.
func validUploadID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// checksumType resolves and checks an upload's checksum type: COMPOSITE by
// default, FULL_OBJECT for CRC64NVME (its only type), FULL_OBJECT only for
// the CRCs.
func checksumType(a checksum.Algorithm, typ string) (string, error) {
	switch {
	case a == "" && typ == "":
		return "", nil
	case a == "" || typ != "" && typ != ChecksumComposite && typ != ChecksumFullObject:
		return "", &ChecksumTypeError{Type: typ, Algorithm: a}
	case typ == "" && a == checksum.CRC64NVME:
		return ChecksumFullObject, nil
	case typ == "":
		return ChecksumComposite, nil
	case typ == ChecksumFullObject && !a.Combinable(), typ == ChecksumComposite && a == checksum.CRC64NVME:
		return "", &ChecksumTypeError{Type: typ, Algorithm: a}
	}
	return typ, nil
}

func checkUserMeta(m map[string]string) error {
	n := 0
	for k, v := range m {
		n += len(k) + len(v)
	}
	if n > MaxUserMetaSize {
		return ErrMetadataTooLarge
	}
	return nil
}

// CreateMultipartUpload starts an upload of key.
func (e *Engine) CreateMultipartUpload(ctx context.Context, in CreateMultipartInput) (MultipartUpload, error) {
	if err := names.CheckKey(in.Key); err != nil {
		return MultipartUpload{}, err
	}
	if err := checkUserMeta(in.UserMeta); err != nil {
		return MultipartUpload{}, err
	}
	typ, err := checksumType(in.ChecksumAlgorithm, in.ChecksumType)
	if err != nil {
		return MultipartUpload{}, err
	}
	b, err := e.bucket(ctx, in.Bucket)
	if err != nil {
		return MultipartUpload{}, err
	}
	rec, err := e.bucketRecord(ctx, in.Bucket)
	if err != nil {
		return MultipartUpload{}, err
	}
	acl, err := objectACL(ctx, rec, in.ACL)
	if err != nil {
		return MultipartUpload{}, err
	}
	if err := e.askLock(b, in.Lock, true); err != nil {
		return MultipartUpload{}, err
	}
	hdr := e.header(ctx, in.Actor)
	id := newUploadID(hdr.Time)
	p := &event.MultipartCreated{UploadID: id, ContentHeaders: in.ContentHeaders, UserMeta: in.UserMeta,
		StorageClass: in.StorageClass, Tags: in.Tags, ChecksumAlgorithm: string(in.ChecksumAlgorithm), ChecksumType: typ, ACL: acl}
	if in.Lock.asked() {
		p.Lock = lockFor(b, in.Lock, hdr.Time) // the default retention is taken at completion
		if in.Lock.Mode == "" {
			p.LockMode, p.RetainUntil = "", nil
		}
	}
	ev := &event.Event{Header: hdr, Payload: p}
	ev.Bucket, ev.BucketID, ev.Key = in.Bucket, b.id, in.Key
	if _, err := e.appendEvent(ctx, stream.UploadSubject(b.id, id), ev, nil); err != nil {
		return MultipartUpload{}, err
	}
	up, found, err := e.o.Catalog.Upload(b.id, in.Key, id)
	if err != nil {
		return MultipartUpload{}, err
	}
	if !found { // the projection ignores events of a deleted bucket incarnation
		return MultipartUpload{}, ErrNoSuchBucket
	}
	return uploadOf(up), nil
}

// upload returns the bucket and an in-progress upload of key.
func (e *Engine) upload(ctx context.Context, bucket, key, uploadID string) (Bucket, catalog.Upload, error) {
	b, err := e.bucket(ctx, bucket)
	if err != nil {
		return b, catalog.Upload{}, err
	}
	up, err := e.uploadIn(b, key, uploadID)
	return b, up, err
}

// uploadIn returns an in-progress upload of key in b.
func (e *Engine) uploadIn(b Bucket, key, uploadID string) (catalog.Upload, error) {
	if err := names.CheckKey(key); err != nil {
		return catalog.Upload{}, err
	}
	if !validUploadID(uploadID) {
		return catalog.Upload{}, ErrNoSuchUpload
	}
	up, found, err := e.o.Catalog.Upload(b.id, key, uploadID)
	if err == nil && !found {
		err = ErrNoSuchUpload
	}
	return up, err
}

// UploadPartInput is one part's bytes.
type UploadPartInput struct {
	Bucket, Key, UploadID string
	Actor                 string
	PartNumber            int
	Size                  int64 // exact number of body bytes
	Body                  io.Reader
	ContentMD5            []byte
	Checksum              Checksum
}

// PartResult is what S3 answers for a stored part.
type PartResult struct {
	ETag              string // the part's MD5 in hex
	ChecksumAlgorithm checksum.Algorithm
	Checksum          string // base64; empty when the request and the upload have none
	Modified          time.Time
	SrcVersionID      string // UploadPartCopy: the source version copied
}

// partChecksum decides which checksum a part is hashed and checked with.
// An upload with an algorithm requires that algorithm (a FULL_OBJECT
// upload computes it when the part carries none, as S3 does); an upload
// without one checks whatever the client sent and stores nothing.
func partChecksum(up catalog.Upload, c Checksum) (Checksum, error) {
	want := checksum.Algorithm(up.ChecksumAlgorithm)
	switch {
	case want == "" || c.Algorithm == want:
		return c, nil
	case c.Algorithm == "" && up.ChecksumType == ChecksumFullObject:
		return Checksum{Algorithm: want}, nil
	}
	return c, &ChecksumTypeMismatchError{Expected: want, Actual: c.Algorithm}
}

func checkPartNumber(n int) error {
	if n < 1 || n > MaxParts {
		return ErrPartNumberRange
	}
	return nil
}

// UploadPart stores one part: bytes first (durable), then its event.
func (e *Engine) UploadPart(ctx context.Context, in UploadPartInput) (PartResult, error) {
	if err := checkPartNumber(in.PartNumber); err != nil {
		return PartResult{}, err
	}
	if in.Size > MaxPartSize {
		return PartResult{}, ErrEntityTooLarge
	}
	if c := in.Checksum; c.Value != "" && !c.Algorithm.Valid(c.Value) {
		return PartResult{}, ErrInvalidChecksum
	}
	b, up, err := e.upload(ctx, in.Bucket, in.Key, in.UploadID)
	if err != nil {
		return PartResult{}, err
	}
	ck, err := partChecksum(up, in.Checksum)
	if err != nil {
		return PartResult{}, err
	}
	hdr := e.header(ctx, in.Actor)
	body := PutObjectInput{Size: in.Size, Body: in.Body, ContentMD5: in.ContentMD5, Checksum: ck}
	sums, extents, err := e.storeBody(ctx, hdr.ID, &body)
	if err != nil {
		return PartResult{}, err
	}
	p := &event.MultipartPart{UploadID: in.UploadID, Number: in.PartNumber, Size: in.Size,
		ETag: hex.EncodeToString(sums.md5), Extents: extents}
	if up.ChecksumAlgorithm != "" {
		p.Checksum = sums.checksum
	}
	if err := e.appendPart(ctx, b, in.Key, hdr, p); err != nil {
		return PartResult{}, err
	}
	return PartResult{ETag: p.ETag, ChecksumAlgorithm: ck.Algorithm, Checksum: sums.checksum, Modified: hdr.Time}, nil
}

// appendPart appends a part's event and checks that it took effect: a part
// that reaches the log after its upload ended is a no-op, answered
// NoSuchUpload. (Once applied, the part is stored under its number unless
// its upload has ended since; a later re-upload of the number shows a
// later sequence.)
func (e *Engine) appendPart(ctx context.Context, b Bucket, key string, hdr event.Header, p *event.MultipartPart) error {
	ev := &event.Event{Header: hdr, Payload: p}
	ev.Bucket, ev.BucketID, ev.Key = b.Name, b.id, key
	seq, err := e.appendEvent(ctx, stream.UploadSubject(b.id, p.UploadID), ev, nil)
	if err != nil {
		return err
	}
	stored, found, err := e.o.Catalog.Part(b.id, p.UploadID, p.Number)
	if err != nil {
		return err
	}
	if !found || stored.Seq < seq {
		return ErrNoSuchUpload
	}
	return nil
}

// AbortMultipartUpload ends an upload without an object; its parts become
// garbage. Its event is guarded by the key's last sequence, so it fails
// (and looks again) if a completion was appended since it looked.
func (e *Engine) AbortMultipartUpload(ctx context.Context, bucket, key, uploadID, actor string) error {
	for attempt := range maxConflictRetries {
		if attempt > 0 {
			if err := e.waitLatest(ctx); err != nil {
				return err
			}
		}
		b, err := e.bucket(ctx, bucket)
		if err != nil {
			return err
		}
		// NB: the key's sequence is read before the upload (see appendObject).
		kseq, err := e.o.Catalog.KeySeq(b.id, key)
		if err != nil {
			return err
		}
		up, err := e.uploadIn(b, key, uploadID)
		if err != nil {
			return err
		}
		ev := &event.Event{Header: e.header(ctx, actor), Payload: &event.MultipartAborted{UploadID: uploadID}}
		ev.Bucket, ev.BucketID, ev.Key = bucket, b.id, key
		guard := &stream.Expect{Seq: kseq, Subject: stream.ObjectSubject(b.id, key)}
		seq, err := e.appendEvent(ctx, stream.UploadSubject(b.id, uploadID), ev, guard)
		if errors.Is(err, stream.ErrConflict) {
			continue
		}
		if err != nil {
			return err
		}
		// Two aborts may pass the same guard: the later one did nothing.
		earlier, err := e.abortedBetween(ctx, b.id, uploadID, up.LastSeq+1, seq)
		if err == nil && earlier {
			err = ErrNoSuchUpload
		}
		return err
	}
	return ErrBusy
}

// abortedBetween reports whether an abort of the upload is in the log at a
// sequence in [from, to).
func (e *Engine) abortedBetween(ctx context.Context, bucketID, uploadID string, from, to uint64) (bool, error) {
	subj := stream.UploadSubject(bucketID, uploadID)
	for from < to {
		m, found, err := e.o.Log.NextOnSubject(ctx, subj, from)
		if err != nil || !found || m.Seq >= to {
			return false, err
		}
		ev, err := event.Decode(m.Data)
		if err != nil {
			return false, err
		}
		if _, ok := ev.Payload.(*event.MultipartAborted); ok {
			return true, nil
		}
		from = m.Seq + 1
	}
	return false, nil
}
