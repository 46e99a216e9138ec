package secrets

import (
	"context"
	"errors"
	"testing"
	"time"
)

type countingSource struct {
	calls int
	value string
	err   error
}

func (c *countingSource) Secret(context.Context, string) ([]byte, error) {
	c.calls++
	if c.err != nil {
		return nil, c.err
	}
	return []byte(c.value), nil
}

func TestCacheKeepsValuesForTTLAndNotFailures(t *testing.T) {
	src := &countingSource{value: "v1"}
	c := NewCache(src, time.Minute)
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	ctx := context.Background()

	for range 3 {
		v, err := c.Secret(ctx, "tok")
		if err != nil || string(v) != "v1" {
			t.Fatalf("got %q %v", v, err)
		}
	}
	if src.calls != 1 {
		t.Fatalf("%d reads of the source within the TTL, want 1", src.calls)
	}
	src.value = "v2"
	now = now.Add(61 * time.Second)
	if v, _ := c.Secret(ctx, "tok"); string(v) != "v2" || src.calls != 2 {
		t.Fatalf("after the TTL: %q after %d reads", v, src.calls)
	}
	src.value = "v3"
	c.Forget("tok")
	if v, _ := c.Secret(ctx, "tok"); string(v) != "v3" {
		t.Fatalf("after Forget: %q", v)
	}

	src.err = ErrNotFound
	if _, err := c.Secret(ctx, "other"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("want ErrNotFound, got %v", err)
	}
	src.err = nil
	if _, err := c.Secret(ctx, "other"); err != nil {
		t.Fatalf("a failure was cached: %v", err)
	}
}
