package e2e

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
)

const mib = 1 << 20

// split cuts data into parts of size bytes (the last one shorter).
func split(data []byte, size int) [][]byte {
	var parts [][]byte
	for len(data) > size {
		parts = append(parts, data[:size])
		data = data[size:]
	}
	return append(parts, data)
}

// multipartETag is S3's ETag of an object made of parts: the MD5 of the
// parts' MD5s, then -N.
func multipartETag(parts [][]byte) string {
	h := md5.New()
	for _, p := range parts {
		s := md5.Sum(p)
		h.Write(s[:])
	}
	return fmt.Sprintf(`"%x-%d"`, h.Sum(nil), len(parts))
}

func crcOf(h hash.Hash, b []byte) string {
	h.Write(b)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// compositeCRC32 is the COMPOSITE CRC32 of parts: the CRC32 of their CRC32s.
func compositeCRC32(parts [][]byte) string {
	all := crc32.NewIEEE()
	for _, p := range parts {
		h := crc32.NewIEEE()
		h.Write(p)
		all.Write(h.Sum(nil))
	}
	return base64.StdEncoding.EncodeToString(all.Sum(nil)) + "-" + strconv.Itoa(len(parts))
}

func readAll(t *testing.T, out *s3.GetObjectOutput, err error) []byte {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("reading the body (the SDK validates checksums as it reads): %v", err)
	}
	return b
}

// aws-sdk-go-v2's upload manager with its defaults (CRC32 on every part,
// a COMPOSITE checksum) at concurrency 8, over HTTP (signed payloads with
// checksum headers) and HTTPS (aws-chunked bodies with trailing
// checksums); the download manager reads the objects back in ranges.
func TestUploadManagerRoundTrip(t *testing.T) {
	// Part sizes and counts differ per scheme (kept small: the suite runs
	// under -race).
	cases := map[string][]struct{ partSize, size int }{
		"http":  {{5 * mib, 10*mib + 77}, {8 * mib, 8*mib + 1}},
		"https": {{6 * mib, 6*mib + 1}, {5 * mib, 10 * mib}},
	}
	for _, scheme := range []string{"http", "https"} {
		t.Run(scheme, func(t *testing.T) {
			var ts *testserver.TS
			if scheme == "https" {
				ts = testserver.Start(t, testserver.WithTLS(t))
			} else {
				ts = testserver.Start(t)
			}
			rec := &recorder{next: ts.HTTPClient(t).Transport, modes: map[string]bool{}}
			c := ts.S3(t, func(o *s3.Options) { o.HTTPClient = &http.Client{Transport: rec} })
			mkBucket(t, c, "mpu")
			for _, tc := range cases[scheme] {
				key := fmt.Sprintf("managed/%d-%d", tc.partSize, tc.size)
				managerRoundTrip(t, c, key, randBytes(t, tc.size), tc.partSize)
			}
			want := map[string]string{"http": "<sha256>", "https": "STREAMING-UNSIGNED-PAYLOAD-TRAILER"}[scheme]
			if !rec.modes[want] {
				t.Errorf("no part went with payload mode %s (saw %v)", want, rec.modes)
			}
		})
	}
}

