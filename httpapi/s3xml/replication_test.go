package s3xml

import (
	"encoding/xml"
	"testing"
)

func replicationGoldens() map[string]any {
	prio, pfx, legacy := 1, "TaxDocs", "docs/"
	return map[string]any{
		"replication": ReplicationConfiguration{NS: NS, Role: "arn:aws:iam::000000000000:role/replication", Rules: []ReplicationRule{
			{ID: "rule1", Status: "Enabled", Priority: &prio, DeleteMarkerReplication: &StatusElement{Status: "Disabled"},
				Filter:                    &ReplicationFilter{And: &ReplicationAnd{Prefix: &pfx, Tags: []Tag{{Key: "key1", Value: "value1"}}}},
				ExistingObjectReplication: &StatusElement{Status: "Enabled"},
				Destination:               ReplicationDestination{Bucket: "arn:cairn:s3::paris:tax-copy", StorageClass: "STANDARD_IA"}},
			{ID: "v1", Status: "Disabled", Prefix: &legacy, Destination: ReplicationDestination{Bucket: "arn:aws:s3:::docs"}},
		}},
	}
}

// A request in S3's documented shape decodes element for element,
// including the parts cairn only reads to refuse or ignore.
func TestReplicationConfigurationDecodes(t *testing.T) {
	body := `<ReplicationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Role>arn:aws:iam::35667example:role/CrossRegionReplicationRoleForS3</Role>
  <Rule>
    <ID>rule1</ID><Status>Enabled</Status><Priority>1</Priority>
    <DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication>
    <Filter><And><Prefix>TaxDocs</Prefix><Tag><Key>key1</Key><Value>value1</Value></Tag><Tag><Key>key2</Key><Value>value2</Value></Tag></And></Filter>
    <Destination><Bucket>arn:aws:s3:::exampletargetbucket</Bucket><EncryptionConfiguration><ReplicaKmsKeyID>k</ReplicaKmsKeyID></EncryptionConfiguration></Destination>
  </Rule>
  <Rule><Status>Enabled</Status><Prefix></Prefix><Destination><Bucket>arn:aws:s3:::b</Bucket></Destination>
    <SourceSelectionCriteria><ReplicaModifications><Status>Enabled</Status></ReplicaModifications></SourceSelectionCriteria></Rule>
</ReplicationConfiguration>`
	var c ReplicationConfiguration
	if err := xml.Unmarshal([]byte(body), &c); err != nil {
		t.Fatal(err)
	}
	r := c.Rules[0]
	if len(c.Rules) != 2 || r.ID != "rule1" || *r.Priority != 1 || r.DeleteMarkerReplication.Status != "Disabled" ||
		*r.Filter.And.Prefix != "TaxDocs" || len(r.Filter.And.Tags) != 2 || r.Destination.EncryptionConfiguration == nil {
		t.Fatalf("rule 1: %+v", r)
	}
	v1 := c.Rules[1]
	if v1.Prefix == nil || *v1.Prefix != "" || v1.Filter != nil || v1.SourceSelectionCriteria.ReplicaModifications.Status != "Enabled" {
		t.Fatalf("rule 2: %+v", v1)
	}
}
