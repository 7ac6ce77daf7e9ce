package iforest

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"slices"
)

// GroupForest is the per-cluster isolation forest (docs/method.md): one Forest per
// group id, fitted on the points of that group only; a point is scored by the
// forest of its group. A GroupForest is immutable after FitGroups or
// UnmarshalBinary and safe for concurrent use.
type GroupForest struct {
	d       int
	ids     []int     // sorted group ids
	forests []*Forest // forests[k] belongs to ids[k]
}

// GroupSeed returns the seed of the forest of group id within a GroupForest
// fitted with seed: a SplitMix64 mix of both, so that a group's forest does
// not depend on which other groups exist.
func GroupSeed(seed uint64, id int) uint64 {
	return splitmix64(seed ^ splitmix64(uint64(int64(id))^0x3c6ef372fe94f82b))
}

// FitGroups fits one isolation forest per distinct value of groups
// (len(groups) = n, group ids are arbitrary ints) on the rows of x of that
// group, with options opt except the seed, which is GroupSeed(opt.Seed, id).
// "auto" MaxSamples is min(256, size of the group), and an explicit MaxSamples
// is clamped to the group's size. The groups are fitted one after another,
// each with its trees in parallel. Errors as Fit, plus len(groups) ≠ n.
func FitGroups(ctx context.Context, x []float64, n, d int, groups []int, opt Options) (*GroupForest, error) {
	if err := checkMatrix(x, n, d); err != nil {
		return nil, err
	}
	if len(groups) != n {
		return nil, fmt.Errorf("iforest: len(groups) = %d, want n = %d", len(groups), n)
	}
	if _, _, err := resolve(opt, n, d); err != nil {
		return nil, err
	}
	ids, pos := groupRows(groups)
	gf := &GroupForest{d: d, ids: ids, forests: make([]*Forest, len(ids))}
	var buf []float64
	for k, id := range ids {
		rows := pos[k]
		buf = gatherRows(buf, x, d, rows)
		o := opt
		o.Seed = GroupSeed(opt.Seed, id)
		f, err := fit(ctx, buf, len(rows), d, o)
		if err != nil {
			return nil, fmt.Errorf("iforest: group %d (%d points): %w", id, len(rows), err)
		}
		gf.forests[k] = f
	}
	return gf, nil
}

// groupRows returns the sorted distinct ids and, for each, its row indices.
func groupRows(groups []int) ([]int, [][]int) {
	ids := slices.Clone(groups)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	count := make([]int, len(ids))
	at := make([]int, len(groups))
	for i, g := range groups {
		k, _ := slices.BinarySearch(ids, g)
		at[i] = k
		count[k]++
	}
	pos := make([][]int, len(ids))
	for k := range pos {
		pos[k] = make([]int, 0, count[k])
	}
	for i, k := range at {
		pos[k] = append(pos[k], i)
	}
	return slices.Clip(ids), pos
}

// gatherRows copies the given rows of the row-major x into buf (reused).
func gatherRows(buf, x []float64, d int, rows []int) []float64 {
	buf = slices.Grow(buf[:0], len(rows)*d)[:len(rows)*d]
	for i, r := range rows {
		copy(buf[i*d:(i+1)*d], x[r*d:(r+1)*d])
	}
	return buf
}

// Dim returns the number of features.
func (g *GroupForest) Dim() int { return g.d }

// Groups returns the group ids, in increasing order.
func (g *GroupForest) Groups() []int { return slices.Clone(g.ids) }

// Forest returns the forest of group id, or nil if id was not seen at fit time.
func (g *GroupForest) Forest(id int) *Forest {
	k, ok := slices.BinarySearch(g.ids, id)
	if !ok {
		return nil
	}
	return g.forests[k]
}

// Score returns the normality score of each of the n points of x (row-major,
// len n·Dim()) under the forest of its group groups[i]; see Forest.Score.
// A group id not seen at fit time is an error naming it and its row; so are a
// length mismatch and a non-finite value.
func (g *GroupForest) Score(x []float64, n int, groups []int) ([]float64, error) {
	return g.ScoreContext(context.Background(), x, n, groups)
}

// ScoreContext is Score that stops early with ctx's error once ctx is done.
func (g *GroupForest) ScoreContext(ctx context.Context, x []float64, n int, groups []int) ([]float64, error) {
	if err := checkPoints(x, n, g.d); err != nil {
		return nil, err
	}
	if len(groups) != n {
		return nil, fmt.Errorf("iforest: len(groups) = %d, want n = %d", len(groups), n)
	}
	for i, id := range groups {
		if _, ok := slices.BinarySearch(g.ids, id); !ok {
			return nil, fmt.Errorf("iforest: row %d: group %d was not seen at fit time (groups %v)", i, id, g.ids)
		}
	}
	ids, pos := groupRows(groups)
	out := make([]float64, n)
	var buf, sc []float64
	for k, id := range ids {
		rows := pos[k]
		buf = gatherRows(buf, x, g.d, rows)
		sc = slices.Grow(sc[:0], len(rows))[:len(rows)]
		g.Forest(id).scoreUntil(ctx.Done(), sc, buf, len(rows))
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("iforest: score interrupted: %w", err)
		}
		for i, r := range rows {
			out[r] = sc[i]
		}
	}
	return out, nil
}

