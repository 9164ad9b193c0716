package engine

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cairnstore/cairn/engine/checksum"
)

func algOf(s string) checksum.Algorithm { return checksum.Algorithm(s) }

func randData(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func sum(a checksum.Algorithm, b []byte) string {
	h := a.New()
	h.Write(b)
	return checksum.Encode(h.Sum(nil))
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// The object is the listed parts in order; its ETag is the MD5 of the
// parts' MD5s with -N, and its checksum is composite or full-object as the
// upload asked, for every algorithm.
func TestCompleteMakesTheObjectFromItsParts(t *testing.T) {
	te := newTestEngine(t, 1024)
	sizes := []int{1024, 4000, 1500, 17}
	cases := []struct{ alg, typ string }{{"", ""}, {"CRC32", ""}, {"CRC32C", "COMPOSITE"}, {"SHA1", ""}, {"SHA256", ""},
		{"CRC32", "FULL_OBJECT"}, {"CRC32C", "FULL_OBJECT"}, {"CRC64NVME", ""}}
	for i, tc := range cases {
		key := fmt.Sprintf("obj-%s-%s", tc.alg, tc.typ)
		id := te.create(t, key, tc.alg, tc.typ)
		var whole, md5s []byte
		var list []CompletePart
		var partSums []byte
		for n, size := range sizes {
			data := randData(uint64(i*10+n), size)
			whole = append(whole, data...)
			m := md5.Sum(data)
			md5s = append(md5s, m[:]...)
			ck := Checksum{Algorithm: algOf(tc.alg)}
			res := te.part(t, key, id, n+1, data, ck)
			if res.ETag != md5hex(data) {
				t.Fatalf("part ETag %s", res.ETag)
			}
			if tc.alg != "" {
				if res.Checksum != sum(algOf(tc.alg), data) {
					t.Fatalf("%s part checksum %s, want %s", tc.alg, res.Checksum, sum(algOf(tc.alg), data))
				}
				raw, _ := checksumBytes(res.Checksum)
				partSums = append(partSums, raw...)
			}
			list = append(list, CompletePart{Number: n + 1, ETag: `"` + res.ETag + `"`, Checksum: res.Checksum})
		}
		res, err := te.CompleteMultipartUpload(ctx, CompleteMultipartInput{Bucket: "bkt", Key: key, UploadID: id, Parts: list, ObjectSize: -1})
		if err != nil {
			t.Fatalf("%s: complete: %v", key, err)
		}
		if want := md5hex(md5s) + "-4"; res.ETag != want {
			t.Errorf("%s: ETag %s, want %s", key, res.ETag, want)
		}
		if got := te.read(t, key, 0); !bytes.Equal(got, whole) {
			t.Fatalf("%s: object differs from its parts", key)
		}
		if got := te.read(t, key, 3); !bytes.Equal(got, whole[5024:6524]) {
			t.Fatalf("%s: part 3 reads %d bytes", key, len(got))
		}
		var want string
		switch {
		case tc.alg == "":
		case tc.typ == "FULL_OBJECT" || tc.alg == "CRC64NVME":
			want = sum(algOf(tc.alg), whole)
		default:
			want = sum(algOf(tc.alg), partSums) + "-4"
		}
		if got := res.Checksums[tc.alg]; got != want {
			t.Errorf("%s: checksum %q, want %q", key, got, want)
		}
		o, _, _ := te.HeadObject(ctx, ReadInput{Bucket: "bkt", Key: key})
		if o.ETag != res.ETag || len(o.Parts) != 4 || o.Size != int64(len(whole)) {
			t.Errorf("%s: head %+v", key, o)
		}
	}
}

func checksumBytes(s string) ([]byte, error) {
	return base64.StdEncoding.DecodeString(s)
}

func TestPartReuploadReplacesTheEarlierPart(t *testing.T) {
	te := newTestEngine(t, 1)
	id := te.create(t, "k", "", "")
	te.part(t, "k", id, 1, []byte("first"), Checksum{})
	second := te.part(t, "k", id, 1, []byte("second"), Checksum{})
	te.part(t, "k", id, 2, []byte("!"), Checksum{})
	lp, err := te.ListParts(ctx, ListPartsInput{Bucket: "bkt", Key: "k", UploadID: id, MaxParts: 10})
	if err != nil || len(lp.Parts) != 2 || lp.Parts[0].ETag != second.ETag || lp.Parts[0].Size != 6 {
		t.Fatalf("parts %+v err %v", lp.Parts, err)
	}
	if _, err := te.CompleteMultipartUpload(ctx, CompleteMultipartInput{Bucket: "bkt", Key: "k", UploadID: id, ObjectSize: -1,
		Parts: []CompletePart{{Number: 1, ETag: md5hex([]byte("first"))}, {Number: 2, ETag: md5hex([]byte("!"))}}}); !errors.Is(err, ErrInvalidPart) {
		t.Fatalf("completing with the replaced part's ETag: %v, want ErrInvalidPart", err)
	}
	if _, err := te.CompleteMultipartUpload(ctx, CompleteMultipartInput{Bucket: "bkt", Key: "k", UploadID: id, ObjectSize: -1,
		Parts: []CompletePart{{Number: 1, ETag: second.ETag}, {Number: 2, ETag: md5hex([]byte("!"))}}}); err != nil {
		t.Fatal(err)
	}
	if got := te.read(t, "k", 0); string(got) != "second!" {
		t.Fatalf("object %q", got)
	}
}

func TestMultipartRefusals(t *testing.T) {
	te := newTestEngine(t, 100)
	id := te.create(t, "k", "CRC32", "")
	small := te.part(t, "k", id, 1, []byte("tiny"), Checksum{Algorithm: checksum.CRC32})
	big := te.part(t, "k", id, 2, bytes.Repeat([]byte("x"), 100), Checksum{Algorithm: checksum.CRC32})
	last := te.part(t, "k", id, 3, []byte("end"), Checksum{Algorithm: checksum.CRC32})
	p := func(n int, r PartResult) CompletePart {
		return CompletePart{Number: n, ETag: r.ETag, Checksum: r.Checksum}
	}
	complete := func(parts ...CompletePart) error {
		_, err := te.CompleteMultipartUpload(ctx, CompleteMultipartInput{Bucket: "bkt", Key: "k", UploadID: id, Parts: parts, ObjectSize: -1})
		return err
	}
	upload := func(in UploadPartInput) error {
		in.Bucket, in.Key, in.UploadID = "bkt", "k", id
		if in.Body == nil {
			in.Body = strings.NewReader("")
		}
		_, err := te.UploadPart(ctx, in)
		return err
	}
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"no parts", complete(), ErrNoParts},
		{"descending", complete(p(2, big), p(1, small)), ErrInvalidPartOrder},
		{"repeated", complete(p(2, big), p(2, big)), ErrInvalidPartOrder},
		{"part number 0", complete(CompletePart{Number: 0, ETag: "x"}), ErrPartNumberRange},
		{"unknown part", complete(p(2, big), CompletePart{Number: 4, ETag: last.ETag, Checksum: last.Checksum}), ErrInvalidPart},
		{"wrong etag", complete(CompletePart{Number: 2, ETag: small.ETag, Checksum: big.Checksum}), ErrInvalidPart},
		{"wrong part checksum", complete(CompletePart{Number: 2, ETag: big.ETag, Checksum: small.Checksum}), ErrInvalidPart},
		{"missing part checksum", complete(CompletePart{Number: 2, ETag: big.ETag}), ErrMissingPartChecksum},
		{"small part not last", complete(p(1, small), p(2, big)), ErrEntityTooSmall},
		{"part number 10001", upload(UploadPartInput{PartNumber: 10001}), ErrPartNumberRange},
		{"part without checksum", upload(UploadPartInput{PartNumber: 5}), ErrChecksumTypeMismatch},
		{"part with another checksum", upload(UploadPartInput{PartNumber: 5, Checksum: Checksum{Algorithm: checksum.SHA256}}), ErrChecksumTypeMismatch},
		{"part checksum mismatch", upload(UploadPartInput{PartNumber: 5, Size: 1, Body: strings.NewReader("x"),
			Checksum: Checksum{Algorithm: checksum.CRC32, Value: "AAAAAA=="}}), ErrChecksumMismatch},
		{"part too large", upload(UploadPartInput{PartNumber: 5, Size: MaxPartSize + 1}), ErrEntityTooLarge},
		{"bad upload id", func() error {
			_, err := te.UploadPart(ctx, UploadPartInput{Bucket: "bkt", Key: "k", UploadID: "../x", PartNumber: 1, Body: strings.NewReader("")})
			return err
		}(), ErrNoSuchUpload},
		{"upload of another key", func() error {
			_, err := te.UploadPart(ctx, UploadPartInput{Bucket: "bkt", Key: "other", UploadID: id, PartNumber: 1, Body: strings.NewReader("")})
			return err
		}(), ErrNoSuchUpload},
	}
	for _, c := range cases {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, c.err, c.want)
		}
	}
	for _, c := range []struct{ alg, typ string }{{"", "COMPOSITE"}, {"SHA256", "FULL_OBJECT"}, {"CRC64NVME", "COMPOSITE"}, {"CRC32", "BOTH"}} {
		_, err := te.CreateMultipartUpload(ctx, CreateMultipartInput{Bucket: "bkt", Key: "k", ChecksumAlgorithm: algOf(c.alg), ChecksumType: c.typ})
		if !errors.Is(err, ErrInvalidChecksumType) {
			t.Errorf("create %s/%s: %v, want ErrInvalidChecksumType", c.alg, c.typ, err)
		}
	}
	// None of the refusals ended the upload: it still completes.
	in := CompleteMultipartInput{Bucket: "bkt", Key: "k", UploadID: id, Parts: []CompletePart{p(2, big), p(3, last)}, ObjectSize: -1}
	first, err := te.CompleteMultipartUpload(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	// A retry of the completion gets the same answer, as on S3; another
	// part list for the finished upload does not.
	again, err := te.CompleteMultipartUpload(ctx, in)
	if err != nil || again.ETag != first.ETag || fmt.Sprint(again.Checksums) != fmt.Sprint(first.Checksums) || again.ChecksumType != first.ChecksumType {
		t.Fatalf("retried completion: %+v, %v; first %+v", again, err, first)
	}
	if err := complete(p(2, big)); !errors.Is(err, ErrNoSuchUpload) {
		t.Fatalf("completion with other parts: %v, want ErrNoSuchUpload", err)
	}
}

