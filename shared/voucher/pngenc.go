package voucher

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"sync"
)

// encodeOpaquePNG writes an opaque RGBA image as an 8-bit truecolour PNG (the same pixels
// image/png writes for it), tuned for the voucher: big flat areas and a little text.
//
// image/png spends most of its time choosing a filter per row (it tries all five) and
// compressing at the default level. Here a row that differs from the one above is
// written with the Sub filter (flat runs become zeros) and compressed by compress/flate
// at BestSpeed; a run of rows equal to the one above (about 60% of a voucher: the
// margins, the card, the gaps between lines) is written with the Up filter (all zeros)
// straight into the deflate stream as runs of the previous byte (deflateRows), which
// costs next to nothing. The format is PNG's (https://www.w3.org/TR/png/): signature,
// IHDR, one IDAT holding the zlib stream (RFC 1950) of filtered scanlines, IEND; each
// chunk carries a CRC-32 of its type and data.
func encodeOpaquePNG(img *image.RGBA) ([]byte, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 {
		return nil, errors.New("voucher: empty image")
	}
	var out bytes.Buffer
	out.Grow(64 << 10)
	out.WriteString("\x89PNG\r\n\x1a\n")

	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8] = 8  // bit depth
	ihdr[9] = 2  // colour type: truecolour (RGB)
	ihdr[10] = 0 // compression: deflate
	ihdr[11] = 0 // filter method 0
	ihdr[12] = 0 // no interlace
	writeChunk(&out, "IHDR", ihdr)

	idat, err := deflateRows(img)
	if err != nil {
		return nil, err
	}
	writeChunk(&out, "IDAT", idat)
	writeChunk(&out, "IEND", nil)
	return out.Bytes(), nil
}

func writeChunk(out *bytes.Buffer, kind string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	out.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(kind))
	crc.Write(data)
	out.WriteString(kind)
	out.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	out.Write(n[:])
}

// deflateRows is the zlib stream of the image's filtered scanlines (see encodeOpaquePNG).
// Changed rows go through compress/flate, which is flushed (byte-aligned, history
// dropped) before each run of unchanged rows; such a run is written as one fixed-Huffman
// block (RFC 1951 §3.2.6): per row the literal 2 (Up), a literal 0, then matches of the
// previous byte (distance 1) for the rest of the row; an empty stored block then aligns
// the stream for flate again. The Adler-32 of a zero run is added arithmetically.
func deflateRows(img *image.RGBA) ([]byte, error) {
	const (
		filterSub = 1
		filterUp  = 2
	)
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	stride := 3 * w
	var out bytes.Buffer
	out.Grow(64 << 10)
	out.Write([]byte{0x78, 0x01}) // zlib header: deflate, 32 KiB window, fastest
	fw := flateWriters.Get().(*flate.Writer)
	defer flateWriters.Put(fw)
	fw.Reset(&out)
	sum := adler{a: 1}
	bw := bitWriter{out: &out}
	line := make([]byte, 1+stride)
	pending := false // flate holds rows not yet flushed
	run := 0         // unchanged rows waiting to be written
	flushRun := func() error {
		if run == 0 {
			return nil
		}
		if pending {
			if err := fw.Flush(); err != nil {
				return err
			}
			pending = false
		}
		bw.bits(0, 1) // BFINAL=0
		bw.bits(1, 2) // BTYPE=01, fixed Huffman
		for ; run > 0; run-- {
			bw.literal(filterUp)
			sum.byte(filterUp)
			bw.literal(0)
			bw.repeat(stride - 1)
			sum.zeros(stride)
		}
		bw.code(0, 7) // end of block (256)
		bw.bits(0, 3) // an empty stored block, BFINAL=0, aligns the stream
		bw.align()
		out.Write([]byte{0x00, 0x00, 0xff, 0xff})
		fw.Reset(&out)
		return nil
	}
	var prev []byte
	for y := 0; y < h; y++ {
		off := img.PixOffset(b.Min.X, b.Min.Y+y)
		row := img.Pix[off : off+4*w]
		if prev != nil && bytes.Equal(row, prev) { // opaque: equal RGBA is equal RGB
			run++
			continue
		}
		prev = row
		if err := flushRun(); err != nil {
			return nil, err
		}
		line[0] = filterSub
		line[1], line[2], line[3] = row[0], row[1], row[2]
		for x, i := 1, 4; x < w; x, i = x+1, i+3 {
			p := row[4*x-4 : 4*x+3]
			line[i], line[i+1], line[i+2] = p[4]-p[0], p[5]-p[1], p[6]-p[2]
		}
		if _, err := fw.Write(line); err != nil {
			return nil, err
		}
		sum.write(line)
		pending = true
	}
	if err := flushRun(); err != nil {
		return nil, err
	}
	if pending {
		if err := fw.Flush(); err != nil {
			return nil, err
		}
	}
	bw.bits(1, 1) // BFINAL=1
	bw.bits(1, 2) // fixed Huffman
	bw.code(0, 7) // end of block
	bw.align()
	var tail [4]byte
	binary.BigEndian.PutUint32(tail[:], sum.b<<16|sum.a)
	out.Write(tail[:])
	return out.Bytes(), nil
}

