package terraform_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestEventsPushSubscriptionHasDeadLetters: the events function is fed by a push
// subscription Terraform manages (not an Eventarc trigger, whose subscription cannot be
// given a dead-letter policy here), with a dead-letter topic that is read, a bounded
// number of attempts equal to the local stack's, an OIDC identity allowed to invoke
// events, and Pub/Sub's service agent allowed to forward dead letters.
func TestEventsPushSubscriptionHasDeadLetters(t *testing.T) {
	for _, r := range registeredEntryPoints(t) {
		if r.Name == "events" && r.Kind != "HTTP" {
			t.Errorf("functions/events registers %q with functions.%s; a push subscription needs functions.HTTP", r.Name, r.Kind)
		}
	}
	for name, body := range resourceBlocks(t, readTF(t, "functions.tf"), "google_cloudfunctions2_function") {
		if strings.Contains(body, "event_trigger") {
			t.Errorf("google_cloudfunctions2_function.%s has an event_trigger: events would be delivered twice", name)
		}
	}

	pubsub := readTF(t, "pubsub.tf")
	subs := resourceBlocks(t, pubsub, "google_pubsub_subscription")
	var push string
	for name, body := range subs {
		if regexp.MustCompile(`push_endpoint\s*=\s*local\.function_urls\["events"\]`).MatchString(body) {
			if push != "" {
				t.Errorf("more than one push subscription to events (%s)", name)
			}
			push = name
		}
	}
	if push == "" {
		t.Fatal(`pubsub.tf: no google_pubsub_subscription with push_endpoint = local.function_urls["events"]`)
	}
	body := subs[push]
	for _, want := range []string{
		`topic\s*=\s*google_pubsub_topic\.webhooks\.id`,
		`audience\s*=\s*local\.function_urls\["events"\]`,
		`service_account_email\s*=\s*google_service_account\.events_push\.email`,
		`minimum_backoff\s*=`,
		`maximum_backoff\s*=`,
	} {
		if !regexp.MustCompile(want).MatchString(body) {
			t.Errorf("google_pubsub_subscription.%s: no match for %s", push, want)
		}
	}

	dl := nestedBlocks(body, "dead_letter_policy")
	if len(dl) != 1 {
		t.Fatalf("google_pubsub_subscription.%s: want one dead_letter_policy, have %d", push, len(dl))
	}
	m := regexp.MustCompile(`dead_letter_topic\s*=\s*google_pubsub_topic\.([A-Za-z0-9_]+)\.id`).FindStringSubmatch(dl[0])
	if m == nil {
		t.Fatal("dead_letter_policy: dead_letter_topic is not a google_pubsub_topic of this configuration")
	}
	dlTopic := m[1]
	if dlTopic == "webhooks" {
		t.Error("dead_letter_policy: the dead-letter topic is the webhook topic itself")
	}
	read := false
	for _, b := range subs {
		if regexp.MustCompile(`topic\s*=\s*google_pubsub_topic\.` + dlTopic + `\.id`).MatchString(b) {
			read = true
		}
	}
	if !read {
		t.Errorf("no subscription on the dead-letter topic %s: Pub/Sub would drop what it forwards", dlTopic)
	}

	// max_delivery_attempts: a number or a local, within Pub/Sub's 5..100, and the same
	// as the local stack's.
	v := attr(dl[0], "max_delivery_attempts")
	if loc, ok := strings.CutPrefix(v, "local."); ok {
		v = ""
		for _, l := range topBlocks(pubsub, `locals`) {
			if got := attr(l, loc); got != "" {
				v = got
			}
		}
	}
	attempts, err := strconv.Atoi(v)
	if err != nil || attempts < 5 || attempts > 100 {
		t.Fatalf("max_delivery_attempts = %q, want a number from 5 to 100", v)
	}
	dev := regexp.MustCompile(`(?m)^const EventsMaxDeliveryAttempts = (\d+)`).FindStringSubmatch(readRepoFile(t, "scripts/internal/devstack/devstack.go"))
	if dev == nil || dev[1] != strconv.Itoa(attempts) {
		t.Errorf("scripts/internal/devstack EventsMaxDeliveryAttempts = %v, Terraform has %d", dev, attempts)
	}

	// The ack deadline of a push subscription is its request timeout: at least the
	// function's own timeout, or Pub/Sub would redeliver a delivery still being applied.
	fns, _ := mapAttr(topBlocks(readTF(t, "functions.tf"), `locals`)[0], "functions")
	evBody := regexp.MustCompile(`(?s)\bevents\s*=\s*\{([^{}]*)\}`).FindStringSubmatch(fns)
	ack, _ := strconv.Atoi(attr(body, "ack_deadline_seconds"))
	if evBody == nil {
		t.Fatal("functions.tf: no events function in local.functions")
	}
	if timeout, _ := strconv.Atoi(attr(evBody[1], "timeout")); ack < timeout {
		t.Errorf("ack_deadline_seconds = %d, below the events timeout %d", ack, timeout)
	}

	iam := readTF(t, "events_delivery.tf")
	invoker := false
	for _, b := range resourceBlocks(t, iam, "google_cloud_run_service_iam_member") {
		if strings.Contains(b, `fn["events"]`) && attr(b, "role") == "roles/run.invoker" &&
			strings.Contains(b, "google_service_account.events_push.email") {
			invoker = true
		}
	}
	if !invoker {
		t.Error("events_delivery.tf: the push identity is not run.invoker of events")
	}
	publishes, acks := false, false
	for _, b := range resourceBlocks(t, iam, "google_pubsub_topic_iam_member") {
		publishes = publishes || strings.Contains(b, "google_pubsub_topic."+dlTopic+".id") && attr(b, "role") == "roles/pubsub.publisher" &&
			strings.Contains(b, "local.pubsub_service_agent")
	}
	for _, b := range resourceBlocks(t, iam, "google_pubsub_subscription_iam_member") {
		acks = acks || strings.Contains(b, "google_pubsub_subscription."+push+".id") && attr(b, "role") == "roles/pubsub.subscriber" &&
			strings.Contains(b, "local.pubsub_service_agent")
	}
	if !publishes || !acks {
		t.Errorf("events_delivery.tf: Pub/Sub's service agent cannot forward dead letters (publisher on the topic %v, subscriber on the subscription %v)", publishes, acks)
	}
}
