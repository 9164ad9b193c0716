package policy

import "strings"

// actionKind is the resource type an S3 action applies to, as the Service
// Authorization Reference lists it. A bucket policy statement naming an
// object action must name an object resource (arn:aws:s3:::bucket/...), a
// bucket action a bucket resource, or S3 refuses it with "Action does not
// apply to any resource(s) in statement".
type actionKind uint8

const (
	kindOther  actionKind = iota // account, access point, job, Storage Lens...: not checked
	kindBucket                   // arn:aws:s3:::bucket
	kindObject                   // arn:aws:s3:::bucket/key
)

// s3Actions lists the actions of the s3 service prefix (the Service
// Authorization Reference's "Actions defined by Amazon S3"). Names are
// matched case-insensitively. A read-only table.
var s3Actions = [...]struct {
	name string
	kind actionKind
}{
	// Objects.
	{"AbortMultipartUpload", kindObject},
	{"BypassGovernanceRetention", kindObject},
	{"DeleteObject", kindObject},
	{"DeleteObjectTagging", kindObject},
	{"DeleteObjectVersion", kindObject},
	{"DeleteObjectVersionTagging", kindObject},
	{"GetObject", kindObject},
	{"GetObjectAcl", kindObject},
	{"GetObjectAttributes", kindObject},
	{"GetObjectLegalHold", kindObject},
	{"GetObjectRetention", kindObject},
	{"GetObjectTagging", kindObject},
	{"GetObjectTorrent", kindObject},
	{"GetObjectVersion", kindObject},
	{"GetObjectVersionAcl", kindObject},
	{"GetObjectVersionAttributes", kindObject},
	{"GetObjectVersionForReplication", kindObject},
	{"GetObjectVersionTagging", kindObject},
	{"GetObjectVersionTorrent", kindObject},
	{"InitiateReplication", kindObject},
	{"ListMultipartUploadParts", kindObject},
	{"ObjectOwnerOverrideToBucketOwner", kindObject},
	{"PutObject", kindObject},
	{"PutObjectAcl", kindObject},
	{"PutObjectLegalHold", kindObject},
	{"PutObjectRetention", kindObject},
	{"PutObjectTagging", kindObject},
	{"PutObjectVersionAcl", kindObject},
	{"PutObjectVersionTagging", kindObject},
	{"ReplicateDelete", kindObject},
	{"ReplicateObject", kindObject},
	{"ReplicateTags", kindObject},
	{"RestoreObject", kindObject},

	// Buckets.
	{"CreateBucket", kindBucket},
	{"CreateBucketMetadataTableConfiguration", kindBucket},
	{"DeleteBucket", kindBucket},
	{"DeleteBucketMetadataTableConfiguration", kindBucket},
	{"DeleteBucketOwnershipControls", kindBucket},
	{"DeleteBucketPolicy", kindBucket},
	{"DeleteBucketWebsite", kindBucket},
	{"GetAccelerateConfiguration", kindBucket},
	{"GetAnalyticsConfiguration", kindBucket},
	{"GetBucketAcl", kindBucket},
	{"GetBucketCORS", kindBucket},
	{"GetBucketLocation", kindBucket},
	{"GetBucketLogging", kindBucket},
	{"GetBucketMetadataTableConfiguration", kindBucket},
	{"GetBucketNotification", kindBucket},
	{"GetBucketObjectLockConfiguration", kindBucket},
	{"GetBucketOwnershipControls", kindBucket},
	{"GetBucketPolicy", kindBucket},
	{"GetBucketPolicyStatus", kindBucket},
	{"GetBucketPublicAccessBlock", kindBucket},
	{"GetBucketRequestPayment", kindBucket},
	{"GetBucketTagging", kindBucket},
	{"GetBucketVersioning", kindBucket},
	{"GetBucketWebsite", kindBucket},
	{"GetEncryptionConfiguration", kindBucket},
	{"GetIntelligentTieringConfiguration", kindBucket},
	{"GetInventoryConfiguration", kindBucket},
	{"GetLifecycleConfiguration", kindBucket},
	{"GetMetricsConfiguration", kindBucket},
	{"GetReplicationConfiguration", kindBucket},
	{"ListBucket", kindBucket},
	{"ListBucketMultipartUploads", kindBucket},
	{"ListBucketVersions", kindBucket},
	{"PutAccelerateConfiguration", kindBucket},
	{"PutAnalyticsConfiguration", kindBucket},
	{"PutBucketAcl", kindBucket},
	{"PutBucketCORS", kindBucket},
	{"PutBucketLogging", kindBucket},
	{"PutBucketNotification", kindBucket},
	{"PutBucketObjectLockConfiguration", kindBucket},
	{"PutBucketOwnershipControls", kindBucket},
	{"PutBucketPolicy", kindBucket},
	{"PutBucketPublicAccessBlock", kindBucket},
	{"PutBucketRequestPayment", kindBucket},
	{"PutBucketTagging", kindBucket},
	{"PutBucketVersioning", kindBucket},
	{"PutBucketWebsite", kindBucket},
	{"PutEncryptionConfiguration", kindBucket},
	{"PutIntelligentTieringConfiguration", kindBucket},
	{"PutInventoryConfiguration", kindBucket},
	{"PutLifecycleConfiguration", kindBucket},
	{"PutMetricsConfiguration", kindBucket},
	{"PutReplicationConfiguration", kindBucket},
	{"UpdateBucketMetadataInventoryTableConfiguration", kindBucket},
	{"UpdateBucketMetadataJournalTableConfiguration", kindBucket},

	// Account, access points, batch jobs, Multi-Region Access Points,
	// Storage Lens, Access Grants. Valid names, though no bucket policy
	// resource can be theirs.
	{"AssociateAccessGrantsIdentityCenter", kindOther},
	{"CreateAccessGrant", kindOther},
	{"CreateAccessGrantsInstance", kindOther},
	{"CreateAccessGrantsLocation", kindOther},
	{"CreateAccessPoint", kindOther},
	{"CreateAccessPointForObjectLambda", kindOther},
	{"CreateJob", kindOther},
	{"CreateMultiRegionAccessPoint", kindOther},
	{"CreateStorageLensGroup", kindOther},
	{"DeleteAccessGrant", kindOther},
	{"DeleteAccessGrantsInstance", kindOther},
	{"DeleteAccessGrantsInstanceResourcePolicy", kindOther},
	{"DeleteAccessGrantsLocation", kindOther},
	{"DeleteAccessPoint", kindOther},
	{"DeleteAccessPointForObjectLambda", kindOther},
	{"DeleteAccessPointPolicy", kindOther},
	{"DeleteAccessPointPolicyForObjectLambda", kindOther},
	{"DeleteJobTagging", kindOther},
	{"DeleteMultiRegionAccessPoint", kindOther},
	{"DeleteStorageLensConfiguration", kindOther},
	{"DeleteStorageLensConfigurationTagging", kindOther},
	{"DeleteStorageLensGroup", kindOther},
	{"DescribeJob", kindOther},
	{"DescribeMultiRegionAccessPointOperation", kindOther},
	{"DissociateAccessGrantsIdentityCenter", kindOther},
	{"GetAccessGrant", kindOther},
	{"GetAccessGrantsInstance", kindOther},
	{"GetAccessGrantsInstanceForPrefix", kindOther},
	{"GetAccessGrantsInstanceResourcePolicy", kindOther},
	{"GetAccessGrantsLocation", kindOther},
	{"GetAccessPoint", kindOther},
	{"GetAccessPointConfigurationForObjectLambda", kindOther},
	{"GetAccessPointForObjectLambda", kindOther},
	{"GetAccessPointPolicy", kindOther},
	{"GetAccessPointPolicyForObjectLambda", kindOther},
	{"GetAccessPointPolicyStatus", kindOther},
	{"GetAccessPointPolicyStatusForObjectLambda", kindOther},
	{"GetAccountPublicAccessBlock", kindOther},
	{"GetDataAccess", kindOther},
	{"GetJobTagging", kindOther},
	{"GetMultiRegionAccessPoint", kindOther},
	{"GetMultiRegionAccessPointPolicy", kindOther},
	{"GetMultiRegionAccessPointPolicyStatus", kindOther},
	{"GetMultiRegionAccessPointRoutes", kindOther},
	{"GetStorageLensConfiguration", kindOther},
	{"GetStorageLensConfigurationTagging", kindOther},
	{"GetStorageLensDashboard", kindOther},
	{"GetStorageLensGroup", kindOther},
	{"ListAccessGrants", kindOther},
	{"ListAccessGrantsInstances", kindOther},
	{"ListAccessGrantsLocations", kindOther},
	{"ListAccessPoints", kindOther},
	{"ListAccessPointsForObjectLambda", kindOther},
	{"ListAllMyBuckets", kindOther},
	{"ListCallerAccessGrants", kindOther},
	{"ListJobs", kindOther},
	{"ListMultiRegionAccessPoints", kindOther},
	{"ListStorageLensConfigurations", kindOther},
	{"ListStorageLensGroups", kindOther},
	{"ListTagsForResource", kindOther},
	{"PutAccessGrantsInstanceResourcePolicy", kindOther},
	{"PutAccessPointConfigurationForObjectLambda", kindOther},
	{"PutAccessPointPolicy", kindOther},
	{"PutAccessPointPolicyForObjectLambda", kindOther},
	{"PutAccessPointPublicAccessBlock", kindOther},
	{"PutAccountPublicAccessBlock", kindOther},
	{"PutJobTagging", kindOther},
	{"PutMultiRegionAccessPointPolicy", kindOther},
	{"PutStorageLensConfiguration", kindOther},
	{"PutStorageLensConfigurationTagging", kindOther},
	{"SubmitMultiRegionAccessPointRoutes", kindOther},
	{"TagResource", kindOther},
	{"UntagResource", kindOther},
	{"UpdateAccessGrantsLocation", kindOther},
	{"UpdateJobPriority", kindOther},
	{"UpdateJobStatus", kindOther},
	{"UpdateStorageLensGroup", kindOther},
}

