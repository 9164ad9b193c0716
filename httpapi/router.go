package httpapi

import (
	"net"
	"net/http"
	"slices"
	"strings"

	"github.com/cairnstore/cairn/httpapi/s3err"
	"github.com/gorilla/mux"
)

// level is what a request addresses.
type level int

const (
	levelService level = iota // no bucket
	levelBucket               // a bucket
	levelObject               // a key in a bucket
)

// target finds the bucket and key, virtual-host style when the Host is a
// subdomain of a configured domain, path style otherwise. Keys are taken
// from the decoded path verbatim: S3 keys may contain "//", "./" and a
// trailing "/", so the path is never cleaned.
func (h *Handler) target(r *http.Request) (bucket, key string, lv level, vhost bool) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	host := r.Host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		host = hh
	}
	host = strings.ToLower(host)
	for _, d := range h.o.Domains {
		if strings.HasSuffix(host, "."+d) {
			bucket = strings.TrimSuffix(host, "."+d)
			return bucket, path, levelFor(bucket, path), true
		}
	}
	bucket, key, _ = strings.Cut(path, "/")
	return bucket, key, levelFor(bucket, key), false
}

func levelFor(bucket, key string) level {
	switch {
	case bucket == "":
		return levelService
	case key == "":
		return levelBucket
	}
	return levelObject
}

// subresources are query parameters that select an S3 sub-resource or a
// different operation. A request carrying one that no route handles gets
// NotImplemented rather than being mistaken for a plain GET or PUT.
var subresources = []string{"accelerate", "acl", "analytics", "attributes", "cors", "delete", "encryption",
	"intelligent-tiering", "inventory", "legal-hold", "lifecycle", "location", "logging", "metrics", "metadataTable",
	"notification", "object-lock", "ownershipControls", "partNumber", "policy", "policyStatus", "publicAccessBlock",
	"replication", "requestPayment", "restore", "retention", "select", "session", "tagging", "torrent", "uploadId",
	"uploads", "versionId", "versioning", "versions", "website", "list-type", "events"}

// route is one line of the routing table.
type route struct {
	method string
	level  level
	query  []string // sub-resource and value ("" for any) pairs: all must be present
	op     string
	h      handlerFunc
	header string // a header the request must carry, if any
}

