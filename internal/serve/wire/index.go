package wire

import "math/bits"

// Index maps the field names of a model's inputs to their positions: an
// open-addressing hash table built once per loaded model. The decoder
// looks up every field of every request in it, so it is kept simpler and
// faster than a map: a cheap hash of the name's length and first and last
// bytes (enough to tell input names apart in practice; collisions are
// resolved by probing and comparing the whole name). An Index is never
// changed after NewIndex returns, so any number of goroutines may use it.
type Index struct {
	slots []indexSlot
	mask  uint32
	n     int
}

type indexSlot struct {
	name string
	pos  int // position + 1; 0 marks an empty slot
}

// NewIndex indexes names by position. The names must be distinct (the
// feature pipeline refuses duplicate input names); a duplicate panics.
func NewIndex(names []string) *Index {
	size := 1 << bits.Len(uint(4*len(names)+1))
	f := &Index{slots: make([]indexSlot, size), mask: uint32(size - 1), n: len(names)}
	for pos, name := range names {
		i := fieldHash(name) & f.mask
		for f.slots[i].pos != 0 {
			if f.slots[i].name == name {
				panic("wire: duplicate input name " + name)
			}
			i = (i + 1) & f.mask
		}
		f.slots[i] = indexSlot{name: name, pos: pos + 1}
	}
	return f
}

// Len returns the number of names: the length of Application.Raw.
func (f *Index) Len() int { return f.n }

func fieldHash(s string) uint32 {
	if s == "" {
		return 0
	}
	h := uint32(len(s))*0x9E3779B1 ^ uint32(s[0])*0x85EBCA77 ^ uint32(s[len(s)-1])*0xC2B2AE3D
	if len(s) > 2 {
		h ^= uint32(s[len(s)/2]) * 0x27D4EB2F
	}
	return h ^ h>>15
}

// lookupName returns the position of name and the index's own copy of the
// name, or -1 and "".
func (f *Index) lookupName(name string) (int, string) {
	for i := fieldHash(name) & f.mask; ; i = (i + 1) & f.mask {
		sl := &f.slots[i]
		if sl.pos == 0 {
			return -1, ""
		}
		if sl.name == name {
			return sl.pos - 1, sl.name
		}
	}
}
