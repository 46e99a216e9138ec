package voucher

import (
	"image/png"
	"io"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

// benchView is a typical voucher: a long-ish studio name and address, the service on one line.
var benchView = View{
	Studio: "Studio Jana Beleza", FirstName: "Maria", Service: "Design de sobrancelhas com henna",
	Date: "quinta-feira, 10 de dezembro", Time: "14:00", Location: "Rua Augusta, 1500, sala 12 – Consolação, São Paulo",
	Status: "Agendado", StatusClass: "scheduled", ImageURL: "x.png",
}

// BenchmarkPNG is the cost of one render of the voucher image (no cache).
func BenchmarkPNG(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := PNG(benchView); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPNGBefore is the voucher image as it was rendered before the fast encoder:
// the same drawing, then image/png at its default level. It is kept as the baseline.
func BenchmarkPNGBefore(b *testing.B) {
	for i := 0; i < b.N; i++ {
		img := canvas(benchView)
		if err := png.Encode(io.Discard, img); err != nil {
			b.Fatal(err)
		}
		canvases.Put(img)
	}
}

// BenchmarkImageFromCache is a repeated view of an unchanged voucher: the view, its
// ETag and a cache hit (the voucher function answers 304 with the ETag alone).
func BenchmarkImageFromCache(b *testing.B) {
	ten := calTenant("America/Sao_Paulo")
	apt := calAppointment(time.Date(2026, 12, 10, 17, 0, 0, 0, time.UTC), 1, domain.AppointmentScheduled)
	cache := NewImageCache(0)
	v := NewView(ten, apt, "")
	body, err := PNG(v)
	if err != nil {
		b.Fatal(err)
	}
	cache.Put("tok", ImageETag(apt, v), body)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v := NewView(ten, apt, "")
		if _, ok := cache.Get("tok", ImageETag(apt, v)); !ok {
			b.Fatal("not cached")
		}
	}
}
