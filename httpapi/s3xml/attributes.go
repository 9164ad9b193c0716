package s3xml

import "encoding/xml"

// GetObjectAttributesResponse answers GetObjectAttributes. Elements the
// client did not ask for are left out.
type GetObjectAttributesResponse struct {
	XMLName      xml.Name     `xml:"GetObjectAttributesResponse"`
	NS           string       `xml:"xmlns,attr"`
	ETag         string       `xml:"ETag,omitempty"` // unquoted, unlike everywhere else
	Checksum     *Checksum    `xml:"Checksum,omitempty"`
	ObjectParts  *ObjectParts `xml:"ObjectParts,omitempty"`
	StorageClass string       `xml:"StorageClass,omitempty"`
	ObjectSize   *int64       `xml:"ObjectSize,omitempty"`
}

// ObjectParts pages through a multipart object's parts.
type ObjectParts struct {
	TotalPartsCount      int          `xml:"TotalPartsCount"`
	PartNumberMarker     int          `xml:"PartNumberMarker"`
	NextPartNumberMarker int          `xml:"NextPartNumberMarker"`
	MaxParts             int          `xml:"MaxParts"`
	IsTruncated          bool         `xml:"IsTruncated"`
	Parts                []ObjectPart `xml:"Part"`
}

// ObjectPart is one part of an object.
type ObjectPart struct {
	PartNumber int   `xml:"PartNumber"`
	Size       int64 `xml:"Size"`
	Checksum
}
