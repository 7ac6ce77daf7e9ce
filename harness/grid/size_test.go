package grid

import "testing"

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{
		"4GiB": 4 << 30, "512MiB": 512 << 20, "512 MiB": 512 << 20, "1.5G": 3 << 29, "800M": 800 << 20,
		"2GB": 2e9, "100kB": 1e5, "1048576": 1 << 20, "64k": 64 << 10,
	} {
		if got, err := ParseBytes(in); err != nil || got != want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "GiB", "4 parsecs", "-1GiB", "1..2M"} {
		if _, err := ParseBytes(bad); err == nil {
			t.Errorf("ParseBytes(%q): want an error", bad)
		}
	}
}
