package store

import (
	"testing"
	"time"
)

func TestFresh(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		now  time.Time
		want bool
	}{
		{"just read", t0, true},
		{"within the ttl", t0.Add(9 * time.Second), true},
		{"at the ttl", t0.Add(10 * time.Second), false},
		{"past the ttl", t0.Add(time.Minute), false},
		{"clock stepped back", t0.Add(-time.Second), false},
	} {
		if got := Fresh(t0, c.now, 10*time.Second); got != c.want {
			t.Errorf("%s: Fresh = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestTTLCache(t *testing.T) {
	c := newTTLCache[string](10*time.Second, maxCacheEntries)
	t0 := time.Now()
	c.put("a", "x", t0)
	if v, ok := c.get("a", t0.Add(time.Second)); !ok || v != "x" {
		t.Fatalf("get a: %q %v", v, ok)
	}
	if _, ok := c.get("a", t0.Add(11*time.Second)); ok {
		t.Error("an expired entry was returned")
	}
	c.update("a", func(string) string { return "y" })
	if v, _ := c.get("a", t0.Add(time.Second)); v != "y" {
		t.Errorf("after update: %q", v)
	}
	c.update("b", func(string) string { return "z" })
	if _, ok := c.get("b", t0); ok {
		t.Error("update created an entry")
	}
	c.forget("a")
	if _, ok := c.get("a", t0); ok {
		t.Error("a forgotten entry was returned")
	}
	for i := range maxCacheEntries + 5 {
		c.put(string(rune('a'+i%26))+time.Duration(i).String(), "v", t0)
	}
	if n := len(c.m); n > maxCacheEntries {
		t.Errorf("%d entries kept, at most %d", n, maxCacheEntries)
	}
}
