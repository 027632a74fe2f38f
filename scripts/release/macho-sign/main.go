// macho-sign ad-hoc signs a thin Mach-O executable, as `codesign --force --sign -` does on a
// Mac, so that darwin single-executable builds can be made on Linux. It also checks its work:
// `verify` re-hashes every page the code directory covers and compares the segment bytes with
// the unsigned input.
//
//	macho-sign sign IN OUT IDENTIFIER
//	macho-sign verify UNSIGNED SIGNED
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"
	"sort"

	"github.com/blacktop/go-macho"
	"github.com/blacktop/go-macho/pkg/codesign"
	ctypes "github.com/blacktop/go-macho/pkg/codesign/types"
)

func main() {
	var err error
	switch {
	case len(os.Args) == 5 && os.Args[1] == "sign":
		err = sign(os.Args[2], os.Args[3], os.Args[4])
	case len(os.Args) == 4 && os.Args[1] == "verify":
		err = verify(os.Args[2], os.Args[3])
	default:
		err = fmt.Errorf("usage: macho-sign sign IN OUT IDENTIFIER | macho-sign verify UNSIGNED SIGNED")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "macho-sign:", err)
		os.Exit(1)
	}
}

func sign(in, out, id string) error {
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	// go-macho writes segments back to back, so close the padding gaps first (postject
	// leaves its NODE_SEA segment unaligned in size, and __LINKEDIT starts on the next page).
	if err := closeSegmentGaps(raw); err != nil {
		return err
	}
	f, err := macho.NewFile(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	// Ad-hoc, no hardened runtime: the identity of an Apple Developer ID cannot be kept anyway.
	if err := f.CodeSign(&codesign.Config{ID: id, Flags: ctypes.ADHOC}); err != nil {
		return err
	}
	return f.Save(out)
}

// closeSegmentGaps grows a segment's filesize over the zero padding up to the next segment,
// when that padding lies within the segment's memory size (so the loader maps the same bytes).
func closeSegmentGaps(d []byte) error {
	if len(d) < 32 || binary.LittleEndian.Uint32(d) != 0xfeedfacf {
		return fmt.Errorf("not a thin 64-bit little-endian Mach-O file")
	}
	type seg struct{ at, off, size, vmsize uint64 }
	var segs []seg
	ncmds := binary.LittleEndian.Uint32(d[16:])
	at := uint64(32)
	for i := uint32(0); i < ncmds; i++ {
		cmd, size := binary.LittleEndian.Uint32(d[at:]), binary.LittleEndian.Uint32(d[at+4:])
		if cmd == 0x19 { // LC_SEGMENT_64
			s := seg{at: at, vmsize: binary.LittleEndian.Uint64(d[at+32:]), off: binary.LittleEndian.Uint64(d[at+40:]), size: binary.LittleEndian.Uint64(d[at+48:])}
			if s.size > 0 {
				segs = append(segs, s)
			}
		}
		at += uint64(size)
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].off < segs[j].off })
	for i := 0; i+1 < len(segs); i++ {
		s, next := segs[i], segs[i+1]
		end := s.off + s.size
		if end == next.off {
			continue
		}
		if end > next.off || next.off-s.off > s.vmsize || !bytes.Equal(d[end:next.off], make([]byte, next.off-end)) {
			return fmt.Errorf("segment at %#x: cannot close the gap %#x..%#x", s.off, end, next.off)
		}
		binary.LittleEndian.PutUint64(d[s.at+48:], next.off-s.off)
	}
	return nil
}

func verify(unsignedPath, signedPath string) error {
	orig, err := os.ReadFile(unsignedPath)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(signedPath)
	if err != nil {
		return err
	}
	f, err := macho.NewFile(bytes.NewReader(data))
	if err != nil {
		return err
	}
	uf, err := macho.NewFile(bytes.NewReader(orig))
	if err != nil {
		return err
	}
	cs := f.CodeSignature()
	if cs == nil || len(cs.CodeDirectories) == 0 {
		return fmt.Errorf("no code signature")
	}
	cd := cs.CodeDirectories[0]
	if cd.Header.Flags&ctypes.ADHOC == 0 {
		return fmt.Errorf("code directory is not ad-hoc (flags %v)", cd.Header.Flags)
	}
	if uint64(cd.Header.CodeLimit) != uint64(cs.Offset) {
		return fmt.Errorf("code limit %#x != signature offset %#x", cd.Header.CodeLimit, cs.Offset)
	}
	le := f.Segment("__LINKEDIT")
	if le == nil || uint64(cs.Offset)+uint64(cs.Size) > le.Offset+le.Filesz || le.Offset+le.Filesz != uint64(len(data)) {
		return fmt.Errorf("signature is not at the end of __LINKEDIT at the end of the file")
	}
	// Every page up to the code limit must hash to its slot.
	page := 1 << cd.Header.PageSize
	n := 0
	for i, slot := range cd.CodeSlots {
		start := i * page
		end := min(start+page, int(cd.Header.CodeLimit))
		sum := sha256.Sum256(data[start:end])
		if !bytes.Equal(sum[:len(slot.Hash)], slot.Hash) {
			return fmt.Errorf("page %d hash mismatch", i)
		}
		n++
	}
	if n*page < int(cd.Header.CodeLimit) {
		return fmt.Errorf("%d code slots do not cover %#x bytes", n, cd.Header.CodeLimit)
	}
	// Segment contents other than the header page and __LINKEDIT are unchanged.
	for _, s := range uf.Segments() {
		if s.Name == "__LINKEDIT" || s.Filesz == 0 {
			continue
		}
		t := f.Segment(s.Name)
		if t == nil || t.Offset != s.Offset || t.Filesz < s.Filesz || !bytes.Equal(data[s.Offset+s.Filesz:t.Offset+t.Filesz], make([]byte, t.Filesz-s.Filesz)) {
			return fmt.Errorf("segment %s moved, shrank or grew over non-zero bytes", s.Name)
		}
		from := s.Offset
		if from == 0 {
			from = 4096 // the header and load commands change by design
		}
		if !bytes.Equal(orig[from:s.Offset+s.Filesz], data[from:t.Offset+s.Filesz]) {
			return fmt.Errorf("segment %s contents changed", s.Name)
		}
	}
	fmt.Printf("ok: ad-hoc signature, identifier %q, %d pages of %d bytes hashed, code limit %#x\n", cd.ID, n, page, cd.Header.CodeLimit)
	return nil
}
