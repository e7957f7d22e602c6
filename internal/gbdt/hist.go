package gbdt

import "math"

// A histogram holds one [256]gpair slot per feature; feature f's bins are
// hist[f*256 : f*256+NumBins(f)], bin 0 counting missing values. Slots are
// full-size so that a uint8 bin code indexes one without a bounds check;
// only the used bins are ever cleared, subtracted or scanned.

// slot returns feature f's bins of hist.
func slot(hist []gpair, f int32) *[256]gpair {
	return (*[256]gpair)(hist[int(f)*256 : int(f)*256+256])
}

// maxGroup is the largest number of features one histogram task fills in a
// single pass over its rows.
const maxGroup = 8

// histGroup adds every row's gradient pair to its bin in each feature of a
// group. rows == nil means rows 0..len(grad)-1 in order, otherwise grad[i]
// belongs to row rows[i]. Filling several features per pass loads each
// pair once and, more importantly, interleaves independent updates: with
// one feature at a time, a run of rows in the same bin (a one-hot column)
// makes every update wait for the previous one to be stored.
func histGroup(hs []*[256]gpair, cols [][]uint8, rows []int32, grad []gpair) {
	for len(hs) > 0 {
		switch {
		case len(hs) >= 8:
			hist8(hs[:8], cols[:8], rows, grad)
			hs, cols = hs[8:], cols[8:]
		case len(hs) >= 4:
			hist4(hs[:4], cols[:4], rows, grad)
			hs, cols = hs[4:], cols[4:]
		case len(hs) >= 2:
			hist2(hs[:2], cols[:2], rows, grad)
			hs, cols = hs[2:], cols[2:]
		default:
			hist1(hs[0], cols[0], rows, grad)
			hs, cols = hs[1:], cols[1:]
		}
	}
}

func hist1(h *[256]gpair, col []uint8, rows []int32, grad []gpair) {
	if rows == nil {
		col = col[:len(grad)]
		for i, p := range grad {
			b := &h[col[i]]
			b.g += p.g
			b.h += p.h
		}
		return
	}
	grad = grad[:len(rows)]
	for i, r := range rows {
		b := &h[col[r]]
		b.g += grad[i].g
		b.h += grad[i].h
	}
}

func hist2(hs []*[256]gpair, cols [][]uint8, rows []int32, grad []gpair) {
	h0, h1 := hs[0], hs[1]
	c0, c1 := cols[0], cols[1]
	add := func(h *[256]gpair, c uint8, p gpair) {
		b := &h[c]
		b.g += p.g
		b.h += p.h
	}
	if rows == nil {
		n := len(grad)
		c0, c1 = c0[:n], c1[:n]
		for i, p := range grad {
			add(h0, c0[i], p)
			add(h1, c1[i], p)
		}
		return
	}
	grad = grad[:len(rows)]
	for i, r := range rows {
		p := grad[i]
		add(h0, c0[r], p)
		add(h1, c1[r], p)
	}
}

func hist4(hs []*[256]gpair, cols [][]uint8, rows []int32, grad []gpair) {
	h0, h1, h2, h3 := hs[0], hs[1], hs[2], hs[3]
	c0, c1, c2, c3 := cols[0], cols[1], cols[2], cols[3]
	add := func(h *[256]gpair, c uint8, p gpair) {
		b := &h[c]
		b.g += p.g
		b.h += p.h
	}
	if rows == nil {
		n := len(grad)
		c0, c1, c2, c3 = c0[:n], c1[:n], c2[:n], c3[:n]
		for i, p := range grad {
			add(h0, c0[i], p)
			add(h1, c1[i], p)
			add(h2, c2[i], p)
			add(h3, c3[i], p)
		}
		return
	}
	grad = grad[:len(rows)]
	for i, r := range rows {
		p := grad[i]
		add(h0, c0[r], p)
		add(h1, c1[r], p)
		add(h2, c2[r], p)
		add(h3, c3[r], p)
	}
}

