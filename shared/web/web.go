// Package web holds the HTTP helpers every function uses: handlers that return
// errors, one mapping from errors to JSON responses, and bounded JSON decoding.
package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"unicode"

	"github.com/lembra-app/lembra/shared/domain"
)

// Error is an error with an HTTP status, a stable code and a message for the caller.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// Errorf builds an Error.
func Errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError is a 400 about one field of the request.
func FieldError(field, code, format string, args ...any) *Error {
	e := Errorf(http.StatusBadRequest, code, format, args...)
	e.Field = field
	return e
}

// HandlerFunc is an HTTP handler that returns its error instead of writing it.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Handle turns h into an http.Handler. Errors become JSON: a *Error as it is, domain
// not-found as 404, anything else as 500 with the detail logged, not shown.
func Handle(log *slog.Logger, h HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		var we *Error
		var invalid *domain.ValidationError
		var conflict *domain.ConflictError
		switch {
		case errors.As(err, &we):
		case errors.As(err, &invalid):
			we = &Error{Status: http.StatusBadRequest, Code: invalid.Code, Message: invalid.Message, Field: invalid.Field}
		case errors.As(err, &conflict):
			we = Errorf(http.StatusConflict, conflict.Code, "%s", conflict.Message)
		case errors.Is(err, domain.ErrNotFound):
			we = Errorf(http.StatusNotFound, "not_found", "not found")
		default:
			log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "error", err.Error())
			we = Errorf(http.StatusInternalServerError, "internal", "internal error; nothing was changed if the request was not completed, so it is safe to retry")
		}
		WriteJSON(w, we.Status, map[string]any{"error": we})
	})
}

// WriteJSON writes v as a JSON response.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// DecodeJSON reads one JSON object of at most limit bytes into v, rejecting unknown
// fields, trailing data after the object and keys that appear twice in one object, at
// any depth (encoding/json would silently keep the last one, so a body could say two
// things and mean the one a reviewer did not read).
func DecodeJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return Errorf(http.StatusUnsupportedMediaType, "unsupported_media_type", "Content-Type must be application/json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return Errorf(http.StatusRequestEntityTooLarge, "body_too_large", "request body is larger than %d bytes", limit)
		}
		return Errorf(http.StatusBadRequest, "invalid_json", "request body could not be read: %v", err)
	}
	if err := CheckJSONKeys(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.Is(err, io.EOF):
			return Errorf(http.StatusBadRequest, "empty_body", "request body is empty; send a JSON object")
		case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
			return Errorf(http.StatusBadRequest, "invalid_json", "request body is not valid JSON")
		case errors.As(err, &typ):
			return FieldError(typ.Field, "invalid_type", "field %q must be a %s", typ.Field, typ.Type.String())
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return FieldError(name, "unknown_field", "unknown field %q", name)
		}
		return Errorf(http.StatusBadRequest, "invalid_json", "request body could not be read: %v", err)
	}
	// Only white space may follow the object. (dec.More alone misses a stray '}' or ']'.)
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Errorf(http.StatusBadRequest, "invalid_json", "request body must hold a single JSON object, with nothing after it")
	}
	return nil
}

// MaxJSONDepth bounds how deeply objects and arrays of a request body may nest.
const MaxJSONDepth = 32

// CheckJSONKeys makes one token pass over the first JSON value in body and refuses an
// object that names a key twice (400 duplicate_key, field: the key's path, e.g.
// "client_name" or "items[2].name") or nesting deeper than MaxJSONDepth (400
// invalid_json). Keys are compared as encoding/json matches them to struct fields,
// without regard to case, so "client_name" and "Client_Name" are the same key. Syntax
// errors are left to the decoder, which reports them. The work is linear in the
// body's size, which the caller has already bounded.
func CheckJSONKeys(body []byte) error {
	type level struct {
		object bool
		keys   map[string]bool
		path   string // of this object or array
		key    string // the key whose value comes next (objects)
		index  int    // the next element's index (arrays)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []*level
	// childPath is the path of the value about to start in the innermost container.
	childPath := func() string {
		if len(stack) == 0 {
			return ""
		}
		top := stack[len(stack)-1]
		if top.object {
			if top.path == "" {
				return top.key
			}
			return top.path + "." + top.key
		}
		return fmt.Sprintf("%s[%d]", top.path, top.index)
	}
	// valueDone moves the innermost container past one value.
	valueDone := func() {
		if len(stack) > 0 && !stack[len(stack)-1].object {
			stack[len(stack)-1].index++
		}
	}
	expectKey := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // end of input or a syntax error: the decoder says which
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if len(stack) == MaxJSONDepth {
					return Errorf(http.StatusBadRequest, "invalid_json", "request body nests more than %d levels", MaxJSONDepth)
				}
				l := &level{object: t == '{', path: childPath()}
				if l.object {
					l.keys = map[string]bool{}
				}
				stack = append(stack, l)
				expectKey = l.object
			case '}', ']':
				stack = stack[:len(stack)-1]
				valueDone()
				expectKey = len(stack) > 0 && stack[len(stack)-1].object
			}
		case string:
			if expectKey {
				top := stack[len(stack)-1]
				folded := foldKey(t)
				top.key = t
				if top.keys[folded] {
					field := childPath()
					return FieldError(field, "duplicate_key", "key %q appears more than once", field)
				}
				top.keys[folded] = true
				expectKey = false
				continue
			}
			valueDone()
			expectKey = len(stack) > 0 && stack[len(stack)-1].object
		default:
			valueDone()
			expectKey = len(stack) > 0 && stack[len(stack)-1].object
		}
		if len(stack) == 0 {
			return nil // the first value is complete; trailing data is the decoder's to refuse
		}
	}
}

// foldKey maps a key to one representative of its case-folding class, rune by rune, as
// encoding/json's case-insensitive field matching treats them (so "K", "k" and the
// Kelvin sign U+212A fold alike).
func foldKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		min := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < min {
				min = f
			}
		}
		b.WriteRune(min)
	}
	return b.String()
}
