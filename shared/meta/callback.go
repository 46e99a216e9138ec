package meta

import "strings"

// CallbackData is what a send carries in biz_opaque_callback_data: the tenant and the
// job, "tenantID/jobID". Meta echoes it on the message's status webhooks, so a send
// whose answer was lost can still be matched to its job. Firestore document ids (both
// ids are ones) never contain "/".
func CallbackData(tenantID, jobID string) string { return tenantID + "/" + jobID }

// ParseCallbackData reads what CallbackData built. ok is false for anything else: no
// "/", an empty tenant or job id, or a second "/" (not a document id).
func ParseCallbackData(s string) (tenantID, jobID string, ok bool) {
	tenantID, jobID, ok = strings.Cut(s, "/")
	if !ok || tenantID == "" || jobID == "" || strings.Contains(jobID, "/") {
		return "", "", false
	}
	return tenantID, jobID, true
}