func hist8(hs []*[256]gpair, cols [][]uint8, rows []int32, grad []gpair) {
	h0, h1, h2, h3, h4, h5, h6, h7 := hs[0], hs[1], hs[2], hs[3], hs[4], hs[5], hs[6], hs[7]
	c0, c1, c2, c3, c4, c5, c6, c7 := cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6], cols[7]
	add := func(h *[256]gpair, c uint8, p gpair) {
		b := &h[c]
		b.g += p.g
		b.h += p.h
	}
	if rows == nil {
		n := len(grad)
		c0, c1, c2, c3 = c0[:n], c1[:n], c2[:n], c3[:n]
		c4, c5, c6, c7 = c4[:n], c5[:n], c6[:n], c7[:n]
		for i, p := range grad {
			add(h0, c0[i], p)
			add(h1, c1[i], p)
			add(h2, c2[i], p)
			add(h3, c3[i], p)
			add(h4, c4[i], p)
			add(h5, c5[i], p)
			add(h6, c6[i], p)
			add(h7, c7[i], p)
		}
		return
	}
	grad = grad[:len(rows)]
	for i, r := range rows {
		p := grad[i]
		add(h0, c0[r], p)
		add(h1, c1[r], p)
		add(h2, c2[r], p)
		add(h3, c3[r], p)
		add(h4, c4[r], p)
		add(h5, c5[r], p)
		add(h6, c6[r], p)
		add(h7, c7[r], p)
	}
}

// histSparse fills features whose rows mostly sit in one bin each,
// skip[k] for feature k, adding only the rows in other bins; the caller
// derives the skipped bins from the node total. rows and grad are as for
// histGroup. The features share one pass over the rows.
func histSparse(hs []*[256]gpair, cols [][]uint8, skip []uint8, rows []int32, grad []gpair) {
	for len(hs) >= 4 {
		sparse4(hs[:4], cols[:4], skip[:4], rows, grad)
		hs, cols, skip = hs[4:], cols[4:], skip[4:]
	}
	for k := range hs {
		sparse1(hs[k], cols[k], skip[k], rows, grad)
	}
}

func sparse1(h *[256]gpair, col []uint8, skip uint8, rows []int32, grad []gpair) {
	if rows == nil {
		col = col[:len(grad)]
		for i, c := range col {
			if c != skip {
				b := &h[c]
				b.g += grad[i].g
				b.h += grad[i].h
			}
		}
		return
	}
	grad = grad[:len(rows)]
	for i, r := range rows {
		if c := col[r]; c != skip {
			b := &h[c]
			b.g += grad[i].g
			b.h += grad[i].h
		}
	}
}

func sparse4(hs []*[256]gpair, cols [][]uint8, skip []uint8, rows []int32, grad []gpair) {
	h0, h1, h2, h3 := hs[0], hs[1], hs[2], hs[3]
	c0, c1, c2, c3 := cols[0], cols[1], cols[2], cols[3]
	s0, s1, s2, s3 := skip[0], skip[1], skip[2], skip[3]
	add := func(h *[256]gpair, c uint8, p gpair) {
		b := &h[c]
		b.g += p.g
		b.h += p.h
	}
	if rows == nil {
		n := len(grad)
		c0, c1, c2, c3 = c0[:n], c1[:n], c2[:n], c3[:n]
		for i := range grad {
			if b := c0[i]; b != s0 {
				add(h0, b, grad[i])
			}
			if b := c1[i]; b != s1 {
				add(h1, b, grad[i])
			}
			if b := c2[i]; b != s2 {
				add(h2, b, grad[i])
			}
			if b := c3[i]; b != s3 {
				add(h3, b, grad[i])
			}
		}
		return
	}
	grad = grad[:len(rows)]
	for i, r := range rows {
		if b := c0[r]; b != s0 {
			add(h0, b, grad[i])
		}
		if b := c1[r]; b != s1 {
			add(h1, b, grad[i])
		}
		if b := c2[r]; b != s2 {
			add(h2, b, grad[i])
		}
		if b := c3[r]; b != s3 {
			add(h3, b, grad[i])
		}
	}
}

// deriveSkipped sets bin skip of a sparse feature's histogram h (its used
// bins) to the node total minus the other bins. A result that is only
// rounding noise of the total, as when no row of the node is in bin skip,
// is set to exactly zero so that the bin counts as empty.
func deriveSkipped(h []gpair, skip uint8, total gpair) {
	rest := gpair{}
	for b := range h {
		if b != int(skip) {
			rest.g += h[b].g
			rest.h += h[b].h
		}
	}
	d := total.sub(rest)
	if math.Abs(d.h) <= 1e-12*math.Abs(total.h) {
		d = gpair{}
	}
	h[skip] = d
}
