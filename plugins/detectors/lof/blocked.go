package lof

import (
	"cmp"
	"context"
	"math"
	"math/bits"
	"slices"

	"gonum.org/v1/gonum/blas"

	"github.com/latentbench/latentbench/internal/blasimpl"
	"github.com/latentbench/latentbench/internal/parallel"
)

// Blocked brute force for high-dimensional data.
//
// For d > 15 the exhaustive search runs on blocks of queryBlock queries × trainBlock training
// rows. One matrix product (BLAS Dgemm) gives the dot products of the block, and with the
// squared norms the expansion ‖q−x‖² ≈ ‖q‖² − 2q·x + ‖x‖² that scikit-learn's brute force uses.
// Memory is bounded by the block: queryBlock·trainBlock dot products at a time, whatever n.
//
// The result is bit-identical to bruteQuery's (direct sums Σ_j (q_j − x_j)² in order, pushed
// into sklearn's neighbour heap in index order), whatever the BLAS and however it sums, in one
// of two ways.
//
// Exact data. When every value is an integer multiple of 2^lo below 2^hi in magnitude and
// 2(hi − lo) + log₂(4d) ≤ 53 (integer, binary or coarsely rounded features, see exactRange), every
// product and partial sum of both computations is exact in float64, so the expansion is the
// direct sum, bit for bit, and is pushed into the heap as it comes.
//
// Other data. The expansion only selects candidates. The rounding error of both values is
// bounded: any summation order of a dot product of length d is within γ_d·Σ|q_j x_j| ≤
// γ_d·(‖q‖² + ‖x‖²)/2 of the exact one (Higham, "Accuracy and Stability of Numerical
// Algorithms", 2nd ed., §3.1), and so are the norms and the direct sum, γ_d = d·u/(1 − d·u),
// u = 2⁻⁵³. With e(q, x) = (4d + 32)·2⁻⁵²·(‖q‖² + ‖x‖²), well above the sum of those bounds, the
// direct value lies in [a − e, a + e] around the expanded value a. bruteQuery pushes row i iff
// its distance is below the heap's root, the k-th smallest distance among rows 0…i−1, and the
// k-th smallest a + e among those rows bounds that root from above; a row with a − e above the
// bound is never pushed by bruteQuery and changes nothing. The others, the candidates, are kept
// in index order (about k·(1 + ln(n/k)) per query on shuffled data). At the end the direct
// distances of the candidates that can still be among the k nearest (a − e at most the final
// bound) decide: when their k smallest values are distinct and strictly below the next, the
// heap's content and its sorted order are unique, and that is the result. Otherwise (ties) the
// candidates are replayed through the heap in index order, as bruteQuery pushes them, which also
// reproduces the order sklearn's sort leaves among equal distances. A query with too many
// candidates replays them early (flush), which keeps the memory bounded.
//
// Self queries. When the queries are the training rows themselves (Fit, and Score of the
// training set), their dot products are the Gram matrix X·Xᵀ, which is symmetric: selfGram
// computes its upper triangle by BLAS (Dsyrk and Dgemm) and mirrors it, half the products of
// the blocks, when it has at most gramMaxEntries entries. The expansion stays a selection within the same bounds
// (any summation order), and on exact data x_i·x_j = x_j·x_i exactly, so the results are the
// same bit for bit.
const (
	// blockedMinDim is the smallest dimension searched in blocks; below it the direct loop of
	// bruteQueryBatch is as fast.
	blockedMinDim = 16
	queryBlock    = 256
	trainBlock    = 2048
	// maxNorm bounds the squared norms for which the expansion cannot overflow.
	maxNorm = 1e300
	// gramMaxEntries bounds the Gram matrix of self queries: n² ≤ 2²³ entries (64 MiB, n ≤ 2896).
	gramMaxEntries = 1 << 23
	// gramTileMin is the smallest side of selfGram's product tiles, gramBand the side of the
	// tiles in which it mirrors the upper triangle.
	gramTileMin = 256
	gramBand    = 64
)

