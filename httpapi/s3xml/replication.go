package s3xml

import "encoding/xml"

// ReplicationConfiguration is the body of Put and GetBucketReplication.
type ReplicationConfiguration struct {
	XMLName xml.Name          `xml:"ReplicationConfiguration"`
	NS      string            `xml:"xmlns,attr,omitempty"`
	Role    string            `xml:"Role"`
	Rules   []ReplicationRule `xml:"Rule"`
}

// ReplicationRule is one Rule. A rule of S3's first schema has a Prefix
// and no Filter, Priority nor DeleteMarkerReplication.
type ReplicationRule struct {
	ID                        string                   `xml:"ID,omitempty"`
	Status                    string                   `xml:"Status"`
	Priority                  *int                     `xml:"Priority,omitempty"`
	DeleteMarkerReplication   *StatusElement           `xml:"DeleteMarkerReplication,omitempty"`
	Filter                    *ReplicationFilter       `xml:"Filter,omitempty"`
	Prefix                    *string                  `xml:"Prefix,omitempty"`
	ExistingObjectReplication *StatusElement           `xml:"ExistingObjectReplication,omitempty"`
	SourceSelectionCriteria   *SourceSelectionCriteria `xml:"SourceSelectionCriteria,omitempty"`
	Destination               ReplicationDestination   `xml:"Destination"`
}

// StatusElement is an element holding only a Status (Enabled, Disabled).
type StatusElement struct {
	Status string `xml:"Status"`
}

// ReplicationFilter selects a rule's objects: exactly one of Prefix, Tag
// and And.
type ReplicationFilter struct {
	Prefix *string         `xml:"Prefix,omitempty"`
	Tag    *Tag            `xml:"Tag,omitempty"`
	And    *ReplicationAnd `xml:"And,omitempty"`
}

// ReplicationAnd is a prefix and tags that must all match.
type ReplicationAnd struct {
	Prefix *string `xml:"Prefix,omitempty"`
	Tags   []Tag   `xml:"Tag"`
}

// SourceSelectionCriteria is only read: cairn refuses SseKmsEncryptedObjects
// Enabled, and always replicates changes made to replicas.
type SourceSelectionCriteria struct {
	SseKmsEncryptedObjects *StatusElement `xml:"SseKmsEncryptedObjects,omitempty"`
	ReplicaModifications   *StatusElement `xml:"ReplicaModifications,omitempty"`
}

// ReplicationDestination names the destination bucket by ARN. The
// elements of S3 features cairn does not have are only read (and
// refused, or ignored where that changes nothing).
type ReplicationDestination struct {
	Bucket                   string    `xml:"Bucket"`
	Account                  string    `xml:"Account,omitempty"`
	StorageClass             string    `xml:"StorageClass,omitempty"`
	AccessControlTranslation *struct{} `xml:"AccessControlTranslation"`
	EncryptionConfiguration  *struct{} `xml:"EncryptionConfiguration"`
	ReplicationTime          *struct{} `xml:"ReplicationTime"`
	Metrics                  *struct{} `xml:"Metrics"`
}
