package voucher

import (
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"

	"github.com/lembra-app/lembra/shared/domain"
)

// imageRevision changes whenever the drawing of the image changes, so that no browser
// keeps an image drawn by an older release.
const imageRevision = "img1"

// ImageETag is the entity tag of a voucher's image (RFC 9110 §8.8.3): a strong tag
// from the appointment's id, schedule version and last update, and everything the
// image shows (the view: the tenant's name or address can change without the
// appointment). Equal tags mean byte-identical images, so a browser that sends it back
// in If-None-Match gets 304 without a render; a reschedule, a confirmation, a cancel
// or a new studio name make a new tag.
func ImageETag(apt *domain.Appointment, v View) string {
	h := sha256.New()
	for _, s := range []string{
		imageRevision, apt.ID, strconv.Itoa(apt.ScheduleVersion), strconv.FormatInt(apt.UpdatedAt.UnixNano(), 10),
		v.Studio, v.FirstName, v.Service, v.Date, v.Time, v.Location, v.Status,
	} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return `"` + imageRevision + "-" + hex.EncodeToString(h.Sum(nil)[:16]) + `"`
}

// ETagMatches reports whether an If-None-Match header names etag (RFC 9110 §13.1.2):
// "*", or a list of tags, weak ones (W/"…") compared weakly as that section says.
func ETagMatches(ifNoneMatch, etag string) bool {
	ifNoneMatch = strings.TrimSpace(ifNoneMatch)
	if ifNoneMatch == "" || etag == "" {
		return false
	}
	if ifNoneMatch == "*" {
		return true
	}
	for _, tag := range strings.Split(ifNoneMatch, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == strings.TrimPrefix(etag, "W/") {
			return true
		}
	}
	return false
}

// ImageCacheSize is how many rendered images the voucher function keeps in memory
// (about 60 KB each).
const ImageCacheSize = 128

// ImageCache keeps the last rendered images, keyed by token and ETag, the least
// recently used dropped first. It is safe for concurrent use.
type ImageCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // front: most recently used
	items map[string]*list.Element
}

type cached struct {
	key  string
	body []byte
}

// NewImageCache keeps at most max images (ImageCacheSize when max is not positive).
func NewImageCache(max int) *ImageCache {
	if max <= 0 {
		max = ImageCacheSize
	}
	return &ImageCache{max: max, order: list.New(), items: map[string]*list.Element{}}
}

func cacheKey(token, etag string) string { return token + " " + etag }

// Get returns the image stored for token at etag.
func (c *ImageCache) Get(token, etag string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[cacheKey(token, etag)]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*cached).body, true
}

// Put stores an image; the token's images of other versions are dropped (a voucher
// only ever shows its latest version).
func (c *ImageCache) Put(token, etag string, body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := cacheKey(token, etag)
	for el := c.order.Front(); el != nil; {
		next := el.Next()
		if k := el.Value.(*cached).key; k != key && strings.HasPrefix(k, token+" ") {
			c.order.Remove(el)
			delete(c.items, k)
		}
		el = next
	}
	if el, ok := c.items[key]; ok {
		el.Value.(*cached).body = body
		c.order.MoveToFront(el)
		return
	}
	c.items[key] = c.order.PushFront(&cached{key: key, body: body})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*cached).key)
	}
}

// Len is how many images are stored.
func (c *ImageCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
