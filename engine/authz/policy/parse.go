package policy

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// Versions of the policy language.
const (
	Version2012 = "2012-10-17" // current; policy variables
	Version2008 = "2008-10-17" // the default when Version is absent; no variables
)

// MaxSize is S3's bucket policy limit, 20 KB. It applies to the policy's
// compact form (MarshalJSON): AWS measures the policy without its
// whitespace, so a pretty-printed document may be longer.
const MaxSize = 20 * 1024

// maxInput bounds the document Parse reads at all, whitespace included, and
// maxCompact its compact form, before any other work. The canonical form
// the 20 KB limit applies to can be shorter than the compact input (escapes
// such as \u00e9 shrink), so the early bound leaves room for that.
const (
	maxInput   = 16 * MaxSize
	maxCompact = 3 * MaxSize
)

// Policy is a parsed, validated bucket policy. It is immutable and safe for
// concurrent use.
type Policy struct {
	version    string // "" when absent (read as 2008-10-17)
	id         string
	hasID      bool
	stmtArray  bool // Statement was written as an array
	stmts      []statement
	canonicalN int // length of MarshalJSON's output
}

type statement struct {
	sid          string
	hasSid       bool
	deny         bool
	notPrincipal bool
	principals   principalSet
	notAction    bool
	actions      actionSet
	notResource  bool
	resources    resourceSet
	hasCond      bool
	conds        []condition
}

// Version returns the policy language version in force: Version2012 or
// Version2008.
func (p *Policy) Version() string {
	if p.version == "" {
		return Version2008
	}
	return p.version
}

// ID returns the policy's Id element ("" when absent).
func (p *Policy) ID() string { return p.id }

// Parse reads and validates a bucket policy for the named bucket. Every
// error is a *MalformedPolicyError (errors.Is(err, ErrMalformedPolicy)).
func Parse(doc []byte, bucket string) (*Policy, error) {
	if len(doc) > maxInput {
		return nil, &MalformedPolicyError{Reason: ReasonTooLarge, TooLarge: true}
	}
	if trimmed := bytes.TrimLeft(doc, " \t\r\n"); len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, malformed(ReasonFirstByte)
	}
	if !utf8.Valid(doc) || !json.Valid(doc) {
		return nil, malformed(ReasonInvalidJSON)
	}
	if compactLen(doc) > maxCompact {
		return nil, &MalformedPolicyError{Reason: ReasonTooLarge, TooLarge: true}
	}
	root := parseTree(doc)
	members, ok := root.object()
	if !ok {
		return nil, malformed(ReasonInvalidJSON)
	}
	p := &Policy{}
	var stmtRaw *jvalue
	for i := range members {
		m := &members[i]
		switch m.name {
		case "Version":
			if m.val.kind != '"' || m.val.str != Version2012 && m.val.str != Version2008 {
				return nil, malformed(ReasonInvalidVersion)
			}
			p.version = m.val.str
		case "Id":
			if m.val.kind != '"' {
				return nil, malformed(ReasonInvalidJSON)
			}
			p.id, p.hasID = m.val.str, true
		case "Statement":
			stmtRaw = &m.val
		default:
			return nil, malformed(reasonUnknownFieldPrefix + m.name)
		}
	}
	if stmtRaw == nil {
		return nil, malformed(ReasonMissingStatement)
	}
	if err := p.parseStatements(stmtRaw, bucket); err != nil {
		return nil, err
	}
	p.canonicalN = len(p.appendJSON(nil))
	if p.canonicalN > MaxSize {
		return nil, &MalformedPolicyError{Reason: ReasonTooLarge, TooLarge: true}
	}
	return p, nil
}

func (p *Policy) parseStatements(v *jvalue, bucket string) error {
	var elems []jvalue
	switch v.kind {
	case '{':
		elems = []jvalue{*v}
	case '[':
		p.stmtArray = true
		elems = v.arr
	default:
		return malformed(ReasonInvalidJSON)
	}
	if len(elems) == 0 {
		return malformed(ReasonEmptyStatement)
	}
	vars := p.version == Version2012
	seen := make(map[string]bool, len(elems))
	for i := range elems {
		st, err := parseStatement(&elems[i], bucket, vars)
		if err != nil {
			return err
		}
		if st.hasSid && st.sid != "" {
			if seen[st.sid] {
				return malformed(ReasonDuplicateSid)
			}
			seen[st.sid] = true
		}
		p.stmts = append(p.stmts, st)
	}
	return nil
}

