package domain

// OpeningDay is one weekday of a studio's opening hours: closed, or open from Open to
// Close ("HH:MM", 24-hour, in the tenant's time zone). Both empty and not closed: not
// told.
type OpeningDay struct {
	Closed bool   `firestore:"closed"`
	Open   string `firestore:"open,omitempty"`
	Close  string `firestore:"close,omitempty"`
}

// Weekdays are the keys of Tenant.OpeningHours, Monday first (a Brazilian week).
var Weekdays = []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
