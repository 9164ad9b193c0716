package s3xml

import "encoding/xml"

// Tagging is the body of Put/GetObjectTagging and Put/GetBucketTagging.
type Tagging struct {
	XMLName xml.Name `xml:"Tagging"`
	NS      string   `xml:"xmlns,attr,omitempty"`
	TagSet  []Tag    `xml:"TagSet>Tag"`
}

// Tag is one key and value.
type Tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}
