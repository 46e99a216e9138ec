// Package web holds the HTTP helpers every function uses: handlers that return
// errors, one mapping from errors to JSON responses, and bounded JSON decoding.
package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

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
// fields and trailing data.
func DecodeJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return Errorf(http.StatusUnsupportedMediaType, "unsupported_media_type", "Content-Type must be application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &tooBig):
			return Errorf(http.StatusRequestEntityTooLarge, "body_too_large", "request body is larger than %d bytes", limit)
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
	if dec.More() {
		return Errorf(http.StatusBadRequest, "invalid_json", "request body must hold a single JSON object")
	}
	return nil
}