// statementFields holds a statement's members before validation.
type statementFields struct {
	sid, effect, principal, notPrincipal, action, notAction, resource, notResource, condition *jvalue
}

// slot returns the field a member name fills, nil for an unknown name
// (element names are case-sensitive).
func (f *statementFields) slot(name string) **jvalue {
	switch name {
	case "Sid":
		return &f.sid
	case "Effect":
		return &f.effect
	case "Principal":
		return &f.principal
	case "NotPrincipal":
		return &f.notPrincipal
	case "Action":
		return &f.action
	case "NotAction":
		return &f.notAction
	case "Resource":
		return &f.resource
	case "NotResource":
		return &f.notResource
	case "Condition":
		return &f.condition
	}
	return nil
}

func parseStatement(v *jvalue, bucket string, vars bool) (statement, error) {
	members, ok := v.object()
	if !ok {
		return statement{}, malformed(ReasonInvalidJSON)
	}
	var f statementFields
	for i := range members {
		slot := f.slot(members[i].name)
		if slot == nil {
			return statement{}, malformed(reasonUnknownFieldPrefix + members[i].name)
		}
		*slot = &members[i].val
	}
	var st statement
	if f.sid != nil {
		if f.sid.kind != '"' {
			return statement{}, malformed(ReasonInvalidJSON)
		}
		st.sid, st.hasSid = f.sid.str, true
	}
	if err := st.parseEffect(f.effect); err != nil {
		return statement{}, err
	}
	if err := st.parsePrincipal(&f); err != nil {
		return statement{}, err
	}
	if err := st.parseAction(&f); err != nil {
		return statement{}, err
	}
	if err := st.parseResource(&f, bucket, vars); err != nil {
		return statement{}, err
	}
	if f.condition != nil {
		conds, err := parseConditions(f.condition, vars)
		if err != nil {
			return statement{}, err
		}
		st.conds, st.hasCond = conds, true
	}
	if !st.notAction && !st.notResource {
		if err := checkActionsApply(&st.actions, &st.resources); err != nil {
			return statement{}, err
		}
	}
	return st, nil
}

func (st *statement) parseEffect(v *jvalue) error {
	if v == nil {
		return malformed(ReasonMissingEffect)
	}
	switch {
	case v.kind == '"' && v.str == "Allow":
	case v.kind == '"' && v.str == "Deny":
		st.deny = true
	default:
		return malformed(reasonInvalidEffectPre + v.text())
	}
	return nil
}

func (st *statement) parsePrincipal(f *statementFields) error {
	raw := f.principal
	switch {
	case f.principal != nil && f.notPrincipal != nil:
		return malformed(ReasonBothPrincipals)
	case f.notPrincipal != nil:
		raw, st.notPrincipal = f.notPrincipal, true
	case f.principal == nil:
		return malformed(ReasonMissingPrincipal)
	}
	set, err := parsePrincipals(raw)
	st.principals = set
	return err
}

func (st *statement) parseAction(f *statementFields) error {
	raw := f.action
	switch {
	case f.action != nil && f.notAction != nil:
		return malformed(ReasonBothActions)
	case f.notAction != nil:
		raw, st.notAction = f.notAction, true
	case f.action == nil:
		return malformed(ReasonMissingAction)
	}
	text, ok := raw.strings()
	if !ok {
		return malformed(ReasonInvalidAction)
	}
	set, err := parseActions(text)
	st.actions = set
	return err
}

func (st *statement) parseResource(f *statementFields, bucket string, vars bool) error {
	raw := f.resource
	switch {
	case f.resource != nil && f.notResource != nil:
		return malformed(ReasonBothResources)
	case f.notResource != nil:
		raw, st.notResource = f.notResource, true
	case f.resource == nil:
		return malformed(ReasonMissingResource)
	}
	text, ok := raw.strings()
	if !ok {
		return malformed(ReasonInvalidResource)
	}
	set, err := parseResources(text, bucket, vars)
	st.resources = set
	return err
}