func (h *Handler) table() []route {
	return []route{
		// Another site's replica writes (see replica.go) come first: they
		// are the ordinary operations plus a header.
		{http.MethodPost, levelObject, []string{"uploads", ""}, "ReplicateCreateMultipartUpload", h.replica(h.createMultipartUpload), hdrReplica},
		{http.MethodPut, levelObject, []string{"partNumber", "", "uploadId", ""}, "ReplicateUploadPart", h.replica(h.uploadPart), hdrReplica},
		{http.MethodPost, levelObject, []string{"uploadId", ""}, "ReplicateCompleteMultipartUpload", h.replica(h.completeMultipartUpload), hdrReplica},
		{http.MethodDelete, levelObject, []string{"uploadId", ""}, "ReplicateAbortMultipartUpload", h.replica(h.abortMultipartUpload), hdrReplica},
		{http.MethodPut, levelObject, []string{"tagging", ""}, "ReplicateTags", h.replica(h.putObjectTagging), hdrReplica},
		{http.MethodPut, levelObject, []string{"acl", ""}, "ReplicateObjectAcl", h.replica(h.putObjectACL), hdrReplica},
		{http.MethodPut, levelObject, []string{"retention", ""}, "ReplicateObjectRetention", h.replica(h.putObjectRetention), hdrReplica},
		{http.MethodPut, levelObject, []string{"legal-hold", ""}, "ReplicateObjectLegalHold", h.replica(h.putObjectLegalHold), hdrReplica},
		{http.MethodPut, levelObject, nil, "ReplicateObject", h.replica(h.putObject), hdrReplica},
		{http.MethodDelete, levelObject, nil, "ReplicateDelete", h.replica(h.deleteObject), hdrReplica},

		{http.MethodGet, levelBucket, []string{"uploads", ""}, "ListMultipartUploads", h.listMultipartUploads, ""},
		{http.MethodGet, levelBucket, []string{"versions", ""}, "ListObjectVersions", h.listObjectVersions, ""},
		{http.MethodGet, levelBucket, []string{"versioning", ""}, "GetBucketVersioning", h.getBucketVersioning, ""},
		{http.MethodPut, levelBucket, []string{"versioning", ""}, "PutBucketVersioning", h.putBucketVersioning, ""},
		{http.MethodGet, levelBucket, []string{"object-lock", ""}, "GetObjectLockConfiguration", h.getObjectLockConfig, ""},
		{http.MethodPut, levelBucket, []string{"object-lock", ""}, "PutObjectLockConfiguration", h.putObjectLockConfig, ""},
		{http.MethodGet, levelObject, []string{"retention", ""}, "GetObjectRetention", h.getObjectRetention, ""},
		{http.MethodPut, levelObject, []string{"retention", ""}, "PutObjectRetention", h.putObjectRetention, ""},
		{http.MethodGet, levelObject, []string{"legal-hold", ""}, "GetObjectLegalHold", h.getObjectLegalHold, ""},
		{http.MethodPut, levelObject, []string{"legal-hold", ""}, "PutObjectLegalHold", h.putObjectLegalHold, ""},
		{http.MethodPost, levelObject, []string{"uploads", ""}, "CreateMultipartUpload", h.createMultipartUpload, ""},
		{http.MethodPut, levelObject, []string{"partNumber", "", "uploadId", ""}, "UploadPartCopy", h.uploadPart, "X-Amz-Copy-Source"},
		{http.MethodPut, levelObject, []string{"partNumber", "", "uploadId", ""}, "UploadPart", h.uploadPart, ""},
		{http.MethodPost, levelObject, []string{"uploadId", ""}, "CompleteMultipartUpload", h.completeMultipartUpload, ""},
		{http.MethodDelete, levelObject, []string{"uploadId", ""}, "AbortMultipartUpload", h.abortMultipartUpload, ""},
		{http.MethodGet, levelObject, []string{"uploadId", ""}, "ListParts", h.listParts, ""},
		{http.MethodGet, levelService, nil, "ListBuckets", h.listBuckets, ""},
		{http.MethodGet, levelBucket, []string{"location", ""}, "GetBucketLocation", h.getBucketLocation, ""},
		{http.MethodGet, levelBucket, []string{"list-type", "2"}, "ListObjectsV2", h.listObjectsV2, ""},
		{http.MethodGet, levelBucket, []string{"events", ""}, "ListenBucketNotification", h.listenBucket, ""},
		{http.MethodGet, levelBucket, nil, "ListObjects", h.listObjectsV1, ""},
		{http.MethodPost, levelBucket, []string{"delete", ""}, "DeleteObjects", h.deleteObjects, ""},
		{http.MethodPut, levelBucket, []string{"tagging", ""}, "PutBucketTagging", h.putBucketTagging, ""},
		{http.MethodGet, levelBucket, []string{"tagging", ""}, "GetBucketTagging", h.getBucketTagging, ""},
		{http.MethodDelete, levelBucket, []string{"tagging", ""}, "DeleteBucketTagging", h.deleteBucketTagging, ""},
		{http.MethodGet, levelBucket, []string{"policy", ""}, "GetBucketPolicy", h.getBucketPolicy, ""},
		{http.MethodPut, levelBucket, []string{"policy", ""}, "PutBucketPolicy", h.putBucketPolicy, ""},
		{http.MethodDelete, levelBucket, []string{"policy", ""}, "DeleteBucketPolicy", h.deleteBucketPolicy, ""},
		{http.MethodGet, levelBucket, []string{"policyStatus", ""}, "GetBucketPolicyStatus", h.getBucketPolicyStatus, ""},
		{http.MethodGet, levelBucket, []string{"acl", ""}, "GetBucketAcl", h.getBucketACL, ""},
		{http.MethodPut, levelBucket, []string{"acl", ""}, "PutBucketAcl", h.putBucketACL, ""},
		{http.MethodGet, levelObject, []string{"acl", ""}, "GetObjectAcl", h.getObjectACL, ""},
		{http.MethodPut, levelObject, []string{"acl", ""}, "PutObjectAcl", h.putObjectACL, ""},
		{http.MethodGet, levelBucket, []string{"ownershipControls", ""}, "GetBucketOwnershipControls", h.getOwnershipControls, ""},
		{http.MethodPut, levelBucket, []string{"ownershipControls", ""}, "PutBucketOwnershipControls", h.putOwnershipControls, ""},
		{http.MethodDelete, levelBucket, []string{"ownershipControls", ""}, "DeleteBucketOwnershipControls", h.deleteOwnershipControls, ""},
		{http.MethodGet, levelBucket, []string{"publicAccessBlock", ""}, "GetPublicAccessBlock", h.getPublicAccessBlock, ""},
		{http.MethodPut, levelBucket, []string{"publicAccessBlock", ""}, "PutPublicAccessBlock", h.putPublicAccessBlock, ""},
		{http.MethodDelete, levelBucket, []string{"publicAccessBlock", ""}, "DeletePublicAccessBlock", h.deletePublicAccessBlock, ""},
		{http.MethodPut, levelBucket, []string{"notification", ""}, "PutBucketNotificationConfiguration", h.putBucketNotification, ""},
		{http.MethodGet, levelBucket, []string{"notification", ""}, "GetBucketNotificationConfiguration", h.getBucketNotification, ""},
		{http.MethodPut, levelBucket, []string{"replication", ""}, "PutBucketReplication", h.putBucketReplication, ""},
		{http.MethodGet, levelBucket, []string{"replication", ""}, "GetBucketReplication", h.getBucketReplication, ""},
		{http.MethodDelete, levelBucket, []string{"replication", ""}, "DeleteBucketReplication", h.deleteBucketReplication, ""},
		{http.MethodPut, levelObject, []string{"tagging", ""}, "PutObjectTagging", h.putObjectTagging, ""},
		{http.MethodGet, levelObject, []string{"tagging", ""}, "GetObjectTagging", h.getObjectTagging, ""},
		{http.MethodDelete, levelObject, []string{"tagging", ""}, "DeleteObjectTagging", h.deleteObjectTagging, ""},
		{http.MethodPut, levelBucket, nil, "CreateBucket", h.createBucket, ""},
		{http.MethodHead, levelBucket, nil, "HeadBucket", h.headBucket, ""},
		{http.MethodDelete, levelBucket, nil, "DeleteBucket", h.deleteBucket, ""},
		{http.MethodPut, levelObject, nil, "CopyObject", h.copyObject, "X-Amz-Copy-Source"},
		{http.MethodPut, levelObject, nil, "PutObject", h.putObject, ""},
		{http.MethodGet, levelObject, []string{"attributes", ""}, "GetObjectAttributes", h.getObjectAttributes, ""},
		{http.MethodGet, levelObject, []string{"partNumber", ""}, "GetObject", h.getObject, ""},
		{http.MethodHead, levelObject, []string{"partNumber", ""}, "HeadObject", h.headObject, ""},
		{http.MethodGet, levelObject, nil, "GetObject", h.getObject, ""},
		{http.MethodHead, levelObject, nil, "HeadObject", h.headObject, ""},
		{http.MethodDelete, levelObject, nil, "DeleteObject", h.deleteObject, ""},
	}
}