// blockedQuery is one query's state in the blocked search.
type blockedQuery struct {
	vals  []float64 // the exact neighbour heap, as in bruteQuery (squared distances)
	ids   []int32
	upper []float64 // max-heap of the k smallest upper bounds a + e seen
	// Candidates not yet pushed, in index order: row, lower bound a − e, direct distance (NaN
	// until computed).
	pending []int32
	lower   []float64
	direct  []float64
	sel     []selected // scratch of finish
}

// selected is a neighbour candidate of finish.
type selected struct {
	v  float64
	id int32
}

func newBlockedQuery(kk int) blockedQuery {
	c := pendingMax(kk) + trainBlock
	return blockedQuery{
		vals: make([]float64, kk), ids: make([]int32, kk), upper: make([]float64, kk),
		pending: make([]int32, 0, c), lower: make([]float64, 0, c), direct: make([]float64, 0, c),
	}
}

func (st *blockedQuery) reset() {
	resetHeap(st.vals, st.ids)
	for j := range st.upper {
		st.upper[j] = math.Inf(1)
	}
	st.pending, st.lower, st.direct = st.pending[:0], st.lower[:0], st.direct[:0]
}

// pendingMax returns the number of pending candidates above which a query replays them.
func pendingMax(kk int) int { return 8*kk + 256 }

// prepareBlocked computes the training rows' squared norms when the model searches by blocks:
// brute force, d ≥ blockedMinDim, norms small enough, and not direct.
func (m *Model) prepareBlocked(direct bool) {
	m.xnorm = nil
	if m.algo != Brute || m.d < blockedMinDim || direct {
		return
	}
	if xn, ok := squaredNorms(m.x, m.n, m.d); ok {
		m.xnorm = xn
		m.xlo, m.xhi = exactRange(m.x)
	}
}

// squaredNorms returns ‖x_i‖² of the rows of the n×d matrix x, and whether all are below
// maxNorm.
func squaredNorms(x []float64, n, d int) ([]float64, bool) {
	out := make([]float64, n)
	ok := true
	for i := range out {
		s := 0.0
		for _, v := range x[i*d : i*d+d] {
			s += v * v
		}
		out[i] = s
		if !(s < maxNorm) {
			ok = false
		}
	}
	return out, ok
}

// exactRange returns the smallest lo and largest hi such that every value of x is an integer
// multiple of 2^lo and below 2^hi in magnitude (lo = +big, hi = −big for all zeros).
func exactRange(x []float64) (lo, hi int) {
	lo, hi = math.MaxInt32, math.MinInt32
	for _, v := range x {
		if v == 0 {
			continue
		}
		frac, e := math.Frexp(v) // |v| = |frac|·2^e, |frac| ∈ [0.5, 1)
		m := uint64(math.Abs(frac) * (1 << 53))
		lo = min(lo, e-53+bits.TrailingZeros64(m))
		hi = max(hi, e)
	}
	return lo, hi
}

// exactFor reports whether the expansion is exact for values in the range (lo, hi) and
// dimension d: 2(hi − lo) + log₂(4d) ≤ 53.
func exactFor(lo, hi, d int) bool {
	if lo > hi {
		return true // all zeros
	}
	return 2*(hi-lo)+bits.Len(uint(4*d)) <= 53
}

