// Package lembra is the Cloud Functions entry package: Google's Go buildpack builds the
// package at the root of the uploaded source, and each deployed function names one of
// the entry points registered by the packages imported here.
package lembra

import (
	_ "github.com/GoogleCloudPlatform/functions-framework-go/functions" // selects the buildpack's declarative template

	_ "github.com/lembra-app/lembra/functions/api"
	_ "github.com/lembra-app/lembra/functions/dispatch"
	_ "github.com/lembra-app/lembra/functions/events"
	_ "github.com/lembra-app/lembra/functions/reminders"
	_ "github.com/lembra-app/lembra/functions/voucher"
	_ "github.com/lembra-app/lembra/functions/webhook"
)