// Binary format of a GroupForest, version 1, little-endian:
//
//	off  size  field
//	0    4     magic "LBGF"
//	4    2     format version, uint16 = 1
//	6    2     reserved, 0
//	8    4     d, uint32
//	12   4     G, number of groups, uint32 ≥ 1
//	then G records, in increasing id order:
//	     8     group id, int64
//	     4     L, length of the forest's encoding, uint32
//	     L     the group's Forest, in the Forest format (see MarshalBinary)
//	end  4     CRC-32 (IEEE) of all preceding bytes
const (
	groupMagic   = "LBGF"
	groupVersion = 1
)

// MarshalBinary encodes the group forest in the format documented above.
func (g *GroupForest) MarshalBinary() ([]byte, error) {
	b := append([]byte(nil), groupMagic...)
	b = binary.LittleEndian.AppendUint16(b, groupVersion)
	b = binary.LittleEndian.AppendUint16(b, 0)
	b = binary.LittleEndian.AppendUint32(b, uint32(g.d))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(g.ids)))
	for k, id := range g.ids {
		fb, err := g.forests[k].MarshalBinary()
		if err != nil {
			return nil, fmt.Errorf("iforest: encode group %d: %w", id, err)
		}
		if len(fb) > math.MaxUint32 {
			return nil, fmt.Errorf("iforest: encode group %d: %d bytes", id, len(fb))
		}
		b = binary.LittleEndian.AppendUint64(b, uint64(int64(id)))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(fb)))
		b = append(b, fb...)
	}
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b)), nil
}

// UnmarshalBinary decodes a group forest written by MarshalBinary; it returns
// an error (never panics) on malformed input and leaves g unchanged then.
func (g *GroupForest) UnmarshalBinary(data []byte) error {
	h, err := decodeGroups(data)
	if err != nil {
		return fmt.Errorf("iforest: decode group forest: %w", err)
	}
	*g = *h
	return nil
}

func decodeGroups(data []byte) (*GroupForest, error) {
	const hdr = 16
	if len(data) < hdr+4 {
		return nil, fmt.Errorf("%d bytes, shorter than the header", len(data))
	}
	if string(data[:4]) != groupMagic {
		return nil, fmt.Errorf("bad magic %q, want %q", data[:4], groupMagic)
	}
	le := binary.LittleEndian
	if v := le.Uint16(data[4:]); v != groupVersion {
		return nil, fmt.Errorf("format version %d, this package reads %d", v, groupVersion)
	}
	body, sum := data[:len(data)-4], le.Uint32(data[len(data)-4:])
	if c := crc32.ChecksumIEEE(body); c != sum {
		return nil, fmt.Errorf("checksum %08x, computed %08x", sum, c)
	}
	d, ng := int(le.Uint32(data[8:])), int64(le.Uint32(data[12:]))
	if ng < 1 || ng > int64(len(body)-hdr)/12 {
		return nil, fmt.Errorf("bad group count %d", ng)
	}
	g := &GroupForest{d: d, ids: make([]int, ng), forests: make([]*Forest, ng)}
	p := body[hdr:]
	for k := range g.ids {
		if len(p) < 12 {
			return nil, fmt.Errorf("group record %d truncated", k)
		}
		id64 := int64(le.Uint64(p))
		l := int64(le.Uint32(p[8:]))
		p = p[12:]
		if id64 < math.MinInt || id64 > math.MaxInt || l > int64(len(p)) {
			return nil, fmt.Errorf("group record %d: id %d, %d bytes of %d left", k, id64, l, len(p))
		}
		id := int(id64)
		if k > 0 && id <= g.ids[k-1] {
			return nil, fmt.Errorf("group ids not increasing: %d after %d", id, g.ids[k-1])
		}
		f, err := decodeForest(p[:l])
		if err != nil {
			return nil, fmt.Errorf("group %d: %w", id, err)
		}
		if f.d != d {
			return nil, fmt.Errorf("group %d: forest of %d features, want %d", id, f.d, d)
		}
		g.ids[k], g.forests[k] = id, f
		p = p[l:]
	}
	if len(p) != 0 {
		return nil, fmt.Errorf("%d trailing bytes", len(p))
	}
	return g, nil
}
