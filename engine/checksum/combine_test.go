package checksum

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"
)

// Combining the parts' CRCs gives the CRC of the whole, for any split,
// including empty parts.
func TestCombineFullMatchesTheWholeObject(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 1<<20+333)
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	for _, a := range []Algorithm{CRC32, CRC32C, CRC64NVME} {
		if !a.Combinable() {
			t.Fatalf("%s is not combinable", a)
		}
		for trial := 0; trial < 20; trial++ {
			cuts := []int{0, len(data)}
			for k := r.IntN(6); k > 0; k-- {
				cuts = append(cuts, r.IntN(len(data)+1))
			}
			if trial == 0 {
				cuts = append(cuts, 0, len(data)) // empty first and last parts
			}
			slices.Sort(cuts)
			var sums [][]byte
			var sizes []int64
			for i := 1; i < len(cuts); i++ {
				h := a.New()
				h.Write(data[cuts[i-1]:cuts[i]])
				sums = append(sums, h.Sum(nil))
				sizes = append(sizes, int64(cuts[i]-cuts[i-1]))
			}
			whole := a.New()
			whole.Write(data)
			if got, want := CombineFull(a, sums, sizes), whole.Sum(nil); !bytes.Equal(got, want) {
				t.Fatalf("%s cuts %v: combined %x, whole %x", a, cuts, got, want)
			}
		}
	}
	for _, a := range []Algorithm{SHA1, SHA256} {
		if a.Combinable() {
			t.Fatalf("%s claims to be combinable", a)
		}
	}
}

// The composite of CRC32 part checksums, checked against a value computed
// independently: CRC32 of the two big-endian part CRCs.
func TestCompositeIsTheChecksumOfTheChecksums(t *testing.T) {
	p1, p2 := CRC32.New(), CRC32.New()
	p1.Write([]byte("hello "))
	p2.Write([]byte("world"))
	cat := append(p1.Sum(nil), p2.Sum(nil)...)
	h := CRC32.New()
	h.Write(cat)
	if got := Composite(CRC32, [][]byte{p1.Sum(nil), p2.Sum(nil)}); !bytes.Equal(got, h.Sum(nil)) {
		t.Fatalf("composite %x, want %x", got, h.Sum(nil))
	}
}
