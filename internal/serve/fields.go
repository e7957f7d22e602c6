package serve

import "math/bits"

// fieldIndex maps the field names of a model's inputs to their positions:
// an open-addressing hash table built once per loaded model. The decoder
// looks up every field of every request in it, so it is kept simpler and
// faster than a map: a cheap hash of the name's length and first and last
// bytes (enough to tell input names apart in practice; collisions are
// resolved by probing and comparing the whole name).
type fieldIndex struct {
	slots []fieldSlot
	mask  uint32
}

type fieldSlot struct {
	name string
	pos  int // position + 1; 0 marks an empty slot
}

// newFieldIndex indexes names by position.
func newFieldIndex(names []string) *fieldIndex {
	size := 1 << bits.Len(uint(4*len(names)+1))
	f := &fieldIndex{slots: make([]fieldSlot, size), mask: uint32(size - 1)}
	for pos, name := range names {
		i := fieldHash(name) & f.mask
		for f.slots[i].pos != 0 {
			if f.slots[i].name == name {
				panic("serve: duplicate input name " + name) // Pipeline.Init refuses these
			}
			i = (i + 1) & f.mask
		}
		f.slots[i] = fieldSlot{name: name, pos: pos + 1}
	}
	return f
}

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
func (f *fieldIndex) lookupName(name string) (int, string) {
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