// flateWriters keeps BestSpeed compressors for reuse (each holds about a megabyte).
var flateWriters = sync.Pool{New: func() any {
	fw, _ := flate.NewWriter(nil, flate.BestSpeed) // only an invalid level fails
	return fw
}}

// adler is an Adler-32 checksum (RFC 1950 §8.2).
type adler struct{ a, b uint32 }

const adlerMod = 65521

func (s *adler) byte(c byte) {
	s.a = (s.a + uint32(c)) % adlerMod
	s.b = (s.b + s.a) % adlerMod
}

func (s *adler) write(p []byte) {
	for len(p) > 0 {
		n := min(len(p), 5552) // the most bytes before b can overflow 32 bits
		q := p[:n]
		for len(q) >= 8 {
			a, b := s.a, s.b
			a += uint32(q[0])
			b += a
			a += uint32(q[1])
			b += a
			a += uint32(q[2])
			b += a
			a += uint32(q[3])
			b += a
			a += uint32(q[4])
			b += a
			a += uint32(q[5])
			b += a
			a += uint32(q[6])
			b += a
			a += uint32(q[7])
			b += a
			s.a, s.b = a, b
			q = q[8:]
		}
		for _, c := range q {
			s.a += uint32(c)
			s.b += s.a
		}
		s.a %= adlerMod
		s.b %= adlerMod
		p = p[n:]
	}
}

// zeros adds n zero bytes: a stays, b grows by n·a.
func (s *adler) zeros(n int) {
	s.b = uint32((uint64(s.b) + uint64(n)*uint64(s.a)) % adlerMod)
}

// bitWriter writes deflate's bit stream: LSB first, Huffman codes from their top bit.
type bitWriter struct {
	out  *bytes.Buffer
	acc  uint64
	nacc uint
}

func (w *bitWriter) bits(v uint64, n uint) {
	w.acc |= v << w.nacc
	w.nacc += n
	for w.nacc >= 8 {
		w.out.WriteByte(byte(w.acc))
		w.acc >>= 8
		w.nacc -= 8
	}
}

// code writes a Huffman code of n bits, most significant bit first.
func (w *bitWriter) code(c uint64, n uint) {
	var r uint64
	for i := uint(0); i < n; i++ {
		r = r<<1 | (c>>i)&1
	}
	w.bits(r, n)
}

func (w *bitWriter) align() {
	if w.nacc > 0 {
		w.bits(0, 8-w.nacc)
	}
}

// literal writes a literal byte with the fixed code: 0–143 in 8 bits from 0x30, 144–255
// in 9 bits from 0x190.
func (w *bitWriter) literal(c byte) {
	if c < 144 {
		w.code(0x30+uint64(c), 8)
	} else {
		w.code(0x190+uint64(c)-144, 9)
	}
}

// lengthBase and lengthExtra are RFC 1951's length codes 257–285.
var (
	lengthBase  = [29]int{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
)

// repeat writes n copies of the previous byte: matches at distance 1 of at most 258,
// the last at least 3 long (a shorter tail goes as literals of that byte, 0 here).
func (w *bitWriter) repeat(n int) {
	for n > 0 {
		if n < 3 {
			w.literal(0)
			n--
			continue
		}
		l := min(n, 258)
		if n-l > 0 && n-l < 3 { // leave a tail a match can take
			l = n - 3
		}
		i := len(lengthBase) - 1
		for lengthBase[i] > l {
			i--
		}
		if i == 28 && l != 258 {
			i = 27
		}
		sym := uint64(257 + i)
		if sym < 280 {
			w.code(sym-256, 7)
		} else {
			w.code(0xc0+sym-280, 8)
		}
		w.bits(uint64(l-lengthBase[i]), lengthExtra[i])
		w.code(0, 5) // distance code 0: distance 1
		n -= l
	}
}
