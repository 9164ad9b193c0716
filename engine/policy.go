package engine

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/cairnstore/cairn/engine/authz"
	"github.com/cairnstore/cairn/engine/authz/policy"
	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/projections/catalog"
)

// Account is the AWS account id every cairn user belongs to as far as
// bucket policies go: name users as arn:aws:iam::000000000000:user/NAME.
// cairn has no identity policies, so a grant to the account itself (which
// AWS delegates to the users' identity policies) grants users nothing.
const Account = "000000000000"

// policyCache keeps parsed policies by bucket incarnation and document.
type policyCache struct {
	mu sync.Mutex
	m  map[string]cachedPolicy
}

type cachedPolicy struct {
	doc string
	p   *policy.Policy
}

// policy returns the parsed policy of a bucket (nil if it does not parse:
// a stored policy was validated when it was set).
func (e *Engine) policy(b catalog.Bucket) authz.Policy {
	e.policies.mu.Lock()
	defer e.policies.mu.Unlock()
	if c, ok := e.policies.m[b.ID]; ok && c.doc == b.Policy {
		return policyAdapter{c.p, e.o.Now}
	}
	p, err := policy.Parse([]byte(b.Policy), b.Name)
	if err != nil {
		e.o.Logger.Error("stored bucket policy does not parse; ignoring it", "bucket", b.Name, "err", err)
		return nil
	}
	if e.policies.m == nil {
		e.policies.m = map[string]cachedPolicy{}
	}
	e.policies.m[b.ID] = cachedPolicy{doc: b.Policy, p: p}
	return policyAdapter{p, e.o.Now}
}

// policyAdapter evaluates a parsed policy for authz.
type policyAdapter struct {
	p   *policy.Policy
	now func() time.Time
}

func (a policyAdapter) Evaluate(action, resource string, s authz.Subject, ctx map[string][]string) authz.Decision {
	res := a.p.Explain(policy.Request{Action: action, Resource: resource, Principal: policyPrincipal(s), Context: ctx, Time: a.now()})
	switch {
	case res.Decision == policy.Deny:
		return authz.Deny
	case res.Decision == policy.Allow && (!res.Delegated || s.Root):
		return authz.Allow
	}
	return authz.NotApplicable
}

func (a policyAdapter) IsPublic() bool { return a.p.IsPublic() }

func policyPrincipal(s authz.Subject) policy.Principal {
	if s.Anonymous {
		return policy.Principal{Anonymous: true}
	}
	return policy.Principal{Account: Account, UserARN: "arn:aws:iam::" + Account + ":user/" + s.User, UserName: s.User,
		UserID: s.CanonicalID, CanonicalID: s.CanonicalID, IsRoot: s.Root}
}

// BucketPolicy returns a bucket's policy document ("" if none).
func (e *Engine) BucketPolicy(ctx context.Context, bucket string) (string, error) {
	b, err := e.bucketRecord(ctx, bucket)
	return b.Policy, err
}

// PutBucketPolicy validates and sets a bucket's policy: the document must
// parse, name only existing users, and not be public while
// BlockPublicPolicy is on. An empty document deletes the policy.
func (e *Engine) PutBucketPolicy(ctx context.Context, bucket, actor string, doc io.Reader) error {
	b, err := e.bucketRecord(ctx, bucket)
	if err != nil {
		return err
	}
	raw, err := io.ReadAll(io.LimitReader(doc, policy.MaxSize*4))
	if err != nil {
		return err
	}
	if len(raw) > 0 {
		p, err := policy.Parse(raw, bucket)
		if err != nil {
			return err
		}
		if err := e.checkPrincipals(p); err != nil {
			return err
		}
		if b.PublicAccess != nil && b.PublicAccess.BlockPublicPolicy && p.IsPublic() {
			return ErrAccessDenied
		}
	}
	return e.bucketConfigEvent(ctx, b, actor, &event.BucketPolicySet{Policy: string(raw)})
}

// checkPrincipals refuses principals that name no user, as AWS refuses
// unknown ones.
func (e *Engine) checkPrincipals(p *policy.Policy) error {
	bad := &policy.MalformedPolicyError{Reason: "Invalid principal in policy"}
	for _, pr := range p.Principals() {
		switch {
		case pr == "*" || pr == Account || pr == "arn:aws:iam::"+Account+":root" || pr == RootCanonicalID:
		case strings.HasPrefix(pr, "arn:aws:iam::"+Account+":user/"):
			name := pr[strings.LastIndex(pr, "/")+1:]
			if _, ok := e.o.Catalog.User(name); !ok && name != RootUser {
				return bad
			}
		case len(pr) == 64:
			if !e.knownCanonicalID(pr) {
				return bad
			}
		default:
			return fmt.Errorf("%w (%s)", bad, pr)
		}
	}
	return nil
}

func (e *Engine) knownCanonicalID(id string) bool {
	for _, u := range e.o.Catalog.Users() {
		if u.CanonicalID == id {
			return true
		}
	}
	return false
}

// BucketPolicyStatus reports whether a bucket's policy makes it public
// (S3's GetBucketPolicyStatus; false without a policy).
func (e *Engine) BucketPolicyStatus(ctx context.Context, bucket string) (bool, error) {
	b, err := e.bucketRecord(ctx, bucket)
	if err != nil || b.Policy == "" {
		return false, err
	}
	p := e.policy(b)
	return p != nil && p.IsPublic(), nil
}
