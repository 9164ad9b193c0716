package s3xml

// Checksums are the additional checksums an element may carry; at most one
// is set. Embedded in a result, they are its Checksum* elements.
type Checksums struct {
	ChecksumCRC32     string `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string `xml:"ChecksumSHA256,omitempty"`
}

// field is the element of algorithm (CRC32, CRC32C, CRC64NVME, SHA1 or
// SHA256), or nil for another name.
func (c *Checksums) field(algorithm string) *string {
	switch algorithm {
	case "CRC32":
		return &c.ChecksumCRC32
	case "CRC32C":
		return &c.ChecksumCRC32C
	case "CRC64NVME":
		return &c.ChecksumCRC64NVME
	case "SHA1":
		return &c.ChecksumSHA1
	case "SHA256":
		return &c.ChecksumSHA256
	}
	return nil
}

// Set stores value under algorithm; other names are ignored.
func (c *Checksums) Set(algorithm, value string) {
	if f := c.field(algorithm); f != nil {
		*f = value
	}
}

// Get returns the value stored under algorithm.
func (c Checksums) Get(algorithm string) string {
	if f := c.field(algorithm); f != nil {
		return *f
	}
	return ""
}

// Checksum holds an object's (or a part's) checksum and its type
// (GetObjectAttributes).
type Checksum struct {
	Checksums
	ChecksumType string `xml:"ChecksumType,omitempty"`
}
