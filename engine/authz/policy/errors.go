package policy

import "errors"

// Sentinels. Every error Parse returns is a *MalformedPolicyError and
// matches ErrMalformedPolicy; the size error also matches ErrPolicyTooLarge.
var (
	ErrMalformedPolicy = errors.New("policy: malformed policy")
	ErrPolicyTooLarge  = errors.New("policy: policy larger than 20 KB")
)

// MalformedPolicyError is S3's MalformedPolicy (HTTP 400). Reason is the
// message S3 puts in the error body, worded as AWS words it where the
// wording is known (see the Reason* constants).
type MalformedPolicyError struct {
	Reason string
	// TooLarge marks the size limit, so a caller may answer it with a code
	// of its own (MinIO-derived servers say PolicyTooLarge; AWS documents
	// no such code).
	TooLarge bool
}

func (e *MalformedPolicyError) Error() string { return "policy: " + e.Reason }

// Is makes errors.Is(err, ErrMalformedPolicy) hold for every
// MalformedPolicyError, and errors.Is(err, ErrPolicyTooLarge) for the size
// error.
func (e *MalformedPolicyError) Is(target error) bool {
	return target == ErrMalformedPolicy || (e.TooLarge && target == ErrPolicyTooLarge)
}

func malformed(reason string) error { return &MalformedPolicyError{Reason: reason} }

// Reasons. The ones marked "AWS" are S3's own messages as reported by
// implementations that test against S3 (versitygw's PutBucketPolicy suite)
// or by S3 users; the others are ours, for cases whose AWS wording is not
// published.
const (
	ReasonFirstByte           = "Policies must be valid JSON and the first byte must be '{'" // AWS
	ReasonInvalidJSON         = "This policy contains invalid Json"                          // AWS
	ReasonTooLarge            = "Policies must be less than 20 KB"                           // ours
	ReasonInvalidVersion      = "The policy must contain a valid version string"             // AWS
	ReasonMissingStatement    = "Missing required field Statement"                           // AWS
	ReasonEmptyStatement      = "Could not parse the policy: Statement is empty!"            // AWS
	ReasonMissingEffect       = "Missing required field Effect"                              // AWS form
	ReasonMissingPrincipal    = "Missing required field Principal"                           // AWS
	ReasonMissingAction       = "Missing required field Action"                              // AWS form
	ReasonMissingResource     = "Missing required field Resource"                            // AWS form
	ReasonDuplicateSid        = "Statement IDs (SID) in a single policy must be unique"      // AWS (IAM wording)
	ReasonInvalidPrincipal    = "Invalid principal in policy"                                // AWS
	ReasonInvalidAction       = "Policy has invalid action"                                  // AWS
	ReasonInvalidResource     = "Policy has invalid resource"                                // AWS
	ReasonActionResource      = "Action does not apply to any resource(s) in statement"      // AWS
	ReasonInvalidConditionKey = "Policy has an invalid condition key"                        // AWS
	ReasonInvalidIP           = "Invalid IP address in Conditions"                           // AWS
	ReasonInvalidNumber       = "Invalid numeric value in Conditions"                        // ours
	ReasonInvalidDate         = "Invalid date value in Conditions"                           // ours
	ReasonInvalidBool         = "Invalid boolean value in Conditions"                        // ours
	ReasonInvalidBinary       = "Invalid binary value in Conditions"                         // ours
	ReasonInvalidCondValue    = "Invalid value in Conditions"                                // ours
	ReasonBothPrincipals      = "Statement must not contain both Principal and NotPrincipal" // ours
	ReasonBothActions         = "Statement must not contain both Action and NotAction"       // ours
	ReasonBothResources       = "Statement must not contain both Resource and NotResource"   // ours
	reasonUnknownFieldPrefix  = "Unknown field "                                             // AWS form: "Unknown field Foo"
	reasonInvalidEffectPre    = "Invalid effect: "                                           // AWS: "Invalid effect: hello"
	reasonInvalidCondTypePre  = "Invalid Condition type : "                                  // AWS: "Invalid Condition type : StringEqualz"
)