// versionOps are the object operations that take ?versionId=, with the
// name (and so the IAM action) each has when it does.
var versionOps = map[string]string{
	"GetObject": "GetObjectVersion", "HeadObject": "HeadObjectVersion", "DeleteObject": "DeleteObjectVersion",
	"GetObjectTagging": "GetObjectVersionTagging", "PutObjectTagging": "PutObjectVersionTagging",
	"DeleteObjectTagging": "DeleteObjectVersionTagging", "GetObjectAcl": "GetObjectVersionAcl",
	"PutObjectAcl": "PutObjectVersionAcl", "GetObjectAttributes": "GetObjectVersionAttributes",
	"GetObjectRetention": "GetObjectRetention", "PutObjectRetention": "PutObjectRetention",
	"GetObjectLegalHold": "GetObjectLegalHold", "PutObjectLegalHold": "PutObjectLegalHold",
	"ReplicateTags": "ReplicateTags", "ReplicateObjectAcl": "ReplicateObjectAcl",
	"ReplicateObjectRetention": "ReplicateObjectRetention", "ReplicateObjectLegalHold": "ReplicateObjectLegalHold",
}

func (h *Handler) routes() *mux.Router {
	m := mux.NewRouter()
	m.SkipClean(true)
	if h.o.Peer != nil {
		m.MatcherFunc(func(r *http.Request, _ *mux.RouteMatch) bool { return isPeer(r) }).Handler(h.peer())
	}
	m.MatcherFunc(func(r *http.Request, _ *mux.RouteMatch) bool { return isAdmin(r) }).Handler(h.wrap("Admin", h.admin))
	// A browser POST upload authenticates through its form, so its handler
	// authenticates and authorizes once the form is read.
	m.Methods(http.MethodPost).MatcherFunc(atLevel(levelBucket)).MatcherFunc(noSubresourceBut("")).
		MatcherFunc(isForm).Handler(h.formHandler("PostObject", h.postObject))
	for _, rt := range h.table() {
		mr := m.Methods(rt.method).MatcherFunc(atLevel(rt.level))
		var names []string
		for i := 0; i+1 < len(rt.query); i += 2 {
			mr = mr.MatcherFunc(hasQuery(rt.query[i], rt.query[i+1]))
			names = append(names, rt.query[i])
		}
		if rt.header != "" {
			mr = mr.MatcherFunc(hasHeader(rt.header))
		}
		if _, ok := versionOps[rt.op]; ok {
			names = append(names, "versionId")
		}
		mr.MatcherFunc(noSubresourceBut(names...)).Handler(h.wrap(rt.op, rt.h))
	}
	m.NotFoundHandler = h.wrap("Unsupported", h.unsupported)
	m.MethodNotAllowedHandler = m.NotFoundHandler
	return m
}

