package metastandin

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// graphError is the "error" object of Graph's error envelope. Field order is Meta's
// (see the fixtures): message, type, code, error_data, error_subcode, fbtrace_id.
type graphError struct {
	Message      string     `json:"message"`
	Type         string     `json:"type"`
	Code         int        `json:"code"`
	ErrorData    *errorData `json:"error_data,omitempty"`
	ErrorSubcode int        `json:"error_subcode,omitempty"`
	FBTraceID    string     `json:"fbtrace_id"`
}

type errorData struct {
	MessagingProduct string `json:"messaging_product"`
	Details          string `json:"details"`
}

// answer is a decided HTTP response.
type answer struct {
	status      int
	body        []byte
	contentType string
	header      http.Header
}

func jsonAnswer(status int, v any) answer {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only our own types are marshalled
	}
	return answer{status: status, body: b, contentType: "application/json; charset=UTF-8"}
}

// whatsappError builds a WhatsApp error (with error_data) answered with status.
func whatsappError(status, code int, message, details string) answer {
	return errorAnswer(status, graphError{
		Message: message, Type: "OAuthException", Code: code,
		ErrorData: &errorData{MessagingProduct: "whatsapp", Details: details},
	})
}

func errorAnswer(status int, e graphError) answer {
	e.FBTraceID = fbtraceID()
	a := jsonAnswer(status, map[string]graphError{"error": e})
	if status == http.StatusUnauthorized {
		// Graph's 401s carry the OAuth challenge.
		a.header = http.Header{"Www-Authenticate": {fmt.Sprintf("OAuth \"Facebook Platform\" \"invalid_token\" %q", e.Message)}}
	}
	return a
}

// invalidParameter is the answer to a malformed request: 400, code 100.
func invalidParameter(details string) answer {
	return whatsappError(http.StatusBadRequest, 100, "(#100) Invalid parameter", details)
}

// missingParameter is the answer for a required parameter that is absent: 131008.
func missingParameter(param string) answer {
	return whatsappError(http.StatusBadRequest, 131008, "(#131008) Required parameter is missing",
		fmt.Sprintf("The parameter %s is required.", param))
}

// tokenError is the answer to a missing, unknown or foreign access token: 401, code
// 190, without error_data (like the captured send_error_190 fixture).
func tokenError(message string, subcode int) answer {
	return errorAnswer(http.StatusUnauthorized, graphError{
		Message: message, Type: "OAuthException", Code: 190, ErrorSubcode: subcode,
	})
}

// unsupportedRequest is Graph's answer for an object that does not exist, cannot be
// seen with this token, or does not support the method.
func unsupportedRequest(method, id string) answer {
	return errorAnswer(http.StatusBadRequest, graphError{
		Message: fmt.Sprintf("Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
			method, id),
		Type: "GraphMethodException", Code: 100, ErrorSubcode: 33,
	})
}

// unknownPath is Graph's answer for a path it cannot route.
func unknownPath(path string) answer {
	return errorAnswer(http.StatusBadRequest, graphError{
		Message: "Unknown path components: " + path, Type: "OAuthException", Code: 2500,
	})
}

// codeInfo is what Meta answers for an error code (Meta's Cloud API error codes:
// https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes).
type codeInfo struct {
	status  int
	message string
	details string
}

