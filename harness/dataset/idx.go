package dataset

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/latentbench/latentbench/sdk"
)

// IDX magic numbers (the IDX format of LeCun, Cortes & Burges's database of
// handwritten digits, 1998: a big-endian header of two zero bytes, a type
// byte and a dimension count, then one 32-bit size per dimension):
// 0x00000803 = unsigned bytes, 3 dimensions (images); 0x00000801 =
// unsigned bytes, 1 dimension (labels).
const (
	idxImagesMagic = 0x00000803
	idxLabelsMagic = 0x00000801
)

// readIDX reads an IDX file of unsigned bytes (gzip-compressed or not) with
// the given magic number, checking that the data has exactly the size its
// dimensions give. It returns the dimensions and the data.
func readIDX(path string, magic uint32) (dims []int, data []byte, err error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var r io.Reader = bytes.NewReader(raw)
	if len(raw) >= 2 && raw[0] == 0x1f && raw[1] == 0x8b {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, nil, fmt.Errorf("%s: reading the IDX header: %w", path, err)
	}
	if got := binary.BigEndian.Uint32(head[:]); got != magic {
		return nil, nil, fmt.Errorf("%s: IDX magic number 0x%08x, want 0x%08x", path, got, magic)
	}
	nd := int(magic & 0xff)
	dimBytes := make([]byte, 4*nd)
	if _, err := io.ReadFull(r, dimBytes); err != nil {
		return nil, nil, fmt.Errorf("%s: reading the IDX dimensions: %w", path, err)
	}
	size := 1
	for i := 0; i < nd; i++ {
		n := int(binary.BigEndian.Uint32(dimBytes[4*i:]))
		if n <= 0 || n > 1<<28 {
			return nil, nil, fmt.Errorf("%s: IDX dimension %d is %d", path, i, n)
		}
		dims = append(dims, n)
		size *= n
	}
	if size > 1<<32 {
		return nil, nil, fmt.Errorf("%s: IDX data of %d bytes is too large", path, size)
	}
	data = make([]byte, size)
	if n, err := io.ReadFull(r, data); err != nil {
		return nil, nil, fmt.Errorf("%s: IDX data has %d bytes, want %d for dimensions %v", path, n, size, dims)
	}
	var extra [1]byte
	if n, _ := r.Read(extra[:]); n > 0 {
		return nil, nil, fmt.Errorf("%s: IDX file has bytes after the %d the dimensions %v give", path, size, dims)
	}
	if _, err := io.Copy(io.Discard, r); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return dims, data, nil
}

// idxSplit is one set of images and labels.
type idxSplit struct {
	n, rows, cols int
	pixels        []byte
	labels        []byte
}

// readIDXSplit reads one split's images and labels files from dir.
func readIDXSplit(dir, images, labels string) (*idxSplit, error) {
	var (
		wg           sync.WaitGroup
		idims, ldims []int
		pix, lab     []byte
		ierr, lerr   error
		ipath, lpath = filepath.Join(dir, images), filepath.Join(dir, labels)
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		ldims, lab, lerr = readIDX(lpath, idxLabelsMagic)
	}()
	idims, pix, ierr = readIDX(ipath, idxImagesMagic)
	wg.Wait()
	if err := errors.Join(ierr, lerr); err != nil {
		return nil, err
	}
	if idims[0] != ldims[0] {
		return nil, fmt.Errorf("%s has %d images but %s has %d labels", ipath, idims[0], lpath, ldims[0])
	}
	for i, v := range lab {
		if v > 9 {
			return nil, fmt.Errorf("%s: label %d of item %d is not a digit 0-9", lpath, v, i)
		}
	}
	return &idxSplit{n: idims[0], rows: idims[1], cols: idims[2], pixels: pix, labels: lab}, nil
}

// loadIDX reads the train and test splits from the IDX files of the Spec's
// directory (train images and labels, test images and labels). X =
// pixel/255 as float32 (row-major pixels of each image), one FeatureBlock
// "pixels" of kind unit, columns "px0".."px{D-1}", Classes "0".."9".
func loadIDX(ctx context.Context, s Spec, baseDir string) (*Loaded, error) {
	dir := s.sourcePath(baseDir)
	files := s.idxNames()
	var (
		wg                sync.WaitGroup
		train, test       *idxSplit
		trainErr, testErr error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		test, testErr = readIDXSplit(dir, files[2], files[3])
	}()
	train, trainErr = readIDXSplit(dir, files[0], files[1])
	wg.Wait()
	if err := errors.Join(trainErr, testErr); err != nil {
		return nil, err
	}
	if train.rows != test.rows || train.cols != test.cols {
		return nil, fmt.Errorf("%s: train images are %dx%d but test images %dx%d", dir, train.rows, train.cols, test.rows, test.cols)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rep := LoadReport{Rows: train.n + test.n, MissingByColumn: map[string]int{}, UnseenByColumn: map[string]int{}}
	for _, f := range files {
		rep.Files = append(rep.Files, filepath.Join(dir, f))
	}
	trainRows, testRows, err := splitAndSample(&s, seq(train.n), seq(test.n), &rep)
	if err != nil {
		return nil, err
	}
	d := train.rows * train.cols
	classes := make([]string, 10)
	for i := range classes {
		classes[i] = strconv.Itoa(i)
	}
	columns := make([]string, d)
	for j := range columns {
		columns[j] = "px" + strconv.Itoa(j)
	}
	rep.Numeric = []string{"pixels"}
	var lut [256]float32
	for i := range lut {
		lut[i] = float32(i) / 255
	}
	build := func(sp *idxSplit, rows []int) Data {
		out := Data{
			X: make([]float32, len(rows)*d), N: len(rows), D: d,
			Labels: make([]int32, len(rows)), Classes: classes,
			Features: []sdk.FeatureBlock{{Name: "pixels", Kind: sdk.FeatureUnit, Start: 0, Width: d}},
			Columns:  columns,
		}
		const block = 4096 // images per parallel task
		parallelFor((len(rows)+block-1)/block, func(b int) {
			for i := b * block; i < min(len(rows), (b+1)*block); i++ {
				r := rows[i]
				src := sp.pixels[r*d : (r+1)*d]
				dst := out.X[i*d : (i+1)*d]
				for j, p := range src {
					dst[j] = lut[p]
				}
				out.Labels[i] = int32(sp.labels[r])
			}
		})
		return out
	}
	return &Loaded{Report: rep, Train: build(train, trainRows), Test: build(test, testRows)}, nil
}

// seq returns 0..n-1.
func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