func isForm(r *http.Request, _ *mux.RouteMatch) bool {
	return strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "multipart/form-data")
}

func hasHeader(name string) mux.MatcherFunc {
	return func(r *http.Request, _ *mux.RouteMatch) bool { return r.Header.Get(name) != "" }
}

func atLevel(lv level) mux.MatcherFunc {
	return func(r *http.Request, _ *mux.RouteMatch) bool { return reqOf(r).level == lv }
}

// hasQuery matches a present parameter; with a value, only that value.
func hasQuery(name, value string) mux.MatcherFunc {
	return func(r *http.Request, _ *mux.RouteMatch) bool {
		v, ok := r.URL.Query()[name]
		return ok && (value == "" || (len(v) > 0 && v[0] == value))
	}
}

// noSubresourceBut matches requests whose only sub-resources (if any) are
// the given ones.
func noSubresourceBut(allowed ...string) mux.MatcherFunc {
	return func(r *http.Request, _ *mux.RouteMatch) bool {
		q := r.URL.Query()
		for _, s := range subresources {
			if _, ok := q[s]; ok && !slices.Contains(allowed, s) {
				return false
			}
		}
		return true
	}
}

// unsupported answers requests no route takes: InvalidArgument when they
// name a version for an operation that takes none, NotImplemented when
// they name an S3 sub-resource or operation cairn does not have yet,
// MethodNotAllowed otherwise.
func (h *Handler) unsupported(w http.ResponseWriter, r *http.Request, q *request) error {
	query := r.URL.Query()
	if _, ok := query["versionId"]; ok {
		// Every operation that takes a version id is routed with it.
		return s3err.New(s3err.InvalidArgument, "This operation does not accept a version-id.")
	}
	for _, s := range subresources {
		if _, ok := query[s]; ok {
			return s3err.New(s3err.NotImplemented, "cairn does not implement the "+s+" sub-resource yet.")
		}
	}
	if r.Method == http.MethodPost && q.level != levelService {
		return s3err.New(s3err.NotImplemented, "")
	}
	return s3err.New(s3err.MethodNotAllowed, "")
}