// searchBlocked is neighbors for the blocked brute force: the kk nearest training points of the
// nq queries q(0), …, q(nq−1), emitted as bruteQuery and finishHeap produce them. self says
// that q(r) is training row r.
func (m *Model) searchBlocked(ctx context.Context, nq, kk int, self bool, q func(r int) []float64, emit emitFunc, scratches []*scratch) error {
	impl, _, threaded := blasimpl.Float64()
	if !threaded {
		defer blasimpl.SingleThreaded()()
	}
	d, n := m.d, m.n
	qb, tb := min(queryBlock, nq), min(trainBlock, n)
	qbuf := make([]float64, qb*d)
	var gram, cbuf []float64
	if self && !m.noGram && n <= gramMaxEntries/n {
		var err error
		if gram, err = m.selfGram(ctx, impl, threaded); err != nil {
			return err
		}
	} else {
		cbuf = make([]float64, qb*tb)
	}
	states := make([]blockedQuery, qb)
	for i := range states {
		states[i] = newBlockedQuery(kk)
	}
	factor := float64(4*d+32) * 0x1p-52
	for lo := 0; lo < nq; lo += qb {
		hi := min(lo+qb, nq)
		nb := hi - lo
		for i := 0; i < nb; i++ {
			copy(qbuf[i*d:i*d+d], q(lo+i))
		}
		qn, ok := squaredNorms(qbuf[:nb*d], nb, d)
		if !ok {
			// Values too large for the expansion: the direct search, as for low dimension.
			err := parallel.For(ctx, nb, bruteBatch, len(scratches), func(w, a, b int) {
				m.search(scratches[w], lo+a, lo+b, kk, q, func(r int, vals []float64, ids []int32) { emit(scratches[w], r, vals, ids) })
			})
			if err != nil {
				return err
			}
			continue
		}
		qlo, qhi := exactRange(qbuf[:nb*d])
		exact := exactFor(min(qlo, m.xlo), max(qhi, m.xhi), d)
		for i := 0; i < nb; i++ {
			states[i].reset()
		}
		for tlo := 0; tlo < n; tlo += tb {
			tn := min(tlo+tb, n) - tlo
			// dots(i) are query lo+i's dot products with the training rows tlo, …, tlo+tn−1.
			dots := func(i int) []float64 { return cbuf[i*tn : i*tn+tn] }
			if gram != nil {
				dots = func(i int) []float64 { r := (lo+i)*n + tlo; return gram[r : r+tn] }
			} else if err := m.blockProduct(ctx, impl, threaded, nb, tn, qbuf, m.x[tlo*d:], cbuf); err != nil {
				return err
			}
			err := parallel.For(ctx, nb, 8, len(scratches), func(_, a, b int) {
				for i := a; i < b; i++ {
					dots := dots(i)
					if exact {
						m.scanExact(&states[i], qn[i], dots, tlo)
					} else {
						m.scanRow(&states[i], qbuf[i*d:i*d+d], qn[i], dots, tlo, factor, kk)
					}
				}
			})
			if err != nil {
				return err
			}
		}
		err := parallel.For(ctx, nb, 8, len(scratches), func(w, a, b int) {
			for i := a; i < b; i++ {
				st := &states[i]
				if !exact {
					m.finish(st, qbuf[i*d:i*d+d])
				}
				finishHeap(st.vals, st.ids)
				emit(scratches[w], lo+i, st.vals, st.ids)
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// blockProduct sets c (nb×tn, row-major) to the dot products of the nb queries in qbuf with
// the tn training rows starting at x. A BLAS that threads itself gets the whole product;
// otherwise it is split into bands of query rows over the workers.
func (m *Model) blockProduct(ctx context.Context, impl blas.Float64, threaded bool, nb, tn int, qbuf, x, c []float64) error {
	d := m.d
	call := func(r0, r1 int) {
		impl.Dgemm(blas.NoTrans, blas.Trans, r1-r0, tn, d, 1, qbuf[r0*d:], d, x, d, 0, c[r0*tn:], tn)
	}
	if threaded || m.workers <= 1 {
		call(0, nb)
		return ctx.Err()
	}
	band := max(16, (nb+m.workers-1)/m.workers)
	return parallel.For(ctx, nb, band, m.workers, func(_, a, b int) { call(a, b) })
}

// selfGram returns the Gram matrix G = X·Xᵀ of the training rows (n×n, row-major). Its upper
// triangle is computed in square tiles of a block of rows by a block of rows: a diagonal tile by
// BLAS Dsyrk (its own upper triangle), a tile above the diagonal by Dgemm, the tiles spread over
// the workers, largest first; each entry below the diagonal is then copied from its mirror, in
// tiles of gramBand. Two blocks of rows per worker keep the products large (a 64-row band per
// product ran at 60% of a full product's rate) and the workers evenly loaded.
func (m *Model) selfGram(ctx context.Context, impl blas.Float64, threaded bool) ([]float64, error) {
	n, d := m.n, m.d
	g := make([]float64, n*n)
	workers := m.workers
	if threaded {
		workers = 1 // the BLAS threads each product itself
	}
	bs := max(gramTileMin, (n+2*workers-1)/(2*workers))
	blocks := (n + bs - 1) / bs
	type tile struct{ i, j int } // blocks of rows i ≤ j
	var tiles []tile
	for i := 0; i < blocks; i++ { // above the diagonal: twice a diagonal tile's products
		for j := i + 1; j < blocks; j++ {
			tiles = append(tiles, tile{i, j})
		}
	}
	for i := 0; i < blocks; i++ {
		tiles = append(tiles, tile{i, i})
	}
	err := parallel.For(ctx, len(tiles), 1, workers, func(_, a, b int) {
		for _, t := range tiles[a:b] {
			r0, c0 := t.i*bs, t.j*bs
			r1, c1 := min(r0+bs, n), min(c0+bs, n)
			if t.i == t.j {
				impl.Dsyrk(blas.Upper, blas.NoTrans, r1-r0, d, 1, m.x[r0*d:], d, 0, g[r0*n+r0:], n)
			} else {
				impl.Dgemm(blas.NoTrans, blas.Trans, r1-r0, c1-c0, d, 1, m.x[r0*d:], d, m.x[c0*d:], d, 0, g[r0*n+c0:], n)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	// Band i of rows holds, left of its diagonal tile, the mirrors of the column tiles above.
	bands := (n + gramBand - 1) / gramBand
	err = parallel.For(ctx, bands, 1, m.workers, func(_, a, b int) {
		for band := a; band < b; band++ {
			r0 := band * gramBand
			r1 := min(r0+gramBand, n)
			for c0 := 0; c0 < r1; c0 += gramBand {
				c1 := min(c0+gramBand, n)
				for i := r0; i < r1; i++ {
					row := g[i*n : i*n+n]
					for j := c0; j < min(c1, i); j++ {
						row[j] = g[j*n+i]
					}
				}
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// scanExact pushes the training rows tlo, tlo+1, … into st's heap with their squared distances
// from the expansion, which on exact data are the direct ones.
func (m *Model) scanExact(st *blockedQuery, qn float64, dots []float64, tlo int) {
	xn := m.xnorm[tlo : tlo+len(dots)]
	for j, dot := range dots {
		if a := qn + xn[j] - 2*dot; a < st.vals[0] {
			heapPush(st.vals, st.ids, a, int32(tlo+j))
		}
	}
}

// scanRow goes through one query's dot products dots with the training rows tlo, tlo+1, …, and
// appends the candidates to st.pending (see the comment at the top of this file).
func (m *Model) scanRow(st *blockedQuery, q []float64, qn float64, dots []float64, tlo int, factor float64, kk int) {
	xn := m.xnorm[tlo : tlo+len(dots)]
	bound := min(st.upper[0], st.vals[0])
	for j, dot := range dots {
		s := qn + xn[j]
		a := s - 2*dot
		e := factor * s
		if a-e > bound {
			continue
		}
		st.pending = append(st.pending, int32(tlo+j))
		st.lower = append(st.lower, a-e)
		st.direct = append(st.direct, math.NaN())
		if u := a + e; u < st.upper[0] {
			pushUpper(st.upper, u)
			bound = min(st.upper[0], st.vals[0])
		}
	}
	if len(st.pending) > pendingMax(kk) {
		m.replay(st, q)
	}
}

// directAt returns the direct squared distance of st's pending candidate c from q, computing it
// once.
func (m *Model) directAt(st *blockedQuery, c int, q []float64) float64 {
	if v := st.direct[c]; !math.IsNaN(v) {
		return v
	}
	p := int(st.pending[c])
	v := rdist(q, m.x[p*m.d:p*m.d+m.d])
	st.direct[c] = v
	return v
}

// direct4 computes the direct squared distances of four pending candidates of st from q at
// once: four independent chains of additions, each in rdist's order.
func (m *Model) direct4(st *blockedQuery, c *[4]int, q []float64) {
	d := m.d
	row := func(i int) []float64 { p := int(st.pending[c[i]]); return m.x[p*d : p*d+d] }
	p0, p1, p2, p3 := row(0), row(1), row(2), row(3)
	var r0, r1, r2, r3 float64
	for j, qj := range q {
		u0, u1, u2, u3 := qj-p0[j], qj-p1[j], qj-p2[j], qj-p3[j]
		r0 += float64(u0 * u0)
		r1 += float64(u1 * u1)
		r2 += float64(u2 * u2)
		r3 += float64(u3 * u3)
	}
	st.direct[c[0]], st.direct[c[1]], st.direct[c[2]], st.direct[c[3]] = r0, r1, r2, r3
}

// replay pushes st's pending candidates, in index order, with their direct squared distances to
// q, as bruteQuery does, and empties the list.
func (m *Model) replay(st *blockedQuery, q []float64) {
	for c, p := range st.pending {
		if st.lower[c] > st.vals[0] {
			continue // its distance is above the root: heapPush would reject it
		}
		if rd := m.directAt(st, c, q); rd < st.vals[0] {
			heapPush(st.vals, st.ids, rd, p)
		}
	}
	st.pending, st.lower, st.direct = st.pending[:0], st.lower[:0], st.direct[:0]
}

// finish leaves in st's heap the neighbours bruteQuery would have left there: the unique
// answer when there are no ties among the nearest, else a replay (see the top of the file).
func (m *Model) finish(st *blockedQuery, q []float64) {
	kk := len(st.vals)
	bound := min(st.upper[0], st.vals[0])
	sel := st.sel[:0]
	for j, v := range st.vals {
		if !math.IsInf(v, 1) {
			sel = append(sel, selected{v, st.ids[j]})
		}
	}
	var batch [4]int // pending candidates whose direct distances are computed together
	nb := 0
	for c := range st.pending {
		if st.lower[c] > bound {
			continue
		}
		batch[nb] = c
		if nb++; nb == len(batch) {
			m.direct4(st, &batch, q)
			nb = 0
		}
	}
	for _, c := range batch[:nb] {
		m.directAt(st, c, q)
	}
	for c, p := range st.pending {
		if st.lower[c] <= bound {
			sel = append(sel, selected{st.direct[c], p})
		}
	}
	st.sel = sel
	if len(sel) >= kk {
		slices.SortFunc(sel, func(a, b selected) int { return cmp.Compare(a.v, b.v) })
		unique := len(sel) == kk || sel[kk-1].v < sel[kk].v
		for j := 1; j < kk && unique; j++ {
			unique = sel[j-1].v < sel[j].v
		}
		if unique {
			// finishHeap's sort of these distinct values gives this order.
			for j := range st.vals {
				st.vals[j], st.ids[j] = sel[j].v, sel[j].id
			}
			st.pending, st.lower, st.direct = st.pending[:0], st.lower[:0], st.direct[:0]
			return
		}
	}
	m.replay(st, q)
}

// rdist is the squared distance Σ_j (q_j − p_j)², summed in order as rdistBounded does.
func rdist(q, p []float64) float64 {
	p = p[:len(q)]
	rd := 0.0
	for j := range q {
		u := q[j] - p[j]
		rd += float64(u * u)
	}
	return rd
}

// pushUpper replaces the root of the max-heap h (the largest value) by v < h[0] and restores
// the heap order.
func pushUpper(h []float64, v float64) {
	cur := 0
	for {
		l := 2*cur + 1
		if l >= len(h) {
			break
		}
		c := l
		if r := l + 1; r < len(h) && h[r] > h[l] {
			c = r
		}
		if h[c] <= v {
			break
		}
		h[cur] = h[c]
		cur = c
	}
	h[cur] = v
}
