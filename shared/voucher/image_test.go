package voucher

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"strings"
	"testing"
)

func decodeRGBA(t *testing.T, b []byte) *image.RGBA {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("png.Decode: %v", err)
	}
	rgba, ok := img.(*image.RGBA)
	if !ok {
		t.Fatalf("decoded a %T, want *image.RGBA (8-bit truecolour)", img)
	}
	return rgba
}

// TestPNGShowsWhatTheStandardEncoderShows: the fast encoder changes how the voucher is
// compressed, never a pixel: each view decodes to exactly the pixels image/png writes.
func TestPNGShowsWhatTheStandardEncoderShows(t *testing.T) {
	long := strings.Repeat("Alongamento de cílios fio a fio com manutenção ", 4)
	for name, v := range map[string]View{
		"typical":    benchView,
		"canceled":   {Studio: "Studio Jana", FirstName: "Ana", Service: "Manicure", Date: "sábado, 2 de janeiro", Time: "09:30", Location: "Av. Paulista, 1000", Status: "Cancelado"},
		"long texts": {Studio: long, FirstName: long, Service: long, Date: long, Time: "23:59", Location: long, Status: "Confirmado"},
		"empty":      {},
	} {
		img := canvas(v)
		var want bytes.Buffer
		if err := png.Encode(&want, img); err != nil {
			t.Fatal(err)
		}
		got, err := PNG(v)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		w, g := decodeRGBA(t, want.Bytes()), decodeRGBA(t, got)
		if w.Bounds() != g.Bounds() || !bytes.Equal(w.Pix, g.Pix) {
			t.Errorf("%s: the fast PNG's pixels differ from image/png's", name)
		}
		if g.Bounds().Dx() != width || g.Bounds().Dy() != height {
			t.Errorf("%s: %v", name, g.Bounds())
		}
	}
}

// TestEncodeOpaquePNG: images that exercise the encoder's paths — a single pixel, every
// row the same, runs of equal rows between changed ones, widths whose rows end in a
// match tail of 1, 2 or 3 bytes, noise — all decode to their own pixels.
func TestEncodeOpaquePNG(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	fill := func(w, h int, px func(x, y int) color.RGBA) *image.RGBA {
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				img.SetRGBA(x, y, px(x, y))
			}
		}
		return img
	}
	flat := func(x, y int) color.RGBA { return color.RGBA{0xf6, 0xef, 0xe9, 0xff} }
	noise := func(x, y int) color.RGBA {
		return color.RGBA{uint8(rnd.IntN(256)), uint8(rnd.IntN(256)), uint8(rnd.IntN(256)), 0xff}
	}
	bands := func(x, y int) color.RGBA { // 7 equal rows, then a changed one
		if y%8 == 0 {
			return color.RGBA{uint8(x), uint8(y), 200, 0xff}
		}
		return color.RGBA{uint8(x), 0, 0, 0xff}
	}
	cases := map[string]*image.RGBA{
		"1x1":               fill(1, 1, noise),
		"one column":        fill(1, 50, bands),
		"two columns":       fill(2, 30, bands),
		"flat 720x960":      fill(720, 960, flat),
		"bands 86 wide":     fill(86, 100, bands), // row of 258 bytes: 257 zeros after the first
		"bands 87 wide":     fill(87, 100, bands), // 260: a tail of 2 after 258
		"bands 173 wide":    fill(173, 64, bands),
		"noise":             fill(64, 64, noise),
		"noise, equal rows": fill(300, 40, func(x, y int) color.RGBA { return color.RGBA{uint8(x * 7), uint8(y / 10), uint8(x ^ y/10), 0xff} }),
	}
	for name, img := range cases {
		b, err := encodeOpaquePNG(img)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := decodeRGBA(t, b)
		if got.Bounds() != img.Bounds() || !bytes.Equal(got.Pix, img.Pix) {
			t.Errorf("%s: decoded pixels differ", name)
		}
	}
	if _, err := encodeOpaquePNG(image.NewRGBA(image.Rect(0, 0, 0, 0))); err == nil {
		t.Error("an empty image encoded without an error")
	}
}
