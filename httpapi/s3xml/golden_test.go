package s3xml

import (
	"encoding/xml"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.xml")

// goldens pins the exact XML of every response body cairn writes.
func goldens() map[string]any {
	size := int64(5)
	obj := Object{Key: "photos/a b.jpg", LastModified: "2026-11-21T19:00:00.000Z", ETag: `"5d41402abc4b2a76b9719d911017c592"`, Size: 5, StorageClass: "STANDARD"}
	all := map[string]any{
		"list_buckets": ListAllMyBucketsResult{NS: NS, Owner: Owner{ID: "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a", DisplayName: "AKID"},
			Buckets: []BucketInfo{{Name: "photos", CreationDate: "2026-11-21T19:00:00.000Z", BucketRegion: "us-east-1"}}, ContinuationToken: "tok", Prefix: "ph"},
		"location":       LocationConstraint{NS: NS, Region: "eu-west-1"},
		"location_empty": LocationConstraint{NS: NS},
		"list_v2": ListBucketResultV2{NS: NS, Name: "photos", Prefix: "photos/", Delimiter: "/", MaxKeys: 2, KeyCount: 2, IsTruncated: true,
			EncodingType: "url", ContinuationToken: "in", NextContinuationToken: "out", StartAfter: "photos/0",
			Contents: []Object{obj}, CommonPrefixes: []CommonPrefix{{Prefix: "photos/2026/"}}},
		"list_v1": ListBucketResultV1{NS: NS, Name: "photos", Prefix: "", Marker: "m", NextMarker: "photos/a b.jpg", MaxKeys: 1, Delimiter: "/",
			IsTruncated: true, Contents: []Object{func() Object { o := obj; o.Owner = &Owner{ID: "id", DisplayName: "AKID"}; return o }()}},
		"delete_result": DeleteResult{NS: NS, Deleted: []DeletedObject{{Key: "a"}},
			Errors: []DeleteError{{Key: "b", Code: "PreconditionFailed", Message: "At least one of the pre-conditions you specified did not hold"}}},
		"copy_result":   CopyObjectResult{NS: NS, LastModified: "2026-11-21T19:00:00.000Z", ETag: `"e"`, ChecksumType: "FULL_OBJECT", Checksums: Checksums{ChecksumCRC32: "NhCmhg=="}},
		"tagging":       Tagging{NS: NS, TagSet: []Tag{{Key: "project", Value: "cairn"}}},
		"tagging_empty": Tagging{NS: NS, TagSet: []Tag{}},
		"notification": NotificationConfiguration{NS: NS,
			TopicConfigurations: []TopicConfiguration{{ID: "audit", Topic: "arn:cairn:sqs::bus:nats", Events: []string{"s3:ObjectRemoved:*", "s3:ObjectTagging:*"}}},
			QueueConfigurations: []QueueConfiguration{{ID: "thumbs", Queue: "arn:cairn:sqs::hook1:webhook", Events: []string{"s3:ObjectCreated:*"},
				Filter: &NotificationFilter{Rules: []FilterRule{{Name: "Prefix", Value: "images/"}, {Name: "Suffix", Value: ".jpg"}}}}},
			CloudFunctionConfigurations: []CloudFunctionConfiguration{{ID: "fn", CloudFunction: "arn:cairn:sqs::fn:webhook", Events: []string{"s3:ObjectCreated:Copy"}}}},
		"notification_empty": NotificationConfiguration{NS: NS},
		"object_attributes": GetObjectAttributesResponse{NS: NS, ETag: "5d41402abc4b2a76b9719d911017c592",
			Checksum: &Checksum{Checksums: Checksums{ChecksumCRC32: "NhCmhg=="}, ChecksumType: "FULL_OBJECT"}, StorageClass: "STANDARD", ObjectSize: &size,
			ObjectParts: &ObjectParts{TotalPartsCount: 2, MaxParts: 1, NextPartNumberMarker: 1, IsTruncated: true,
				Parts: []ObjectPart{{PartNumber: 1, Size: 5242880, Checksum: Checksum{Checksums: Checksums{ChecksumCRC32: "AAAAAA=="}}}}}},
	}
	maps.Copy(all, multipartGoldens())
	maps.Copy(all, replicationGoldens())
	maps.Copy(all, versioningGoldens())
	return all
}

func TestResponsesMatchGoldenXML(t *testing.T) {
	for name, v := range goldens() {
		got, err := xml.Marshal(v)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got = append([]byte(xml.Header), got...)
		path := filepath.Join("testdata", name+".xml")
		if *update {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v (run go test -update once)", name, err)
		}
		if string(got)+"\n" != string(want) {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
}
