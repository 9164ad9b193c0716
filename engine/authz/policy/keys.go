package policy

import "strings"

// Condition keys S3 accepts in a bucket policy: the AWS global keys and the
// s3 service keys, lower-cased (key names are case-insensitive). A key
// outside these is "Policy has an invalid condition key". Evaluation does
// not depend on this list: any key the caller puts in Request.Context is
// compared. A read-only table.
var conditionKeys = [...]string{
	// Global keys.
	"aws:assumedroot", "aws:calledvia", "aws:calledviafirst", "aws:calledvialast",
	"aws:currenttime", "aws:ec2instancesourceprivateipv4", "aws:ec2instancesourcevpc",
	"aws:epochtime", "aws:federatedprovider", "aws:multifactorauthage",
	"aws:multifactorauthpresent", "aws:principalaccount", "aws:principalarn",
	"aws:principalisawsservice", "aws:principalorgid", "aws:principalorgpaths",
	"aws:principalservicename", "aws:principalservicenameslist", "aws:principaltype",
	"aws:referer", "aws:requestedregion", "aws:resourceaccount", "aws:resourceorgid",
	"aws:resourceorgpaths", "aws:securetransport", "aws:sourceaccount", "aws:sourcearn",
	"aws:sourceidentity", "aws:sourceip", "aws:sourceorgid", "aws:sourceorgpaths",
	"aws:sourceowner", "aws:sourcevpc", "aws:sourcevpcarn", "aws:sourcevpce",
	"aws:tagkeys", "aws:tokenissuetime", "aws:useragent", "aws:userid", "aws:username",
	"aws:viaawsservice", "aws:vpceaccount", "aws:vpceorgid", "aws:vpceorgpaths",
	"aws:vpcsourceip",

	// S3 keys.
	"s3:accessgrantsinstancearn", "s3:accesspointnetworkorigin", "s3:authtype",
	"s3:dataaccesspointaccount", "s3:dataaccesspointarn", "s3:delimiter",
	"s3:existingjoboperation", "s3:existingjobpriority", "s3:if-match", "s3:if-none-match",
	"s3:jobsuspendedcause", "s3:locationconstraint", "s3:max-keys",
	"s3:object-lock-legal-hold", "s3:object-lock-mode",
	"s3:object-lock-remaining-retention-days", "s3:object-lock-retain-until-date",
	"s3:objectcreationoperation", "s3:prefix", "s3:requestjoboperation",
	"s3:requestjobpriority", "s3:requestobjecttagkeys", "s3:resourceaccount",
	"s3:signatureage", "s3:signatureversion", "s3:tlsversion", "s3:versionid",
	"s3:x-amz-acl", "s3:x-amz-content-sha256", "s3:x-amz-copy-source",
	"s3:x-amz-grant-full-control", "s3:x-amz-grant-read", "s3:x-amz-grant-read-acp",
	"s3:x-amz-grant-write", "s3:x-amz-grant-write-acp", "s3:x-amz-metadata-directive",
	"s3:x-amz-object-ownership", "s3:x-amz-server-side-encryption",
	"s3:x-amz-server-side-encryption-aws-kms-key-id",
	"s3:x-amz-server-side-encryption-customer-algorithm", "s3:x-amz-storage-class",
	"s3:x-amz-website-redirect-location",
}

// conditionKeyPrefixes are keys that take a tag key after the slash.
var conditionKeyPrefixes = [...]string{
	"aws:principaltag/", "aws:requesttag/", "aws:resourcetag/",
	"s3:buckettag/", "s3:existingobjecttag/", "s3:requestobjecttag/",
}

// isConditionKey reports whether the lower-cased key is one S3 accepts.
func isConditionKey(lkey string) bool {
	for _, k := range conditionKeys {
		if strings.EqualFold(k, lkey) {
			return true
		}
	}
	for _, p := range conditionKeyPrefixes {
		if len(lkey) > len(p) && strings.HasPrefix(lkey, p) {
			return true
		}
	}
	return false
}
