package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/httpapi/s3err"
)

// Replica writes. Another site's replication writes through the ordinary
// S3 operations (PUT, multipart upload, DELETE, PUT ?tagging, ?acl,
// ?retention, ?legal-hold) with the header X-Cairn-Replica: true. Such a
// request is routed as a Replicate* operation and authorized as S3
// authorizes a replication role at a destination: s3:ReplicateObject (PUT,
// multipart, ?acl, ?retention, ?legal-hold),
// s3:ReplicateDelete (DELETE: a delete marker) and s3:ReplicateTags
// (?tagging), which root has and a bucket policy can grant. It must be
// signed with Signature Version 4 in the Authorization header, and SigV4
// requires every X-Cairn-* header to be signed. The events it causes are
// marked as replicas, so this site's replication never sends them on. A
// replicated DELETE only ever makes a delete marker, and a version id is
// kept only in a bucket with versioning Enabled.
// Optional headers carry what the replica keeps of the source version:
//
//	X-Cairn-Replica-Version-Id: <id>       the source version's id
//	X-Cairn-Replica-Time: <RFC 3339>       the source version's time (Last-Modified)
//	X-Cairn-Replica-Acl: <base64 JSON>     the source version's ACL, {"owner":..,"grants":[..]}
//
// Without the first header a request is an ordinary one: nothing an
// ordinary client sends can forge a version id or a replica mark.
const (
	hdrReplica          = "X-Cairn-Replica"
	hdrReplicaVersionID = "X-Cairn-Replica-Version-Id"
	hdrReplicaTime      = "X-Cairn-Replica-Time"
	hdrReplicaACL       = "X-Cairn-Replica-Acl"
)

// replica runs hf as a replica write.
func (h *Handler) replica(hf handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, q *request) error {
		if q.auth == nil || q.sigV2 || q.auth.Presigned {
			return s3err.New(s3err.AccessDenied, "Replica writes must be signed with Signature Version 4 in the Authorization header.")
		}
		spec, err := replicaSpec(r)
		if err != nil {
			return err
		}
		return hf(w, r.WithContext(engine.WithReplica(r.Context(), spec)), q)
	}
}

// replicaSpec reads the replica headers.
func replicaSpec(r *http.Request) (engine.ReplicaSpec, error) {
	spec := engine.ReplicaSpec{VersionID: r.Header.Get(hdrReplicaVersionID)}
	if v := r.Header.Get(hdrReplicaTime); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return spec, s3err.New(s3err.InvalidArgument, hdrReplicaTime+" must be an RFC 3339 time.")
		}
		spec.Modified = t
	}
	if v := r.Header.Get(hdrReplicaACL); v != "" {
		b, err := base64.StdEncoding.DecodeString(v)
		var acl engine.ACL
		if err == nil {
			err = json.Unmarshal(b, &acl)
		}
		if err != nil || acl.Owner == "" {
			return spec, s3err.New(s3err.InvalidArgument, hdrReplicaACL+" must be base64 of a JSON ACL with an owner.")
		}
		spec.ACL = &acl
	}
	return spec, nil
}
