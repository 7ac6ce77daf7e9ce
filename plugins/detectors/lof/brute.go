package lof

// bruteQuery fills the max-heap (vals, ids), initialised by the caller to (+Inf, 0), with the
// len(vals) nearest rows of the n×d matrix x to q, as squared distances. Rows are pushed in
// index order, as scikit-learn 1.2.1's ArgKmin does (one heap per query, training rows visited
// chunk after chunk), so among exactly equidistant rows the lower index is kept.
//
// Difference from sklearn: ArgKmin computes ‖q−x‖² as ‖q‖² − 2q·x + ‖x‖² through BLAS, which
// carries a rounding error of about 1e-16·(‖q‖² + ‖x‖²); here it is the direct sum of squared
// differences, as the k-d tree does. On data without (near-)duplicate points this changes the
// LOF by about 1e-15 relative (ADBench cardio, 21-D: 1e-15). Between exactly duplicated points
// sklearn's expansion usually gives 0 too, but not always: with features of magnitude ~300 it
// left a distance of 2e-5 between two copies, and since the 1e-10 of the LRD then no longer
// dominates, sklearn's LOF of such points differs from this exact computation by up to 100 %
// (seen on 20-D Gaussian data with duplicated rows; sklearn's own kd_tree agrees with this one).
func bruteQuery(x []float64, d int, q []float64, vals []float64, ids []int32) {
	n := len(x) / d
	if d == 2 {
		q0, q1 := q[0], q[1]
		for i := 0; i < n; i++ {
			u0 := q0 - x[2*i]
			u1 := q1 - x[2*i+1]
			rd := float64(u0*u0) + float64(u1*u1)
			if rd < vals[0] {
				heapPush(vals, ids, rd, int32(i))
			}
		}
		return
	}
	for i := 0; i < n; i++ {
		if rd := rdistBounded(q, x[i*d:i*d+d], vals[0]); rd < vals[0] {
			heapPush(vals, ids, rd, int32(i))
		}
	}
}

// rdistBounded returns the squared distance Σ_j (q_j − p_j)², summed in order as sklearn's
// euclidean rdist does, or any partial sum that has already reached bound (every 8 terms it
// checks). A partial sum never exceeds the full one (adding a non-negative term never rounds a
// sum down), so a point whose partial sum reaches the current k-th distance would be rejected
// by heapPush anyway, and stopping early changes no result.
func rdistBounded(q, p []float64, bound float64) float64 {
	p = p[:len(q)]
	rd := 0.0
	j := 0
	for ; j+8 <= len(q); j += 8 {
		for c := j; c < j+8; c++ {
			u := q[c] - p[c]
			rd += float64(u * u)
		}
		if rd >= bound {
			return rd
		}
	}
	for ; j < len(q); j++ {
		u := q[j] - p[j]
		rd += float64(u * u)
	}
	return rd
}

// bruteBatch is the number of queries bruteQueryBatch serves per pass over the training points.
const bruteBatch = 4

// bruteQueryBatch is bruteQuery for bruteBatch queries at once: each training row is loaded once
// for all of them, and their four running sums are independent chains the CPU overlaps. Each
// query's heap sees the same pushes in the same order as with bruteQuery.
func bruteQueryBatch(x []float64, d int, qs *[bruteBatch][]float64, vals *[bruteBatch][]float64, ids *[bruteBatch][]int32) {
	n := len(x) / d
	q0, q1, q2, q3 := qs[0][:d], qs[1][:d], qs[2][:d], qs[3][:d]
	v0, v1, v2, v3 := vals[0], vals[1], vals[2], vals[3]
rows:
	for i := 0; i < n; i++ {
		p := x[i*d : i*d+d]
		var r0, r1, r2, r3 float64
		j := 0
		for ; j+8 <= d; j += 8 {
			for c := j; c < j+8; c++ {
				pc := p[c]
				u0, u1, u2, u3 := q0[c]-pc, q1[c]-pc, q2[c]-pc, q3[c]-pc
				r0 += float64(u0 * u0)
				r1 += float64(u1 * u1)
				r2 += float64(u2 * u2)
				r3 += float64(u3 * u3)
			}
			if r0 >= v0[0] && r1 >= v1[0] && r2 >= v2[0] && r3 >= v3[0] {
				continue rows // partial sums only grow: no heap would take this row
			}
		}
		for ; j < d; j++ {
			pc := p[j]
			u0, u1, u2, u3 := q0[j]-pc, q1[j]-pc, q2[j]-pc, q3[j]-pc
			r0 += float64(u0 * u0)
			r1 += float64(u1 * u1)
			r2 += float64(u2 * u2)
			r3 += float64(u3 * u3)
		}
		if r0 < v0[0] {
			heapPush(v0, ids[0], r0, int32(i))
		}
		if r1 < v1[0] {
			heapPush(v1, ids[1], r1, int32(i))
		}
		if r2 < v2[0] {
			heapPush(v2, ids[2], r2, int32(i))
		}
		if r3 < v3[0] {
			heapPush(v3, ids[3], r3, int32(i))
		}
	}
}
