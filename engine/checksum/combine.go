package checksum

import "encoding/binary"

// Multipart checksums. S3 makes the checksum of an object completed from
// parts in one of two ways:
//
//   - COMPOSITE: the algorithm applied to the concatenated raw checksums of
//     the parts, then "-N" (N parts) after its base64. Any algorithm but
//     CRC64NVME.
//   - FULL_OBJECT: the checksum of the whole object's bytes. For the CRCs
//     (CRC32, CRC32C, CRC64NVME) it is combined from the parts' CRCs and
//     sizes, without reading a byte again: crc(A‖B) = crc(A)·x^(8|B|) ⊕
//     crc(B) in GF(2)[x] modulo the polynomial, which holds as written for
//     these reflected CRCs because each starts from and ends with all ones
//     (zlib's crc32_combine, widened to 64 bits).

// crcParams describes a reflected CRC: its width and reversed polynomial.
type crcParams struct {
	width uint
	poly  uint64
	// x2n[k] is x^(2^k) modulo poly; x2nmodp needs k up to 3+63.
	x2n [67]uint64
}

// crcs are the combinable algorithms, read-only after initialisation.
var crcs = map[Algorithm]*crcParams{
	CRC32:     newCRCParams(32, 0xedb88320),
	CRC32C:    newCRCParams(32, 0x82f63b78),
	CRC64NVME: newCRCParams(64, crc64NVME),
}

func newCRCParams(width uint, poly uint64) *crcParams {
	c := &crcParams{width: width, poly: poly}
	c.x2n[0] = 1 << (width - 2) // x^1
	for k := 1; k < len(c.x2n); k++ {
		c.x2n[k] = c.multmodp(c.x2n[k-1], c.x2n[k-1])
	}
	return c
}

// multmodp multiplies a and b modulo the polynomial, both in reflected
// bit order (the top bit of the width is x^0).
func (c *crcParams) multmodp(a, b uint64) uint64 {
	var p uint64
	for m := uint64(1) << (c.width - 1); a != 0; m >>= 1 {
		if a&m != 0 {
			p ^= b
			a &^= m
		}
		if b&1 != 0 {
			b = b>>1 ^ c.poly
		} else {
			b >>= 1
		}
	}
	return p
}

// x2nmodp is x^(n·2^k) modulo the polynomial.
func (c *crcParams) x2nmodp(n uint64, k int) uint64 {
	p := uint64(1) << (c.width - 1) // x^0
	for ; n != 0; n >>= 1 {
		if n&1 != 0 {
			p = c.multmodp(c.x2n[k], p)
		}
		k++
	}
	return p
}

// combine is the CRC of A‖B from crc1 = crc(A), crc2 = crc(B) and |B|.
func (c *crcParams) combine(crc1, crc2 uint64, len2 int64) uint64 {
	return c.multmodp(c.x2nmodp(uint64(len2), 3), crc1) ^ crc2
}

// Combinable reports whether a whole-object checksum of a can be combined
// from its parts' (the FULL_OBJECT type of multipart upload).
func (a Algorithm) Combinable() bool { return crcs[a] != nil }

// Composite returns a's digest of the concatenated raw digests sums (the
// COMPOSITE checksum of a multipart object, before its "-N").
func Composite(a Algorithm, sums [][]byte) []byte {
	h := a.New()
	for _, s := range sums {
		h.Write(s)
	}
	return h.Sum(nil)
}

// CombineFull returns the CRC a of the concatenation of parts whose raw
// CRCs (as the hash's Sum gives them) and sizes are given, in order. It
// panics if a is not Combinable or a digest has the wrong length.
func CombineFull(a Algorithm, sums [][]byte, sizes []int64) []byte {
	c := crcs[a]
	n := int(c.width / 8)
	var crc uint64 // the CRC of nothing
	for i, s := range sums {
		if len(s) != n {
			panic("checksum: digest of the wrong length")
		}
		crc = c.combine(crc, beUint(s), sizes[i])
	}
	out := make([]byte, 8)
	binary.BigEndian.PutUint64(out, crc)
	return out[8-n:]
}

func beUint(b []byte) uint64 {
	var v uint64
	for _, x := range b {
		v = v<<8 | uint64(x)
	}
	return v
}