func managerRoundTrip(t *testing.T, c *s3.Client, key string, data []byte, partSize int) {
	t.Helper()
	parts := split(data, partSize)
	up := manager.NewUploader(c, func(u *manager.Uploader) { u.PartSize, u.Concurrency = int64(partSize), 8 })
	out, err := up.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String("mpu"), Key: aws.String(key), Body: bytes.NewReader(data),
		ContentType: aws.String("application/x-parts"), Metadata: map[string]string{"parts": strconv.Itoa(len(parts))}})
	if err != nil {
		t.Fatalf("%s: upload: %v", key, err)
	}
	etag, ck := multipartETag(parts), compositeCRC32(parts)
	if aws.ToString(out.ETag) != etag || aws.ToString(out.ChecksumCRC32) != ck || out.ChecksumType != types.ChecksumTypeComposite {
		t.Fatalf("%s: completion ETag %s checksum %s %s; want %s %s COMPOSITE", key, aws.ToString(out.ETag),
			aws.ToString(out.ChecksumCRC32), out.ChecksumType, etag, ck)
	}
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
	if got := readAll(t, get, err); !bytes.Equal(got, data) || aws.ToString(get.ETag) != etag ||
		aws.ToString(get.ChecksumCRC32) != ck || aws.ToString(get.ContentType) != "application/x-parts" ||
		get.Metadata["parts"] != strconv.Itoa(len(parts)) {
		t.Fatalf("%s: GET %d bytes, ETag %s, checksum %s, type %s, meta %v", key, len(got), aws.ToString(get.ETag),
			aws.ToString(get.ChecksumCRC32), aws.ToString(get.ContentType), get.Metadata)
	}
	n := len(parts)
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mpu"), Key: aws.String(key), PartNumber: aws.Int32(int32(n))})
	if err != nil || aws.ToInt32(head.PartsCount) != int32(n) || aws.ToInt64(head.ContentLength) != int64(len(parts[n-1])) {
		t.Fatalf("%s: HEAD part %d: %v, parts count %d, length %d", key, n, err, aws.ToInt32(head.PartsCount), aws.ToInt64(head.ContentLength))
	}
	// A GET of one part carries that part's CRC32, which the SDK checks.
	get, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String(key), PartNumber: aws.Int32(1),
		ChecksumMode: types.ChecksumModeEnabled})
	if got := readAll(t, get, err); !bytes.Equal(got, parts[0]) || aws.ToInt32(get.PartsCount) != int32(n) ||
		aws.ToString(get.ChecksumCRC32) != crcOf(crc32.NewIEEE(), parts[0]) {
		t.Fatalf("%s: GET part 1: %d bytes, parts count %d, checksum %s", key, len(got), aws.ToInt32(get.PartsCount), aws.ToString(get.ChecksumCRC32))
	}
	buf := manager.NewWriteAtBuffer(make([]byte, 0, len(data)))
	down := manager.NewDownloader(c, func(d *manager.Downloader) { d.PartSize, d.Concurrency = int64(partSize), 8 })
	if _, err := down.Download(ctx, buf, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String(key)}); err != nil {
		t.Fatalf("%s: download: %v", key, err)
	}
	if !bytes.Equal(buf.Bytes(), data) {
		t.Fatalf("%s: the download manager read different bytes", key)
	}
}

// FULL_OBJECT checksums are combined from the parts' CRCs; the SDK checks
// them against the whole body on GET.
func TestFullObjectChecksumsValidateOnGet(t *testing.T) {
	ts := testserver.Start(t)
	c := ts.S3(t)
	mkBucket(t, c, "full")
	data := randBytes(t, 10*mib+100)
	parts := split(data, 5*mib)
	nvme := crc64.MakeTable(0x9a6c9329ac4bc9b5)
	for _, tc := range []struct {
		alg  types.ChecksumAlgorithm
		typ  types.ChecksumType
		want string
		get  func(*s3.GetObjectOutput) *string
	}{
		{types.ChecksumAlgorithmCrc32, types.ChecksumTypeFullObject, crcOf(crc32.NewIEEE(), data), func(o *s3.GetObjectOutput) *string { return o.ChecksumCRC32 }},
		{types.ChecksumAlgorithmCrc32c, types.ChecksumTypeFullObject, crcOf(crc32.New(crc32.MakeTable(crc32.Castagnoli)), data), func(o *s3.GetObjectOutput) *string { return o.ChecksumCRC32C }},
		{types.ChecksumAlgorithmCrc64nvme, "", crcOf(crc64.New(nvme), data), func(o *s3.GetObjectOutput) *string { return o.ChecksumCRC64NVME }},
	} {
		key := "full-" + string(tc.alg)
		cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("full"), Key: aws.String(key),
			ChecksumAlgorithm: tc.alg, ChecksumType: tc.typ})
		if err != nil || cr.ChecksumType != types.ChecksumTypeFullObject || cr.ChecksumAlgorithm != tc.alg {
			t.Fatalf("%s: create: %v (type %s algorithm %s)", key, err, cr.ChecksumType, cr.ChecksumAlgorithm)
		}
		var done []types.CompletedPart
		for i, p := range parts {
			out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("full"), Key: aws.String(key), UploadId: cr.UploadId,
				PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p), ChecksumAlgorithm: tc.alg})
			if err != nil {
				t.Fatalf("%s: part %d: %v", key, i+1, err)
			}
			done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32,
				ChecksumCRC32C: out.ChecksumCRC32C, ChecksumCRC64NVME: out.ChecksumCRC64NVME})
		}
		if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("full"), Key: aws.String(key),
			UploadId: cr.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}); err != nil {
			t.Fatalf("%s: complete: %v", key, err)
		}
		get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("full"), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
		if got := readAll(t, get, err); !bytes.Equal(got, data) || aws.ToString(tc.get(get)) != tc.want || get.ChecksumType != types.ChecksumTypeFullObject {
			t.Fatalf("%s: GET checksum %s (%s), want %s FULL_OBJECT", key, aws.ToString(tc.get(get)), get.ChecksumType, tc.want)
		}
	}
}
