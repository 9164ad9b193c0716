package bench

import "testing"

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64 // 0: must fail
	}{
		{"4KiB", 4096},
		{"4kib", 4096},
		{"4KIB", 4096},
		{"4k", 4096},
		{"4K", 4096},
		{"4 KiB", 4096},
		{"16MiB", 16 << 20},
		{"16mib", 16 << 20},
		{"1MB", 1000000},
		{"1mb", 1000000},
		{"1KB", 1000},
		{"1GiB", 1 << 30},
		{"1GB", 1000000000},
		{"2TiB", 2 << 40},
		{"4096", 4096},
		{"4096B", 4096},
		{"1", 1},
		{"1.5MiB", 3 << 19},
		{"0.5KiB", 512},
		{" 8KiB ", 8192},

		{"", 0},
		{"KiB", 0},
		{"abc", 0},
		{"4XB", 0},
		{"4 KiBs", 0},
		{"-1", 0},
		{"-4KiB", 0},
		{"0", 0},
		{"0KiB", 0},
		{"1.5.2KiB", 0},
		{"1.3B", 0}, // not a whole number of bytes
		{"9223372036854775807KiB", 0},
		{"99999999999999999999", 0},
		{"1e3", 0},
	}
	for _, tc := range tests {
		got, err := ParseSize(tc.in)
		if tc.want == 0 {
			if err == nil {
				t.Errorf("ParseSize(%q) = %d, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{
		4096:      "4KiB",
		16 << 20:  "16MiB",
		1 << 30:   "1GiB",
		1000000:   "1MB",
		1000:      "1KB",
		4097:      "4097B",
		1:         "1B",
		3 << 19:   "1536KiB",
		2 << 40:   "2TiB",
		123456789: "123456789B",
	} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
		// Every formatted size parses back to itself.
		if back, err := ParseSize(want); err != nil || back != n {
			t.Errorf("ParseSize(FormatSize(%d)=%q) = %d, %v", n, want, back, err)
		}
	}
}