func TestCompletionChecksOfTheWholeObject(t *testing.T) {
	te := newTestEngine(t, 1)
	data := []byte("hello multipart")
	for _, tc := range []struct {
		name, typ, alg, value, reqType string
		size                           int64
		want                           error
	}{
		{"full object matches", "FULL_OBJECT", "CRC32", sum(checksum.CRC32, data), "FULL_OBJECT", -1, nil},
		{"full object differs", "FULL_OBJECT", "CRC32", sum(checksum.CRC32, []byte("x")), "", -1, ErrChecksumMismatch},
		{"other algorithm", "FULL_OBJECT", "CRC32C", sum(checksum.CRC32C, data), "", -1, ErrChecksumTypeMismatch},
		{"other type", "FULL_OBJECT", "", "", "COMPOSITE", -1, ErrInvalidChecksumType},
		{"object size matches", "FULL_OBJECT", "", "", "", int64(len(data)), nil},
		{"object size differs", "FULL_OBJECT", "", "", "", 3, ErrObjectSizeMismatch},
	} {
		key := "k-" + tc.name
		id := te.create(t, key, "CRC32", tc.typ)
		r := te.part(t, key, id, 1, data, Checksum{Algorithm: checksum.CRC32})
		_, err := te.CompleteMultipartUpload(ctx, CompleteMultipartInput{Bucket: "bkt", Key: key, UploadID: id, ObjectSize: tc.size,
			Parts: []CompletePart{{Number: 1, ETag: r.ETag}}, ChecksumAlgorithm: algOf(tc.alg), Checksum: tc.value, ChecksumType: tc.reqType})
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestCompletionConditions(t *testing.T) {
	te := newTestEngine(t, 1)
	done := func(key string, cond WriteConditions) error {
		id := te.create(t, key, "", "")
		r := te.part(t, key, id, 1, []byte(key), Checksum{})
		_, err := te.CompleteMultipartUpload(ctx, CompleteMultipartInput{Bucket: "bkt", Key: key, UploadID: id, ObjectSize: -1,
			Parts: []CompletePart{{Number: 1, ETag: r.ETag}}, Cond: cond})
		return err
	}
	if err := done("new", WriteConditions{IfNoneMatch: "*"}); err != nil {
		t.Fatalf("If-None-Match on a new key: %v", err)
	}
	if err := done("new", WriteConditions{IfNoneMatch: "*"}); !errors.Is(err, ErrPreconditionFailed) {
		t.Fatalf("If-None-Match on an existing key: %v", err)
	}
	if err := done("missing", WriteConditions{IfMatch: `"abc"`}); !errors.Is(err, ErrNoSuchKey) {
		t.Fatalf("If-Match on a missing key: %v", err)
	}
	o, _, _ := te.HeadObject(ctx, ReadInput{Bucket: "bkt", Key: "new"})
	if err := done("new", WriteConditions{IfMatch: `"nope-1"`}); !errors.Is(err, ErrPreconditionFailed) {
		t.Fatalf("If-Match with another ETag: %v", err)
	}
	if err := done("new", WriteConditions{IfMatch: `"` + o.ETag + `"`}); err != nil {
		t.Fatalf("If-Match with the current ETag: %v", err)
	}
}

// A slow part does not hold up another part of the same upload: nothing
// serializes parts of one upload (the first part's body is still open
// while the second is stored and acknowledged).
func TestConcurrentPartsDoNotWaitForEachOther(t *testing.T) {
	te := newTestEngine(t, 1)
	id := te.create(t, "k", "CRC32", "")
	pr, pw := io.Pipe()
	slow := make(chan error, 1)
	go func() {
		_, err := te.UploadPart(ctx, UploadPartInput{Bucket: "bkt", Key: "k", UploadID: id, PartNumber: 1, Size: 6, Body: pr,
			Checksum: Checksum{Algorithm: checksum.CRC32}})
		slow <- err
	}()
	if _, err := pw.Write([]byte("abc")); err != nil { // the slow part is under way
		t.Fatal(err)
	}
	te.part(t, "k", id, 2, []byte("fast"), Checksum{Algorithm: checksum.CRC32})
	if _, err := pw.Write([]byte("def")); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if err := <-slow; err != nil {
		t.Fatal(err)
	}
	lp, err := te.ListParts(ctx, ListPartsInput{Bucket: "bkt", Key: "k", UploadID: id, MaxParts: 10})
	if err != nil || len(lp.Parts) != 2 || lp.Parts[0].Size != 6 || lp.Parts[1].Size != 4 {
		t.Fatalf("parts %+v err %v", lp.Parts, err)
	}
}
