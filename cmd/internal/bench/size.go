package bench

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Byte-size units. IEC units (KiB, MiB, ...) are powers of 1024, SI units
// (KB, MB, ...) powers of 1000. A bare letter (k, m, g, t) is read as the
// IEC unit, as dd and fio do, because "4k" almost always means 4096.
var sizeUnits = map[string]int64{
	"":    1,
	"b":   1,
	"k":   1 << 10,
	"kib": 1 << 10,
	"kb":  1e3,
	"m":   1 << 20,
	"mib": 1 << 20,
	"mb":  1e6,
	"g":   1 << 30,
	"gib": 1 << 30,
	"gb":  1e9,
	"t":   1 << 40,
	"tib": 1 << 40,
	"tb":  1e12,
}

// ParseSize parses a byte size such as "4096", "4KiB", "4kib", "16MiB",
// "1MB" (10^6), "1GiB", "4k" (4096) or "1.5MiB". Units are case-insensitive;
// the result must be a positive whole number of bytes.
func ParseSize(s string) (int64, error) {
	in := s
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	num, unit := s[:i], strings.ToLower(strings.TrimSpace(s[i:]))
	if num == "" {
		return 0, fmt.Errorf("invalid size %q: want a number with an optional unit (B, KiB, MiB, GiB, KB, MB, GB)", in)
	}
	mult, ok := sizeUnits[unit]
	if !ok {
		return 0, fmt.Errorf("invalid size %q: unknown unit %q (use B, KiB, MiB, GiB, TiB, KB, MB, GB, TB)", in, s[i:])
	}
	var n int64
	if !strings.Contains(num, ".") {
		v, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("invalid size %q: %v", in, err)
		}
		if v > math.MaxInt64/mult {
			return 0, fmt.Errorf("invalid size %q: too large", in)
		}
		n = v * mult
	} else {
		f, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return 0, fmt.Errorf("invalid size %q: bad number %q", in, num)
		}
		b := f * float64(mult)
		if b >= math.MaxInt64 {
			return 0, fmt.Errorf("invalid size %q: too large", in)
		}
		if b != math.Trunc(b) {
			return 0, fmt.Errorf("invalid size %q: not a whole number of bytes", in)
		}
		n = int64(b)
	}
	if n <= 0 {
		return 0, fmt.Errorf("invalid size %q: must be at least 1 byte", in)
	}
	return n, nil
}

// FormatSize renders n with the largest unit that divides it exactly
// (4096 -> "4KiB", 1000000 -> "1MB", 4097 -> "4097B"). The result contains
// no characters that need escaping in an object key.
func FormatSize(n int64) string {
	if n > 0 {
		for _, u := range []struct {
			name string
			v    int64
		}{
			{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10},
			{"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3},
		} {
			if n%u.v == 0 {
				return strconv.FormatInt(n/u.v, 10) + u.name
			}
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}

// sizeFlag is a flag.Value for byte sizes.
type sizeFlag struct{ p *int64 }

func (f sizeFlag) String() string {
	if f.p == nil {
		return ""
	}
	return FormatSize(*f.p)
}

func (f sizeFlag) Set(s string) error {
	n, err := ParseSize(s)
	if err != nil {
		return err
	}
	*f.p = n
	return nil
}
