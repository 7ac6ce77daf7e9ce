package blasimpl

import (
	"math"
	"math/rand/v2"
	"testing"
)

func randMatrix(r *rand.Rand, rows, k int) []float64 {
	a := make([]float64, rows*k)
	for i := range a {
		a[i] = r.NormFloat64()*3 + 10
	}
	return a
}

// TestDotsNT: the product is right; with StableDots each entry is the same number whether it
// is computed in the whole product, in a band of rows or of columns, or alone.
func TestDotsNT(t *testing.T) {
	defer SingleThreaded()()
	r := rand.New(rand.NewPCG(3, 4))
	for _, k := range []int{1, 33, 100, 700, 1500} {
		const m, n = 37, 300
		a, b := randMatrix(r, m, k), randMatrix(r, n, k)
		full := make([]float64, m*n)
		DotsNT(m, n, k, a, k, b, k, full, n)
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				want := 0.0
				for l := 0; l < k; l++ {
					want += a[i*k+l] * b[j*k+l]
				}
				if got := full[i*n+j]; math.Abs(got-want) > 1e-12*math.Abs(want) {
					t.Fatalf("k %d: entry (%d, %d) = %v, want %v", k, i, j, got, want)
				}
			}
		}
		if !StableDots {
			continue
		}
		for _, band := range [][2]int{{1, 1}, {1, n}, {5, 7}, {16, 64}, {m, 3}} {
			c := make([]float64, band[0]*band[1])
			for i0 := 0; i0 < m; i0 += band[0] {
				for j0 := 0; j0 < n; j0 += band[1] {
					mi, nj := min(band[0], m-i0), min(band[1], n-j0)
					DotsNT(mi, nj, k, a[i0*k:], k, b[j0*k:], k, c, nj)
					for i := 0; i < mi; i++ {
						for j := 0; j < nj; j++ {
							if c[i*nj+j] != full[(i0+i)*n+j0+j] {
								t.Fatalf("k %d, bands %v: entry (%d, %d) = %v, %v in the whole product",
									k, band, i0+i, j0+j, c[i*nj+j], full[(i0+i)*n+j0+j])
							}
						}
					}
				}
			}
		}
	}
}

// TestDotsNTRowPlace: in products of one shape with m and n multiples of 8, a row of A gives the
// same entries wherever it is (what ocsvm's decision function relies on for equal rows to score
// equally), for either BLAS.
func TestDotsNTRowPlace(t *testing.T) {
	defer SingleThreaded()()
	r := rand.New(rand.NewPCG(5, 6))
	for _, k := range []int{2, 33, 100, 257, 1500} {
		for _, n := range []int{8, 24, 296, 1000} {
			const m = 64
			a, b := randMatrix(r, m, k), randMatrix(r, n, k)
			c := make([]float64, m*n)
			DotsNT(m, n, k, a, k, b, k, c, n)
			for _, place := range []int{1, 3, 4, 9, 62, 63} {
				a2 := make([]float64, m*k) // row 0 of a at place, zeros elsewhere
				copy(a2[place*k:place*k+k], a[:k])
				c2 := make([]float64, m*n)
				DotsNT(m, n, k, a2, k, b, k, c2, n)
				for j := 0; j < n; j++ {
					if c2[place*n+j] != c[j] {
						t.Fatalf("k %d, n %d: row 0 at place %d: entry %d = %v, %v at place 0", k, n, place, j, c2[place*n+j], c[j])
					}
				}
			}
		}
	}
}
