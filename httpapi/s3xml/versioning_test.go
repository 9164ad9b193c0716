package s3xml

import (
	"encoding/xml"
	"reflect"
	"testing"
)

// versioningGoldens joins goldens() in golden_test.go.
func versioningGoldens() map[string]any {
	owner := &Owner{ID: "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a"}
	days := 30
	return map[string]any{
		"versioning":       VersioningConfiguration{NS: NS, Status: "Enabled"},
		"versioning_empty": VersioningConfiguration{NS: NS},
		"list_versions": ListVersionsResult{NS: NS, Name: "photos", Prefix: "2026/", KeyMarker: "2026/a", VersionIDMarker: "null",
			NextKeyMarker: "2026/b.jpg", NextVersionIDMarker: "188a1b2c3d4e5f60fedcba9876543210", MaxKeys: 3, Delimiter: "/",
			IsTruncated: true, Entries: []any{
				&DeleteMarkerEntry{Key: "2026/a b.jpg", VersionID: "188a1b2c3d4e5f70fedcba9876543210", IsLatest: true, LastModified: t1, Owner: owner},
				&ObjectVersion{Key: "2026/a b.jpg", VersionID: "null", LastModified: t1, ETag: `"5d41402abc4b2a76b9719d911017c592"`,
					Size: 5, StorageClass: "STANDARD", Owner: owner},
				&ObjectVersion{Key: "2026/b.jpg", VersionID: "188a1b2c3d4e5f60fedcba9876543210", IsLatest: true, LastModified: t1,
					ETag: `"e"`, ChecksumAlgorithm: "CRC32", ChecksumType: "FULL_OBJECT", Size: 0, StorageClass: "STANDARD", Owner: owner},
			},
			CommonPrefixes: []CommonPrefix{{Prefix: "2026/x/"}}},
		"object_lock": ObjectLockConfiguration{NS: NS, ObjectLockEnabled: "Enabled", Rule: &ObjectLockRule{DefaultRetention{Mode: "GOVERNANCE", Days: &days}}},
		"retention":   Retention{NS: NS, Mode: "COMPLIANCE", RetainUntilDate: "2027-01-01T00:00:00.000Z"},
		"legal_hold":  LegalHold{NS: NS, Status: "ON"},
		"delete_result_versions": DeleteResult{NS: NS, Deleted: []DeletedObject{{Key: "a", DeleteMarker: true, DeleteMarkerVersionID: "188a1b2c3d4e5f70fedcba9876543210"},
			{Key: "b", VersionID: "188a1b2c3d4e5f60fedcba9876543210"}}},
	}
}

// What clients send parses into the request types.
func TestVersioningRequestsParse(t *testing.T) {
	var v VersioningConfiguration
	if err := xml.Unmarshal([]byte(`<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Suspended</Status><MfaDelete>Disabled</MfaDelete></VersioningConfiguration>`), &v); err != nil || v.Status != "Suspended" || v.MfaDelete != "Disabled" {
		t.Fatalf("%+v %v", v, err)
	}
	var c ObjectLockConfiguration
	if err := xml.Unmarshal([]byte(`<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Years>2</Years></DefaultRetention></Rule></ObjectLockConfiguration>`), &c); err != nil {
		t.Fatal(err)
	}
	years := 2
	want := ObjectLockConfiguration{XMLName: c.XMLName, ObjectLockEnabled: "Enabled", Rule: &ObjectLockRule{DefaultRetention{Mode: "COMPLIANCE", Years: &years}}}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("%+v", c)
	}
}
