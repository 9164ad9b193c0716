package engine

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/cairnstore/cairn/engine/checksum"
)

func (te *testEngine) copyPart(t *testing.T, key, id string, n int, srcKey string, r *PartCopyRange) PartResult {
	t.Helper()
	res, err := te.UploadPartCopy(ctx, UploadPartCopyInput{Bucket: "bkt", Key: key, UploadID: id, Actor: "AK", PartNumber: n,
		SourceBucket: "bkt", SourceKey: srcKey, Range: r})
	if err != nil {
		t.Fatalf("copy part %d from %s: %v", n, srcKey, err)
	}
	return res
}

// Parts copied from other objects share the source's segment records:
// their extents are slices of the source's, and the completed object
// reads back as the copied ranges.
func TestUploadPartCopySharesTheSourceBytes(t *testing.T) {
	te := newTestEngine(t, 1)
	src := randData(7, 10000)
	if _, err := te.PutObject(ctx, PutObjectInput{Bucket: "bkt", Key: "src", Body: bytes.NewReader(src), Size: int64(len(src)),
		Checksum: Checksum{Algorithm: checksum.CRC32}}); err != nil {
		t.Fatal(err)
	}
	// A multipart source of two parts, to copy a range that spans both.
	mid := te.create(t, "mp-src", "", "")
	p1 := te.copyPart(t, "mp-src", mid, 1, "src", &PartCopyRange{First: 0, Last: 5999})
	p2 := te.part(t, "mp-src", mid, 2, []byte("tail bytes"), Checksum{})
	if _, err := te.CompleteMultipartUpload(ctx, CompleteMultipartInput{Bucket: "bkt", Key: "mp-src", UploadID: mid, ObjectSize: -1,
		Parts: []CompletePart{{Number: 1, ETag: p1.ETag}, {Number: 2, ETag: p2.ETag}}}); err != nil {
		t.Fatal(err)
	}
	mpSrc := append(append([]byte(nil), src[:6000]...), "tail bytes"...)

	id := te.create(t, "dst", "CRC32", "")
	a := te.copyPart(t, "dst", id, 1, "src", &PartCopyRange{First: 100, Last: 2099})
	whole := te.copyPart(t, "dst", id, 2, "src", nil)
	span := te.copyPart(t, "dst", id, 3, "mp-src", &PartCopyRange{First: 5990, Last: 6004})
	for _, c := range []struct {
		got  PartResult
		want []byte
	}{{a, src[100:2100]}, {whole, src}, {span, mpSrc[5990:6005]}} {
		if c.got.ETag != md5hex(c.want) || c.got.Checksum != sum(checksum.CRC32, c.want) {
			t.Fatalf("copied part ETag %s checksum %s, want %s %s", c.got.ETag, c.got.Checksum, md5hex(c.want), sum(checksum.CRC32, c.want))
		}
	}
	b, _ := te.bucket(ctx, "bkt")
	srcObj, _, _ := te.cat.Object(b.id, "src")
	parts, _, _ := te.cat.Parts(b.id, id, 0, 0)
	if x := parts[0].Extents; len(x) != 1 || x[0].Record != srcObj.Extents[0].Record || x[0].Skip != 100 || x[0].Take != 2000 {
		t.Fatalf("ranged copy extents %+v, want a slice of %+v", x, srcObj.Extents)
	}
	if x := parts[2].Extents; len(x) != 2 || x[0].Skip != 5990 || x[0].Take != 10 || x[1].Take != 5 {
		t.Fatalf("spanning copy extents %+v", x)
	}
	_, err := te.CompleteMultipartUpload(ctx, CompleteMultipartInput{Bucket: "bkt", Key: "dst", UploadID: id, ObjectSize: -1,
		Parts: []CompletePart{{1, a.ETag, a.Checksum}, {2, whole.ETag, whole.Checksum}, {3, span.ETag, span.Checksum}}})
	if err != nil {
		t.Fatal(err)
	}
	want := append(append(append([]byte(nil), src[100:2100]...), src...), mpSrc[5990:6005]...)
	if got := te.read(t, "dst", 0); !bytes.Equal(got, want) {
		t.Fatalf("object of copied parts differs (%d bytes, want %d)", len(got), len(want))
	}
}

func TestUploadPartCopyRefusals(t *testing.T) {
	te := newTestEngine(t, 1)
	if _, err := te.PutObject(ctx, PutObjectInput{Bucket: "bkt", Key: "src", Body: bytes.NewReader([]byte("0123456789")), Size: 10}); err != nil {
		t.Fatal(err)
	}
	o, _, _ := te.HeadObject(ctx, ReadInput{Bucket: "bkt", Key: "src"})
	id := te.create(t, "dst", "", "")
	try := func(src string, r *PartCopyRange, c Conditions) error {
		_, err := te.UploadPartCopy(ctx, UploadPartCopyInput{Bucket: "bkt", Key: "dst", UploadID: id, PartNumber: 1,
			SourceBucket: "bkt", SourceKey: src, Range: r, Cond: c})
		return err
	}
	later := o.Modified.Add(time.Hour)
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"missing source", try("nope", nil, Conditions{}), ErrNoSuchKey},
		{"range past the end", try("src", &PartCopyRange{First: 5, Last: 10}, Conditions{}), ErrInvalidCopyRange},
		{"inverted range", try("src", &PartCopyRange{First: 5, Last: 4}, Conditions{}), ErrInvalidCopyRange},
		{"if-match differs", try("src", nil, Conditions{IfMatch: `"x"`}), ErrPreconditionFailed},
		{"if-none-match matches", try("src", nil, Conditions{IfNoneMatch: `"` + o.ETag + `"`}), ErrPreconditionFailed},
		{"if-modified-since later", try("src", nil, Conditions{IfModifiedSince: later}), ErrPreconditionFailed},
		{"if-unmodified-since earlier", try("src", nil, Conditions{IfUnmodifiedSince: o.Modified.Add(-time.Hour)}), ErrPreconditionFailed},
		{"if-match holds", try("src", &PartCopyRange{First: 0, Last: 9}, Conditions{IfMatch: o.ETag, IfUnmodifiedSince: o.Modified.Add(-time.Hour)}), nil},
	}
	for _, c := range cases {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, c.err, c.want)
		}
	}
	var re *CopyRangeError
	if err := try("src", &PartCopyRange{First: 0, Last: 10}, Conditions{}); !errors.As(err, &re) || re.Size != 10 {
		t.Fatalf("range error %v does not carry the source size", err)
	}
}
