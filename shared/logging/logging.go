// Package logging writes structured JSON logs in Cloud Logging's format (severity,
// message, timestamp, trace), masks phone numbers and hashes WhatsApp message ids.
package logging

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"strings"
)

// New returns a JSON logger whose keys Cloud Logging understands.
func New(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(&traceHandler{Handler: slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) > 0 {
				return a
			}
			switch a.Key {
			case slog.MessageKey:
				a.Key = "message"
			case slog.TimeKey:
				a.Key = "timestamp"
			case slog.LevelKey:
				a.Key = "severity"
				if lvl, ok := a.Value.Any().(slog.Level); ok && lvl == slog.LevelWarn {
					a.Value = slog.StringValue("WARNING")
				}
			}
			return a
		},
	})})
}

type traceKey struct{}

// WithTrace puts the request's Cloud Trace id, if any, into ctx so that every log line
// written with that ctx carries it.
func WithTrace(ctx context.Context, r *http.Request, project string) context.Context {
	h := r.Header.Get("X-Cloud-Trace-Context")
	if h == "" || project == "" {
		return ctx
	}
	id, _, _ := strings.Cut(h, "/")
	if id == "" {
		return ctx
	}
	return context.WithValue(ctx, traceKey{}, "projects/"+project+"/traces/"+id)
}

type traceHandler struct{ slog.Handler }

func (h *traceHandler) Handle(ctx context.Context, r slog.Record) error {
	if trace, ok := ctx.Value(traceKey{}).(string); ok {
		r.AddAttrs(slog.String("logging.googleapis.com/trace", trace))
	}
	return h.Handler.Handle(ctx, r)
}

func (h *traceHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &traceHandler{Handler: h.Handler.WithAttrs(attrs)}
}

func (h *traceHandler) WithGroup(name string) slog.Handler {
	return &traceHandler{Handler: h.Handler.WithGroup(name)}
}

// MaskPhone keeps a phone number's country and area prefix and its last two digits:
// "+5511987654321" becomes "+5511*******21".
func MaskPhone(phone string) string {
	if phone == "" {
		return ""
	}
	runes := []rune(phone)
	keep := 5
	if runes[0] != '+' {
		keep = 4
	}
	if len(runes) <= keep+2 {
		return strings.Repeat("*", len(runes))
	}
	return string(runes[:keep]) + strings.Repeat("*", len(runes)-keep-2) + string(runes[len(runes)-2:])
}

// Phone is a slog attribute with a masked phone number.
func Phone(key, phone string) slog.Attr { return slog.String(key, MaskPhone(phone)) }

// WAMIDHash is the first 12 hex characters of a WhatsApp message id's SHA-256. A wamid
// is base64 of data that holds the client's phone number ("wamid.HBgLMTY1MDM4Nzk0Mzk…"
// decodes to "\x1c\x18\x0b16503879439…"), so logs carry this short hash instead: enough to find
// one message among a tenant's, nothing to read a number from. The empty id stays
// empty, so a missing id is visible as such.
func WAMIDHash(id string) string {
	if id == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:6])
}

// WAMID is a slog attribute with a hashed WhatsApp message id (see WAMIDHash). Use it
// for every wamid a log line names: ours (statuses) and the clients' (inbound ids,
// context ids).
func WAMID(key, id string) slog.Attr { return slog.String(key, WAMIDHash(id)) }
