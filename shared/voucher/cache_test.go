package voucher

import (
	"fmt"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

func TestImageETag(t *testing.T) {
	start := time.Date(2026, 12, 10, 17, 0, 0, 0, time.UTC)
	ten := calTenant("America/Sao_Paulo")
	base := calAppointment(start, 1, domain.AppointmentScheduled)
	tag := func(t *domain.Tenant, apt *domain.Appointment) string { return ImageETag(apt, NewView(t, apt, "")) }
	same := *base
	if tag(ten, base) != tag(ten, &same) {
		t.Error("the same appointment gives two tags")
	}
	if e := tag(ten, base); len(e) < 10 || e[0] != '"' || e[len(e)-1] != '"' {
		t.Errorf("tag %s is not a quoted strong entity tag", e)
	}
	changes := map[string]func(*domain.Tenant, *domain.Appointment){
		"rescheduled": func(_ *domain.Tenant, a *domain.Appointment) {
			a.StartsAt = a.StartsAt.Add(time.Hour)
			a.ScheduleVersion++
		},
		"version only":        func(_ *domain.Tenant, a *domain.Appointment) { a.ScheduleVersion++ },
		"updated":             func(_ *domain.Tenant, a *domain.Appointment) { a.UpdatedAt = a.UpdatedAt.Add(time.Second) },
		"confirmed":           func(_ *domain.Tenant, a *domain.Appointment) { a.Status = domain.AppointmentConfirmed },
		"canceled":            func(_ *domain.Tenant, a *domain.Appointment) { a.Status = domain.AppointmentCanceled },
		"studio rename":       func(t *domain.Tenant, _ *domain.Appointment) { t.Name = "Studio Jana II" },
		"new address":         func(t *domain.Tenant, _ *domain.Appointment) { t.LocationLine = "Rua Nova, 1" },
		"another zone":        func(t *domain.Tenant, _ *domain.Appointment) { t.TimeZone = "America/Manaus" },
		"another appointment": func(_ *domain.Tenant, a *domain.Appointment) { a.ID = "apt_other" },
	}
	for name, change := range changes {
		t2, a2 := *ten, *base
		change(&t2, &a2)
		if tag(&t2, &a2) == tag(ten, base) {
			t.Errorf("%s: the tag did not change", name)
		}
	}
}

func TestETagMatches(t *testing.T) {
	const e = `"img1-abc"`
	for _, c := range []struct {
		header string
		want   bool
	}{
		{`"img1-abc"`, true},
		{`W/"img1-abc"`, true},
		{`"x", "img1-abc"`, true},
		{` "x" ,W/"img1-abc" `, true},
		{`*`, true},
		{``, false},
		{`"img1-abd"`, false},
		{`img1-abc`, false},
		{`"x", "y"`, false},
	} {
		if got := ETagMatches(c.header, e); got != c.want {
			t.Errorf("ETagMatches(%q) = %v, want %v", c.header, got, c.want)
		}
	}
	if ETagMatches("*", "") {
		t.Error("no tag matched *")
	}
}

func TestImageCache(t *testing.T) {
	c := NewImageCache(3)
	if _, ok := c.Get("a", "1"); ok {
		t.Fatal("an empty cache has an image")
	}
	c.Put("a", "1", []byte("a1"))
	c.Put("b", "1", []byte("b1"))
	c.Put("c", "1", []byte("c1"))
	if b, ok := c.Get("a", "1"); !ok || string(b) != "a1" { // a is now the most recent
		t.Fatalf("a: %q %v", b, ok)
	}
	c.Put("d", "1", []byte("d1")) // over the bound: b, the least recently used, goes
	if _, ok := c.Get("b", "1"); ok {
		t.Error("the least recently used image was kept")
	}
	for _, k := range []string{"a", "c", "d"} {
		if _, ok := c.Get(k, "1"); !ok {
			t.Errorf("%s was dropped", k)
		}
	}
	c.Put("a", "2", []byte("a2")) // a new version of a drops the old one
	if _, ok := c.Get("a", "1"); ok {
		t.Error("an old version was kept")
	}
	if b, _ := c.Get("a", "2"); string(b) != "a2" || c.Len() != 3 {
		t.Errorf("a2 %q, %d images", b, c.Len())
	}
	c.Put("a", "2", []byte("a2'"))
	if b, _ := c.Get("a", "2"); string(b) != "a2'" || c.Len() != 3 {
		t.Errorf("replaced: %q, %d images", b, c.Len())
	}
	big := NewImageCache(0)
	for i := 0; i < ImageCacheSize+10; i++ {
		big.Put(fmt.Sprint(i), "1", nil)
	}
	if big.Len() != ImageCacheSize {
		t.Errorf("the default cache holds %d", big.Len())
	}
}
