package postpolicy

import (
	"strings"
)

// evaluate checks every condition in order against the form (and bucket)
// and returns the intersected content-length-range; max is -1 when the
// policy sets none.
func evaluate(p *Policy, f *Form, bucket string) (lo, hi int64, err error) {
	hi = -1
	for _, c := range p.Conditions {
		if c.Op == opLengthRange {
			cmin, cmax, ok := c.lengthRange()
			if !ok {
				return 0, 0, conditionFailed(c)
			}
			lo = max(lo, cmin)
			if hi < 0 || cmax < hi {
				hi = cmax
			}
			continue
		}
		if !c.holds(f, bucket) {
			return 0, 0, conditionFailed(c)
		}
	}
	return lo, hi, nil
}

func conditionFailed(c Condition) error {
	return newError(ErrConditionFailed, "Invalid according to Policy: Policy Condition failed: "+c.text)
}

// holds evaluates an eq or starts-with condition. A field the form lacks
// fails whatever the condition says; "bucket" is the request's bucket.
func (c Condition) holds(f *Form, bucket string) bool {
	if !c.Ref {
		return false
	}
	val, ok := f.Fields[c.Field]
	if c.Field == "bucket" {
		val, ok = bucket, true
	}
	if !ok {
		return false
	}
	if c.Op == opEq {
		return val == c.Value
	}
	if c.Field != "content-type" {
		return strings.HasPrefix(val, c.Value)
	}
	for _, elem := range strings.Split(val, ",") {
		if !strings.HasPrefix(strings.TrimSpace(elem), c.Value) {
			return false
		}
	}
	return true
}

// exempt reports whether a field needs no condition: policy, the signature
// fields of the version used, and x-ignore-* names.
func exempt(lower string, version int) bool {
	switch {
	case lower == "policy", strings.HasPrefix(lower, "x-ignore-"):
		return true
	case version == 4:
		return lower == "x-amz-signature"
	}
	return lower == "awsaccesskeyid" || lower == "signature"
}

// checkCoverage requires every non-exempt field to be named by an eq,
// starts-with or simple condition.
func checkCoverage(p *Policy, f *Form, version int) error {
	covered := make(map[string]bool, len(p.Conditions))
	for _, c := range p.Conditions {
		if c.Op != opLengthRange {
			covered[c.Field] = true
		}
	}
	var extra []string
	for _, name := range f.order {
		if !covered[name] && !exempt(name, version) {
			extra = append(extra, f.spelling[name])
		}
	}
	if len(extra) == 0 {
		return nil
	}
	return newError(ErrExtraFields, "Invalid according to Policy: Extra input fields: "+strings.Join(extra, ", "))
}
