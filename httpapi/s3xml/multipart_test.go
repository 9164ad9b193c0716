package s3xml

import (
	"encoding/xml"
	"reflect"
	"testing"
	"time"
)

var t1 = Time(time.Date(2026, 11, 21, 19, 0, 0, 123e6, time.UTC))

// multipartGoldens joins goldens() in golden_test.go: each multipart
// response body, byte for byte, against testdata/<name>.xml.
func multipartGoldens() map[string]any {
	owner := Owner{ID: "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a", DisplayName: "AKID"}
	crc := Checksums{ChecksumCRC32: "NhCmhg=="}
	return map[string]any{
		"initiate": InitiateMultipartUploadResult{NS: NS, Bucket: "photos", Key: "2026/a b.jpg", UploadID: "188a1b2c3d4e5f600123456789abcdef"},
		"complete": CompleteMultipartUploadResult{NS: NS, Location: "http://127.0.0.1:9000/photos/2026/a%20b.jpg", Bucket: "photos",
			Key: "2026/a b.jpg", ETag: `"3858f62230ac3c915f300c664312c11f-2"`, Checksums: Checksums{ChecksumCRC32: "ZlTxMw==-2"}, ChecksumType: "COMPOSITE"},
		"copy-part": CopyPartResult{NS: NS, LastModified: t1, ETag: `"5d41402abc4b2a76b9719d911017c592"`, Checksums: crc},
		"list-parts": ListPartsResult{NS: NS, Bucket: "photos", Key: "big", UploadID: "188a1b2c3d4e5f600123456789abcdef",
			PartNumberMarker: 1, NextPartNumberMarker: 3, MaxParts: 2, IsTruncated: true,
			Parts: []Part{{PartNumber: 2, LastModified: t1, ETag: `"a"`, Size: 5242880, Checksums: crc},
				{PartNumber: 3, LastModified: t1, ETag: `"b"`, Size: 7, Checksums: crc}},
			Initiator: owner, Owner: owner, StorageClass: "STANDARD", ChecksumAlgorithm: "CRC32", ChecksumType: "COMPOSITE"},
		"list-uploads": ListMultipartUploadsResult{NS: NS, Bucket: "photos", KeyMarker: "a", UploadIDMarker: "",
			NextKeyMarker: "b/", Delimiter: "/", Prefix: "", MaxUploads: 2, IsTruncated: true,
			Uploads: []Upload{{Key: "a0", UploadID: "188a1b2c3d4e5f600123456789abcdef", Initiator: owner, Owner: owner,
				StorageClass: "STANDARD", Initiated: t1, ChecksumAlgorithm: "CRC64NVME", ChecksumType: "FULL_OBJECT"}},
			CommonPrefixes: []CommonPrefix{{Prefix: "b/"}}},
	}
}

// A completion body as aws-sdk-go-v2 sends it (namespace, quoted ETags,
// per-part checksums) and as curl users write it (no namespace, bare ETags).
func TestCompleteMultipartUploadDecodes(t *testing.T) {
	sdk := `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
		`<Part><ChecksumCRC32>NhCmhg==</ChecksumCRC32><ETag>&quot;5d41402abc4b2a76b9719d911017c592&quot;</ETag><PartNumber>1</PartNumber></Part>` +
		`<Part><ETag>"e"</ETag><PartNumber>2</PartNumber></Part></CompleteMultipartUpload>`
	var c CompleteMultipartUpload
	if err := xml.Unmarshal([]byte(sdk), &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Parts) != 2 || *c.Parts[0].PartNumber != 1 || *c.Parts[0].ETag != `"5d41402abc4b2a76b9719d911017c592"` ||
		c.Parts[0].Get("CRC32") != "NhCmhg==" || *c.Parts[1].ETag != `"e"` {
		t.Fatalf("decoded %+v", c)
	}
	var bare CompleteMultipartUpload
	if err := xml.Unmarshal([]byte(`<CompleteMultipartUpload><Part><PartNumber>3</PartNumber><ETag>abc</ETag></Part></CompleteMultipartUpload>`), &bare); err != nil {
		t.Fatal(err)
	}
	if len(bare.Parts) != 1 || *bare.Parts[0].PartNumber != 3 || *bare.Parts[0].ETag != "abc" {
		t.Fatalf("decoded %+v", bare)
	}
	var wrong CompleteMultipartUpload
	if err := xml.Unmarshal([]byte(`<Delete><Object><Key>k</Key></Object></Delete>`), &wrong); err == nil {
		t.Fatal("another root element decodes as a completion")
	}
}

// FuzzCompleteMultipartUpload: decoding never panics, and whatever decodes
// re-encodes to a body that decodes to the same value.
func FuzzCompleteMultipartUpload(f *testing.F) {
	f.Add([]byte(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag><ChecksumSHA256>q</ChecksumSHA256></Part></CompleteMultipartUpload>`))
	f.Add([]byte(`<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></CompleteMultipartUpload>`))
	f.Add([]byte(`<CompleteMultipartUpload><Part><PartNumber>-1</PartNumber></Part><Part/></CompleteMultipartUpload>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var c CompleteMultipartUpload
		if err := xml.Unmarshal(b, &c); err != nil {
			return
		}
		again, err := xml.Marshal(c)
		if err != nil {
			t.Fatalf("decoded value does not encode: %v", err)
		}
		var c2 CompleteMultipartUpload
		if err := xml.Unmarshal(again, &c2); err != nil {
			t.Fatalf("re-encoded body does not decode: %v\n%s", err, again)
		}
		c.XMLName, c2.XMLName = xml.Name{}, xml.Name{}
		if !reflect.DeepEqual(c, c2) {
			t.Fatalf("round trip changed the value:\n%+v\n%+v", c, c2)
		}
	})
}