// Actions returns every S3 action name the package knows, with its "s3:"
// prefix, in the spelling of the Service Authorization Reference.
func Actions() []string {
	out := make([]string, len(s3Actions))
	for i, a := range s3Actions {
		out[i] = "s3:" + a.name
	}
	return out
}

// IsKnownAction reports whether name ("s3:GetObject", any case) is an S3
// action.
func IsKnownAction(name string) bool {
	_, ok := lookupAction(strings.ToLower(name))
	return ok
}

// lookupAction finds a lower-cased "s3:name".
func lookupAction(lname string) (actionKind, bool) {
	rest, ok := strings.CutPrefix(lname, "s3:")
	if !ok {
		return 0, false
	}
	for _, a := range s3Actions {
		if len(a.name) == len(rest) && strings.EqualFold(a.name, rest) {
			return a.kind, true
		}
	}
	return 0, false
}

// actionSet is a statement's Action or NotAction.
type actionSet struct {
	text strList  // as written
	pats []string // lower-cased, escaped glob patterns
	// kinds holds the kind of each pattern that names one action exactly;
	// wildcards are not checked against resources.
	kinds []actionKind
	exact []bool
}

// parseActions validates Action values: "*", or "s3:" followed by an action
// name or a pattern ('*', '?') matching at least one.
func parseActions(text strList) (actionSet, error) {
	if len(text.vals) == 0 {
		return actionSet{}, malformed(ReasonInvalidAction)
	}
	set := actionSet{text: text}
	checked := map[string]bool{} // wildcard patterns known to match an action
	for _, v := range text.vals {
		lv := strings.ToLower(v)
		if lv == "*" {
			set.pats = append(set.pats, "*")
			set.kinds = append(set.kinds, kindOther)
			set.exact = append(set.exact, false)
			continue
		}
		if !strings.HasPrefix(lv, "s3:") || len(lv) == len("s3:") {
			return actionSet{}, malformed(ReasonInvalidAction)
		}
		pat := globFromText(lv)
		if !hasWildcard(lv) {
			kind, ok := lookupAction(lv)
			if !ok {
				return actionSet{}, malformed(ReasonInvalidAction)
			}
			set.pats = append(set.pats, pat)
			set.kinds = append(set.kinds, kind)
			set.exact = append(set.exact, true)
			continue
		}
		if !checked[pat] && !matchesSomeAction(pat) {
			return actionSet{}, malformed(ReasonInvalidAction)
		}
		checked[pat] = true
		set.pats = append(set.pats, pat)
		set.kinds = append(set.kinds, kindOther)
		set.exact = append(set.exact, false)
	}
	return set, nil
}

// matchesSomeAction reports whether a lower-cased "s3:" pattern matches a
// known action.
func matchesSomeAction(pat string) bool {
	for _, a := range s3Actions {
		if globMatchFold(pat[len("s3:"):], a.name, true) {
			return true
		}
	}
	return false
}

// match reports whether the action (any case) matches one pattern.
func (s *actionSet) match(action string) bool {
	for _, p := range s.pats {
		if globMatchFold(p, action, true) {
			return true
		}
	}
	return false
}
