package grid

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseBytes parses a size such as "4GiB", "512MiB", "1.5GB", "800M" or
// "1048576": binary units (KiB, MiB, GiB, TiB, and K, M, G, T) are powers
// of 1024, decimal ones (kB, MB, GB, TB) of 1000.
func ParseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := t, ""
	if i >= 0 {
		num, unit = t[:i], strings.TrimSpace(t[i:])
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%q is not a size: write a number with a unit, e.g. \"4GiB\" or \"512MiB\"", s)
	}
	mult := map[string]float64{
		"": 1, "b": 1,
		"k": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mib": 1 << 20, "g": 1 << 30, "gib": 1 << 30, "t": 1 << 40, "tib": 1 << 40,
		"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
	}[strings.ToLower(unit)]
	if mult == 0 {
		return 0, fmt.Errorf("%q: unknown unit %q (use B, KiB, MiB, GiB, TiB or kB, MB, GB, TB)", s, unit)
	}
	return int64(v * mult), nil
}
