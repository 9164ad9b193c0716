package policy

import (
	"strconv"
	"strings"
	"time"
)

// Principal is who sent a request, as authentication established it. An
// IAM user has UserARN set; the account's root has IsRoot set; a signed
// request with neither is taken as the account itself.
type Principal struct {
	Anonymous   bool   // unsigned request; the other fields are empty
	Account     string // 12-digit account id
	UserARN     string // arn:aws:iam::<account>:user/<path/>name; empty for the root
	UserName    string // the IAM user's name (aws:username)
	UserID      string // aws:userid
	CanonicalID string // the account's canonical user ID (64 hex digits)
	IsRoot      bool   // the account's root credentials
}

// Request is one authorization question.
type Request struct {
	Action   string // "s3:GetObject" (any case)
	Resource string // ResourceARN(bucket, key)
	// Principal is the requester.
	Principal Principal
	// Context holds the condition keys of the request: key (any case; pass
	// lower case to spare a copy) → values. A missing key, or one with no
	// values, is absent. aws:SourceIp, aws:SecureTransport ("true" or
	// "false"), aws:Referer, aws:UserAgent, s3:prefix, s3:x-amz-acl and the
	// like come from the caller. aws:username, aws:userid, aws:PrincipalArn,
	// aws:PrincipalAccount and aws:PrincipalType are derived from Principal
	// when Context lacks them. A key the caller leaves out is absent: set
	// aws:SecureTransport on every request, or a Deny on
	// {"Bool": {"aws:SecureTransport": "false"}} never fires.
	Context map[string][]string
	// Time, when set, supplies aws:CurrentTime and aws:EpochTime if Context
	// does not.
	Time time.Time
}

// Decision is the outcome of evaluating one policy.
type Decision int

const (
	NotApplicable Decision = iota // no statement applies: the policy neither allows nor denies
	Allow                         // an Allow statement applies and no Deny does
	Deny                          // a Deny statement applies: nothing else can allow the request
)

func (d Decision) String() string {
	switch d {
	case Allow:
		return "Allow"
	case Deny:
		return "Deny"
	}
	return "NotApplicable"
}

// Result explains a Decision.
type Result struct {
	Decision Decision
	// Statement is the index of the deciding statement (-1 for
	// NotApplicable) and Sid its Sid.
	Statement int
	Sid       string
	// Delegated is set on Allow when every allowing statement named only
	// the requester's account (its ID, root ARN or canonical ID) while the
	// requester is an IAM user of it. AWS reads such a grant as delegation
	// to the account: the user also needs an identity policy that allows
	// the request.
	Delegated bool
}

// Evaluate decides the request against the policy: Deny if any applicable
// statement denies, else Allow if any allows, else NotApplicable. A
// statement applies when its principal, action and resource match and all
// its conditions hold.
func (p *Policy) Evaluate(r Request) Decision { return p.Explain(r).Decision }

// Explain is Evaluate with the deciding statement.
func (p *Policy) Explain(r Request) Result {
	e := env{r: &r, ctx: normalizeContext(r.Context)}
	res := Result{Decision: NotApplicable, Statement: -1}
	for i := range p.stmts {
		st := &p.stmts[i]
		match, direct := st.principalMatch(&r.Principal)
		if !match || !st.applies(&e) {
			continue
		}
		if st.deny {
			return Result{Decision: Deny, Statement: i, Sid: st.sid}
		}
		if res.Decision == NotApplicable || res.Delegated && direct {
			res = Result{Decision: Allow, Statement: i, Sid: st.sid, Delegated: !direct}
		}
	}
	return res
}

// applies checks action, resource and conditions; the principal is checked
// by the caller.
func (st *statement) applies(e *env) bool {
	if st.actions.match(e.r.Action) == st.notAction {
		return false
	}
	if st.resources.match(e, e.r.Resource) == st.notResource {
		return false
	}
	for i := range st.conds {
		if !st.conds[i].holds(e) {
			return false
		}
	}
	return true
}

// env is one evaluation's view of the request.
type env struct {
	r   *Request
	ctx map[string][]string // lower-cased keys
}

// normalizeContext returns c with lower-case keys, copying only when some
// key is not lower case already.
func normalizeContext(c map[string][]string) map[string][]string {
	for k := range c {
		if strings.ToLower(k) != k { // no allocation when k is lower case
			out := make(map[string][]string, len(c))
			for k, v := range c {
				lk := strings.ToLower(k)
				out[lk] = append(out[lk], v...)
			}
			return out
		}
	}
	return c
}

// lookup returns the values of a lower-cased key; ok is false when the key
// is absent or has no values.
func (e *env) lookup(lkey string) ([]string, bool) {
	if v, ok := e.ctx[lkey]; ok {
		return v, len(v) > 0
	}
	if v := e.derived(lkey); v != "" {
		return []string{v}, true
	}
	return nil, false
}

// derived supplies keys the principal and time determine, when the caller's
// Context lacks them: aws:username, aws:userid, aws:PrincipalArn,
// aws:PrincipalAccount, aws:PrincipalType, aws:CurrentTime, aws:EpochTime.
func (e *env) derived(lkey string) string {
	p := &e.r.Principal
	switch lkey {
	case "aws:username":
		if !p.Anonymous && !p.IsRoot {
			return p.UserName
		}
	case "aws:userid":
		if !p.Anonymous {
			return p.UserID
		}
	case "aws:principalarn":
		switch {
		case p.Anonymous:
		case p.IsRoot && p.Account != "":
			return "arn:aws:iam::" + p.Account + ":root"
		default:
			return p.UserARN
		}
	case "aws:principalaccount":
		if !p.Anonymous {
			return p.Account
		}
	case "aws:principaltype":
		switch {
		case p.Anonymous:
			return "Anonymous"
		case p.IsRoot:
			return "Account"
		case p.UserARN != "":
			return "User"
		}
	case "aws:currenttime":
		if !e.r.Time.IsZero() {
			return e.r.Time.UTC().Format(time.RFC3339)
		}
	case "aws:epochtime":
		if !e.r.Time.IsZero() {
			return strconv.FormatInt(e.r.Time.Unix(), 10)
		}
	}
	return ""
}
