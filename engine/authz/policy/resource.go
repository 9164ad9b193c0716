package policy

import "strings"

// arnS3Prefix begins every S3 bucket and object ARN.
const arnS3Prefix = "arn:aws:s3:::"

// ResourceARN returns the ARN a request names: the bucket's when key is
// empty, else the object's.
func ResourceARN(bucket, key string) string {
	if key == "" {
		return arnS3Prefix + bucket
	}
	return arnS3Prefix + bucket + "/" + key
}

// resourceSet is a statement's Resource or NotResource.
type resourceSet struct {
	text   strList
	bucket string
	// pats hold what follows "arn:aws:s3:::<bucket>" in each value ("" or
	// "/key-pattern"): every value starts so, and comparing the rest only
	// spares the matcher the shared prefix.
	pats  []template
	anyOb bool // some value names objects (bucket/...)
	anyBk bool // some value names the bucket itself
}

// parseResources validates Resource values for a policy of the named bucket:
// each must be "arn:aws:s3:::<bucket>" or "arn:aws:s3:::<bucket>/<key
// pattern>", the bucket part written out literally. Anything else (another
// bucket, "*", a wildcard in the bucket name, another partition or service)
// is "Policy has invalid resource".
func parseResources(text strList, bucket string, vars bool) (resourceSet, error) {
	if len(text.vals) == 0 {
		return resourceSet{}, malformed(ReasonInvalidResource)
	}
	set := resourceSet{text: text, bucket: bucket}
	for _, v := range text.vals {
		rest, ok := strings.CutPrefix(v, arnS3Prefix)
		if !ok {
			return resourceSet{}, malformed(ReasonInvalidResource)
		}
		name, _, object := strings.Cut(rest, "/")
		if name != bucket || bucket == "" {
			return resourceSet{}, malformed(ReasonInvalidResource)
		}
		if object {
			set.anyOb = true
		} else {
			set.anyBk = true
		}
		set.pats = append(set.pats, compileTemplate(rest[len(name):], vars))
	}
	return set, nil
}

// match reports whether the resource ARN matches one value.
func (s *resourceSet) match(e *env, arn string) bool {
	rest, ok := strings.CutPrefix(arn, arnS3Prefix)
	if !ok {
		return false
	}
	if rest, ok = strings.CutPrefix(rest, s.bucket); !ok || rest != "" && rest[0] != '/' {
		return false
	}
	for i := range s.pats {
		if p, ok := s.pats[i].expand(e, true); ok && globMatch(p, rest) {
			return true
		}
	}
	return false
}

// checkActionsApply is S3's "Action does not apply to any resource(s) in
// statement": each action named exactly must have a resource of its type.
// Wildcard actions are not checked (s3:* with bucket/* is common and valid).
func checkActionsApply(a *actionSet, r *resourceSet) error {
	for i, kind := range a.kinds {
		if !a.exact[i] {
			continue
		}
		if kind == kindObject && !r.anyOb || kind == kindBucket && !r.anyBk {
			return malformed(ReasonActionResource)
		}
	}
	return nil
}