var codes = map[int]codeInfo{
	1:      {400, "An unknown error occurred", ""},
	2:      {503, "An unexpected error has occurred. Please retry your request later.", ""},
	3:      {500, "(#3) Application does not have the capability to make this API call.", ""},
	4:      {400, "(#4) Application request limit reached", ""},
	10:     {403, "(#10) Application does not have permission for this action", ""},
	100:    {400, "(#100) Invalid parameter", ""},
	190:    {401, "", ""}, // message built by tokenExpiredMessage
	200:    {403, "(#200) Permissions error", ""},
	368:    {403, "(#368) Temporarily blocked for policies violations", ""},
	80007:  {400, "(#80007) Rate limit issues", "The WhatsApp Business Account has reached its rate limit."},
	130429: {400, "(#130429) Rate limit hit", "Cloud API message throughput has been reached."},
	130472: {400, "(#130472) User's number is part of an experiment", "Failed to send message because this user's phone number is part of an experiment."},
	131000: {500, "(#131000) Something went wrong", "Message failed to send due to an unknown error."},
	131005: {403, "(#131005) Access denied", "Permission is either not granted or has been removed."},
	131008: {400, "(#131008) Required parameter is missing", ""},
	131009: {400, "(#131009) Parameter value is not valid", ""},
	131016: {500, "(#131016) Service unavailable", "A service is temporarily unavailable."},
	131021: {400, "(#131021) Recipient cannot be sender", "Sender and recipient phone number is the same."},
	131026: {400, "(#131026) Message undeliverable", "Unable to deliver message. The recipient's phone number may not be a WhatsApp phone number, or the recipient has not accepted the latest Terms of Service or uses an old WhatsApp version."},
	131031: {403, "(#131031) Business Account locked", "The WhatsApp Business Account associated with the app has been restricted or disabled."},
	131042: {400, "(#131042) Business eligibility payment issue", "Message failed to send because there were one or more errors related to your payment method."},
	131047: {400, "(#131047) Re-engagement message", "More than 24 hours have passed since the recipient last replied to the sender number."},
	131048: {400, "(#131048) Spam rate limit hit", "Message failed to send because there are restrictions on how many messages can be sent from this phone number."},
	131049: {400, "(#131049) This message was not delivered to maintain healthy ecosystem engagement.", "In order to maintain a healthy ecosystem engagement, the message failed to be delivered."},
	131050: {400, "(#131050) User stopped marketing messages", "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business."},
	131051: {400, "(#131051) Unsupported message type", "Message type is not currently supported."},
	131052: {400, "(#131052) Media download error", "Unable to download the media sent by the user."},
	131053: {400, "(#131053) Media upload error", "Unable to upload the media used in the message."},
	131056: {400, "(#131056) (Business Account, Consumer Account) pair rate limit hit", "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time."},
	131057: {500, "(#131057) Account in maintenance mode", "Business Account is in maintenance mode."},
	132000: {400, "(#132000) Number of parameters does not match the expected number of params", ""},
	132001: {404, "(#132001) Template name does not exist in the translation", ""},
	132005: {400, "(#132005) Translated text too long", "Translated text is too long."},
	132007: {400, "(#132007) Template Format Character Policy Violated", "Template content violates a WhatsApp policy."},
	132012: {400, "(#132012) Parameter format does not match format in the created template", ""},
	132015: {400, "(#132015) Template is Paused", "Template is paused due to low quality so it cannot be sent in a template message."},
	132016: {400, "(#132016) Template is Disabled", "Template has been paused too many times due to low quality and is now permanently disabled."},
	133010: {400, "(#133010) Account not registered", "Phone number not registered on the WhatsApp Business Platform."},
	135000: {400, "(#135000) Generic user error", "Message failed to send because of an unknown error with your request parameters."},
}

// pacific is Meta's time zone in token messages (fixed PDT if tzdata is missing).
var pacific = func() *time.Location {
	if loc, err := time.LoadLocation("America/Los_Angeles"); err == nil {
		return loc
	}
	return time.FixedZone("PDT", -7*3600)
}()

// tokenExpiredMessage mimics the captured 190 message.
func tokenExpiredMessage(now time.Time) string {
	const layout = "Monday, 02-Jan-06 15:04:05 MST"
	return fmt.Sprintf("Error validating access token: Session has expired on %s. The current time is %s.",
		now.Add(-time.Hour).In(pacific).Format(layout), now.In(pacific).Format(layout))
}

// faultAnswer builds the answer of an error fault.
func faultAnswer(f Fault, now time.Time) answer {
	info, known := codes[f.Code]
	status := f.HTTPStatus
	if status == 0 {
		status = info.status
		if !known {
			status = http.StatusBadRequest
		}
	}
	if f.Code == 0 {
		a := answer{status: status, body: []byte(f.Message)}
		if f.Message != "" {
			a.contentType = "text/plain; charset=utf-8"
		}
		return a
	}
	e := graphError{Message: f.Message, Type: f.Type, Code: f.Code, ErrorSubcode: f.Subcode}
	if e.Type == "" {
		e.Type = "OAuthException"
	}
	if e.Message == "" {
		switch {
		case f.Code == 190:
			e.Message = tokenExpiredMessage(now)
		case known:
			e.Message = info.message
		default:
			e.Message = "(#" + strconv.Itoa(f.Code) + ") Error"
		}
	}
	if f.Code == 190 && e.ErrorSubcode == 0 && f.Message == "" {
		e.ErrorSubcode = 463 // "session expired", matches the default message
	}
	details := f.Details
	if details == "" {
		details = info.details
	}
	// Token errors come without error_data (fixture send_error_190); WhatsApp errors with it.
	if f.Code != 190 || details != "" {
		e.ErrorData = &errorData{MessagingProduct: "whatsapp", Details: details}
	}
	return errorAnswer(status, e)
}

// fbtraceID returns a random trace id shaped like Meta's (23 characters).
func fbtraceID() string {
	b := make([]byte, 17)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:23]
}
