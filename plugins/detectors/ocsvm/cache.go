package ocsvm

// kernelCache is libsvm's Cache (svm.cpp, class Cache; scikit-learn's copy in
// sklearn/svm/src/libsvm/svm.cpp): a least-recently-used cache of kernel
// columns, each stored in float32 (libsvm's Qfloat) and valid on a prefix
// [0, len) of the solver's current index order. Columns are indexed by solver
// position, so swapIndex must follow every swap the solver makes.
//
// The budget is counted in float32 entries exactly as libsvm does: the cache
// size in bytes over 4, minus 8 entries per row for libsvm's per-column header,
// but never less than two full columns (so the two columns of an SMO step always
// fit together and one never evicts the other).
type kernelCache struct {
	l     int
	size  int64       // free budget, in float32 entries
	data  [][]float32 // data[h][:clen[h]] is cached for column h
	clen  []int32
	prev  []int32 // circular doubly linked LRU list over columns with clen > 0;
	next  []int32 // node l is the sentinel, next[l] the least recently used
	spare []float32
	// pending entry swaps (i < j) not yet applied to the cached columns
	pending [][2]int32
}

func newKernelCache(l int, bytes int64) *kernelCache {
	size := bytes/4 - int64(l)*8
	if size < 2*int64(l) {
		size = 2 * int64(l)
	}
	c := &kernelCache{
		l:    l,
		size: size,
		data: make([][]float32, l),
		clen: make([]int32, l),
		prev: make([]int32, l+1),
		next: make([]int32, l+1),
	}
	c.prev[l] = int32(l)
	c.next[l] = int32(l)
	return c
}

func (c *kernelCache) lruDelete(h int32) {
	c.next[c.prev[h]] = c.next[h]
	c.prev[c.next[h]] = c.prev[h]
}

func (c *kernelCache) lruInsert(h int32) {
	s := int32(c.l)
	c.next[h] = s
	c.prev[h] = c.prev[s]
	c.next[c.prev[h]] = h
	c.prev[s] = h
}

// evict drops column h from the cache and returns its budget. Its buffer is
// kept as a spare for the next allocation: no caller holds it any more (the
// invariant above means a column returned by get is never evicted before the
// solver has finished with it).
func (c *kernelCache) evict(h int32) {
	c.lruDelete(h)
	c.size += int64(c.clen[h])
	if cap(c.data[h]) > cap(c.spare) {
		c.spare = c.data[h]
	}
	c.data[h] = nil
	c.clen[h] = 0
}

// get returns column idx with room for length entries and the position from
// which the caller must fill it (start ≥ length: nothing to fill). As libsvm's
// Cache::get_data, it moves the column to the most recently used end and evicts
// least recently used columns until the extension fits the budget.
func (c *kernelCache) get(idx, length int) (col []float32, start int) {
	c.flush()
	h := int32(idx)
	if c.clen[h] > 0 {
		c.lruDelete(h)
	}
	start = length
	more := int64(length) - int64(c.clen[h])
	if more > 0 {
		for c.size < more && c.next[c.l] != int32(c.l) {
			c.evict(c.next[c.l])
		}
		old := c.data[h]
		switch {
		case cap(old) >= length:
			c.data[h] = old[:length]
		case cap(c.spare) >= length:
			nd := c.spare[:length]
			c.spare = nil
			copy(nd, old[:c.clen[h]])
			c.data[h] = nd
		default:
			nd := make([]float32, length)
			copy(nd, old[:c.clen[h]])
			c.data[h] = nd
		}
		c.size -= more
		start = int(c.clen[h])
		c.clen[h] = int32(length)
	}
	c.lruInsert(h)
	return c.data[h][:length], start
}

// swapIndex exchanges positions i and j in every cached column, with the
// effect of libsvm's Cache::swap_index: the columns of i and j trade places,
// each cached column that covers both positions swaps the two entries, and a
// column that covers i but not j is dropped.
//
// libsvm walks every cached column at every swap, a cache miss per column
// and swap (a third of the whole fit at ν = 0.5, l = 10 000). Here the column
// trade and the LRU update happen at once, and the entry swaps are queued and
// applied column by column at the next get (flush), with the same result:
// a column's length changes only when it is dropped, so which swaps apply to
// it, and whether and where it is dropped, are decided by the queue alone.
func (c *kernelCache) swapIndex(i, j int) {
	if i == j {
		return
	}
	if c.clen[i] > 0 {
		c.lruDelete(int32(i))
	}
	if c.clen[j] > 0 {
		c.lruDelete(int32(j))
	}
	c.data[i], c.data[j] = c.data[j], c.data[i]
	c.clen[i], c.clen[j] = c.clen[j], c.clen[i]
	if c.clen[i] > 0 {
		c.lruInsert(int32(i))
	}
	if c.clen[j] > 0 {
		c.lruInsert(int32(j))
	}
	if i > j {
		i, j = j, i
	}
	c.pending = append(c.pending, [2]int32{int32(i), int32(j)})
}

// flush applies the queued entry swaps to every cached column.
func (c *kernelCache) flush() {
	if len(c.pending) == 0 {
		return
	}
	s := int32(c.l)
	for h := c.next[s]; h != s; {
		nx := c.next[h]
		d, n := c.data[h], c.clen[h]
		for _, p := range c.pending {
			if n > p[1] {
				d[p[0]], d[p[1]] = d[p[1]], d[p[0]]
			} else if n > p[0] {
				c.evict(h)
				break
			}
		}
		h = nx
	}
	c.pending = c.pending[:0]
}
