package engine

import (
	"errors"
	"strings"
	"testing"
)

func TestTagSetRules(t *testing.T) {
	ok := [][]Tag{nil, {{"k", ""}}, {{"Project", "cairn"}, {"é tag", "välue 1 + 2 = 3 @host:/path_x.y-z"}},
		{{strings.Repeat("k", 128), strings.Repeat("v", 256)}}}
	for _, tags := range ok {
		if _, err := TagSet(tags, MaxObjectTags); err != nil {
			t.Errorf("TagSet(%v) = %v", tags, err)
		}
	}
	var eleven []Tag
	for i := 0; i < 11; i++ {
		eleven = append(eleven, Tag{string(rune('a' + i)), "v"})
	}
	bad := [][]Tag{{{"", "v"}}, {{strings.Repeat("k", 129), "v"}}, {{"k", strings.Repeat("v", 257)}},
		{{"aws:reserved", "v"}}, {{"k", "v"}, {"k", "w"}}, {{"semi;colon", "v"}}, {{"k", "no*stars"}}, eleven}
	for _, tags := range bad {
		if _, err := TagSet(tags, MaxObjectTags); !errors.Is(err, ErrInvalidTag) {
			t.Errorf("TagSet(%.40v) = %v, want ErrInvalidTag", tags, err)
		}
	}
	if _, err := TagSet(eleven, MaxBucketTags); err != nil {
		t.Errorf("11 bucket tags: %v", err)
	}
}
