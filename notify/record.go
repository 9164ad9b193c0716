package notify

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/cairnstore/cairn/log/event"
)

// Document is one notification as delivered: S3's event message, a JSON
// object with one record (cairn sends one event per message, as S3 does).
//
//	{"Records":[{
//	  "eventVersion":"2.1", "eventSource":"aws:s3", "awsRegion":"us-east-1",
//	  "eventTime":"2026-11-21T19:00:00.123Z", "eventName":"ObjectCreated:Put",
//	  "userIdentity":{"principalId":"<access key>"},
//	  "requestParameters":{"sourceIPAddress":"192.0.2.7"},
//	  "responseElements":{"x-amz-request-id":"4442587FB7D0A2F9","x-amz-id-2":"<event id>"},
//	  "s3":{"s3SchemaVersion":"1.0","configurationId":"<rule id>",
//	        "bucket":{"name":"photos","ownerIdentity":{"principalId":"<owner>"},"arn":"arn:aws:s3:::photos"},
//	        "object":{"key":"2026/beach+01.jpg","size":5,"eTag":"5d41...","sequencer":"00000000000000A3"}},
//	  "cairn":{"seq":163,"eventId":"<32 hex>"}}]}
//
// Field by field, where cairn differs from or adds to S3:
//   - principalId is the access key that made the request; the bucket's
//     ownerIdentity is the owner's canonical user id (the Owner ID that
//     ListBuckets and ACLs show).
//   - x-amz-id-2 carries cairn's event id (S3 puts an opaque host id there).
//   - object.key is URL-encoded as S3 does: form encoding, so a space is
//     "+", and "/" is kept.
//   - object.size and eTag are present for ObjectCreated events, and for
//     Replication:OperationFailedReplication, which also carries S3's
//     replicationEventData (rule id, destination ARN, operation, time and
//     the destination's error code as failureReason).
//   - object.sequencer is the event's stream sequence in 16 upper-case hex
//     digits: it grows with every event on a key (and across keys), so a
//     receiver keeps, per key, the event with the greatest sequencer.
//   - cairn.seq is the same sequence as a number: at-least-once delivery
//     may repeat a message, and (seq, configurationId) names it exactly.
//     The live subscribe API resumes from it.
type Document struct {
	Records []Record `json:"Records"`
}

// TestEvent is the message S3 sends a destination when a notification
// configuration naming it is set (cairn: once per configuration event,
// HostId carrying the event id):
//
//	{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-21T19:00:00.123Z",
//	 "Bucket":"photos","RequestId":"4442587FB7D0A2F9","HostId":"<event id>"}
type TestEvent struct {
	Service   string `json:"Service"`
	Event     string `json:"Event"`
	Time      string `json:"Time"`
	Bucket    string `json:"Bucket"`
	RequestID string `json:"RequestId"`
	HostID    string `json:"HostId"`
}

// Record is one event of a Document.
type Record struct {
	EventVersion      string            `json:"eventVersion"`
	EventSource       string            `json:"eventSource"`
	AWSRegion         string            `json:"awsRegion"`
	EventTime         string            `json:"eventTime"`
	EventName         string            `json:"eventName"`
	UserIdentity      Identity          `json:"userIdentity"`
	RequestParameters RequestParameters `json:"requestParameters"`
	ResponseElements  ResponseElements  `json:"responseElements"`
	S3                S3Entity          `json:"s3"`
	// ReplicationEventData is set on replication events only.
	ReplicationEventData *ReplicationData `json:"replicationEventData,omitempty"`
	Cairn                CairnEntity      `json:"cairn"`
}

// ReplicationData says which replication of the object the event is
// about, as in S3's replication events. DestinationBucket is the rule's
// destination ARN; FailureReason is the destination's error code.
type ReplicationData struct {
	RuleID            string `json:"replicationRuleId"`
	DestinationBucket string `json:"destinationBucket"`
	S3Operation       string `json:"s3Operation"`
	RequestTime       string `json:"requestTime"`
	FailureReason     string `json:"failureReason,omitempty"`
}

// Identity names a principal.
type Identity struct {
	PrincipalID string `json:"principalId"`
}

// RequestParameters describe the request that caused the event.
type RequestParameters struct {
	SourceIPAddress string `json:"sourceIPAddress"`
}

// ResponseElements identify the request's response.
type ResponseElements struct {
	RequestID string `json:"x-amz-request-id"`
	ID2       string `json:"x-amz-id-2"`
}

// S3Entity says which configuration fired, on which object.
type S3Entity struct {
	SchemaVersion   string       `json:"s3SchemaVersion"`
	ConfigurationID string       `json:"configurationId"`
	Bucket          BucketEntity `json:"bucket"`
	Object          ObjectEntity `json:"object"`
}

// BucketEntity is the event's bucket.
type BucketEntity struct {
	Name          string   `json:"name"`
	OwnerIdentity Identity `json:"ownerIdentity"`
	ARN           string   `json:"arn"`
}

// ObjectEntity is the event's object.
type ObjectEntity struct {
	Key       string `json:"key"`
	Size      *int64 `json:"size,omitempty"`
	ETag      string `json:"eTag,omitempty"`
	VersionID string `json:"versionId,omitempty"`
	Sequencer string `json:"sequencer"`
}

// CairnEntity is cairn's addition: where the event is in the log.
type CairnEntity struct {
	Seq     uint64 `json:"seq"`
	EventID string `json:"eventId"`
}

// recordTime is S3's eventTime layout.
const recordTime = "2006-01-02T15:04:05.000Z"

// NewRecord builds the record of ev (at stream sequence ev.Seq) for the
// configuration configID, with S3 event name name (see EventName) and the
// bucket's owner.
func NewRecord(ev *event.Event, name, configID, owner, region string) Record {
	r := Record{
		EventVersion: "2.1", EventSource: "aws:s3", AWSRegion: region,
		EventTime: ev.Time.UTC().Format(recordTime), EventName: name,
		UserIdentity:      Identity{PrincipalID: ev.Actor},
		RequestParameters: RequestParameters{SourceIPAddress: ev.SourceIP},
		ResponseElements:  ResponseElements{RequestID: ev.RequestID, ID2: ev.ID},
		S3: S3Entity{SchemaVersion: "1.0", ConfigurationID: configID,
			Bucket: BucketEntity{Name: ev.Bucket, OwnerIdentity: Identity{PrincipalID: owner}, ARN: "arn:aws:s3:::" + ev.Bucket},
			Object: ObjectEntity{Key: EncodeKey(ev.Key), VersionID: ev.VersionID, Sequencer: Sequencer(ev.Seq)}},
		Cairn: CairnEntity{Seq: ev.Seq, EventID: ev.ID},
	}
	if p, ok := ev.Payload.(*event.ObjectPut); ok {
		size := p.Size
		r.S3.Object.Size, r.S3.Object.ETag = &size, p.ETag
	}
	return r
}

// Encode returns the JSON of a document holding r.
func Encode(r Record) ([]byte, error) {
	return json.Marshal(Document{Records: []Record{r}})
}

// Sequencer is the record sequencer of stream sequence seq.
func Sequencer(seq uint64) string { return fmt.Sprintf("%016X", seq) }

// EncodeKey URL-encodes a key as S3 does in records: form encoding (space
// as "+"), with "/" left as is.
func EncodeKey(key string) string {
	return strings.ReplaceAll(url.QueryEscape(key), "%2F", "/")
}

// MessageID is the stable id of the notification of the event at seq for
// configuration configID.
func MessageID(seq uint64, configID string) string {
	return fmt.Sprintf("%d:%s", seq, configID)
}
