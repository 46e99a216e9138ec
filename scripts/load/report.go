package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// TenantResult is what one tenant's number sent during a run.
type TenantResult struct {
	ID          string
	Coexistence bool
	Probe       bool
	Cap         int     // the number's cap, messages per second (Meta's, or scaled)
	LaneRate    float64 // its notice lane's dispatches per second
	Messages    int     // appointments created (one booking notice each)
	Sent        int     // sends Meta (the stand-in) accepted
	Throttled   int     // 130429 answers
	PairRate    int     // 131056 answers
	Duplicates  int     // accepted sends beyond the first to one client
	First, Last time.Time
	Started     time.Time // when its first appointment was created
	// Booked: when its first and last appointments were accepted by the booking API.
	BookedFirst, BookedLast time.Time
}

// BookingRate is the appointments per second the booking API took for the tenant.
func (r TenantResult) BookingRate() float64 {
	if r.Messages < 2 || !r.BookedLast.After(r.BookedFirst) {
		return 0
	}
	return float64(r.Messages-1) / r.BookedLast.Sub(r.BookedFirst).Seconds()
}

// LimitedBy says what held the tenant's sends back: its number's cap (its notice
// lane ran at 85 % of its rate or more), the bookings (the sends kept up with the
// appointments as the API took them: the stack could not book faster), or the
// machine (neither: dispatch fell behind).
func (r TenantResult) LimitedBy() string {
	switch rate := r.Rate(); {
	case rate == 0:
		return "-"
	case rate >= 0.85*r.LaneRate:
		return "cap"
	case rate >= 0.9*r.BookingRate():
		return "bookings"
	default:
		return "machine"
	}
}

// Rate is the messages per second achieved between the first and the last accepted
// send; 0 with fewer than two sends.
func (r TenantResult) Rate() float64 {
	if r.Sent < 2 || !r.Last.After(r.First) {
		return 0
	}
	return float64(r.Sent-1) / r.Last.Sub(r.First).Seconds()
}

// Ratio is Rate over the number's cap.
func (r TenantResult) Ratio() float64 {
	if r.Cap <= 0 {
		return 0
	}
	return r.Rate() / float64(r.Cap)
}

// Drain is how long the tenant's notices took, from its first appointment to its
// last accepted send.
func (r TenantResult) Drain() time.Duration {
	if r.Last.IsZero() || r.Started.IsZero() {
		return 0
	}
	return r.Last.Sub(r.Started)
}

// Percentile is the p-th percentile (0 < p ≤ 100) of ds by the nearest-rank method;
// 0 for none.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	return s[min(max(rank, 1), len(s))-1]
}

// Duplicates counts accepted sends beyond the first to each recipient.
func Duplicates(recipients []string) int {
	seen := map[string]int{}
	dup := 0
	for _, r := range recipients {
		if seen[r]++; seen[r] > 1 {
			dup++
		}
	}
	return dup
}

// Usage is what a run consumed, per message lifecycle.
type Usage struct {
	Messages        int
	FirestoreReads  int64
	FirestoreWrites int64
	TaskOperations  int64 // Cloud Tasks CreateTask calls and push deliveries
	PubSubBytes     int64 // billed bytes: publish and push of each webhook, 1,000 at least each
	Requests        map[string]int64
	RequestSeconds  map[string]float64 // wall time served, by function
}

// Prices are list prices in US dollars, with where and when they were read.
type Prices struct {
	Read        string // when the prices were read
	FirestoreRd float64
	FirestoreWr float64 // per document
	FirestoreAt string
	TaskOp      float64 // per operation
	TasksAt     string
	PubSubByte  float64 // per byte
	PubSubAt    string
	RunRequest  float64 // per request
	RunVCPUSec  float64
	RunGiBSec   float64
	RunAt       string
}

// ListPrices: read 2026-12-01. Firestore's São Paulo row was not retrieved; the
// Oregon (us-west1) regional row is used. Cloud Run's tier-2 prices (São Paulo is a
// tier-2 region) were not retrieved; tier 1's are used, so the Cloud Run figure is a
// floor. Free tiers are not subtracted.
var ListPrices = Prices{
	Read:        "2026-12-01",
	FirestoreRd: 0.03 / 100_000, FirestoreWr: 0.09 / 100_000,
	FirestoreAt: "https://cloud.google.com/firestore/pricing (us-west1 row: $0.03 per 100,000 reads, $0.09 per 100,000 writes)",
	TaskOp:      0.40 / 1_000_000,
	TasksAt:     "https://cloud.google.com/tasks/pricing ($0.40 per million operations)",
	PubSubByte:  40.0 / (1 << 40),
	PubSubAt:    "https://cloud.google.com/pubsub/pricing ($40 per TiB; at least 1,000 bytes per publish and per push)",
	RunRequest:  0.40 / 1_000_000, RunVCPUSec: 0.000024, RunGiBSec: 0.0000025,
	RunAt: "https://cloud.google.com/run/pricing (tier 1, request-based billing: $0.000024 per vCPU-second, $0.0000025 per GiB-second, $0.40 per million requests)",
}

// FunctionSize is the vCPUs and GiB each function runs with (terraform/functions.tf;
// 256 MB without a CPU setting gets Cloud Run's 0.167 vCPU).
var FunctionSize = map[string][2]float64{
	"api": {0.167, 0.25}, "dispatch": {1, 0.25}, "webhook": {1, 0.25}, "events": {1, 0.25},
	"reminders": {0.167, 0.25}, "voucher": {0.167, 0.25},
}

// Cost is the list-price cost of a run's usage per 1,000 messages, by service. The
// Cloud Run part bills each request's full wall time (one request per instance), an
// upper bound for functions serving several at once.
func (p Prices) Cost(u Usage) map[string]float64 {
	if u.Messages == 0 {
		return nil
	}
	per := 1000 / float64(u.Messages)
	out := map[string]float64{
		"firestore": (float64(u.FirestoreReads)*p.FirestoreRd + float64(u.FirestoreWrites)*p.FirestoreWr) * per,
		"tasks":     float64(u.TaskOperations) * p.TaskOp * per,
		"pubsub":    float64(u.PubSubBytes) * p.PubSubByte * per,
	}
	var run float64
	for fn, n := range u.Requests {
		size, ok := FunctionSize[fn]
		if !ok {
			continue // the dashboard's files and the stand-ins' keys are not functions
		}
		run += float64(n)*p.RunRequest + u.RequestSeconds[fn]*(size[0]*p.RunVCPUSec+size[1]*p.RunGiBSec)
	}
	out["run"] = run * per
	return out
}

// PubSubBilled is what Pub/Sub bills for one message of n bytes, published and pushed
// once: at least 1,000 bytes each way.
func PubSubBilled(n int) int64 { return 2 * int64(max(n, 1000)) }

// Report is a run's outcome.
type Report struct {
	Config  Config
	Tenants []TenantResult
	Probe   []time.Duration // booking-to-send latency of the probe tenant's notices
	Usage   Usage
	Elapsed time.Duration
}

// Print writes the report as a table.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "\nLembra load run: %d tenants (%d coexistence) × %d appointments, caps at %.2f × Meta's, %d API workers; took %v\n\n",
		r.Config.Tenants, r.Config.Coexistence, r.Config.Messages, r.Config.Scale, r.Config.Workers, r.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "%-14s %-12s %6s %7s %8s %6s %9s %6s %6s %8s %7s %7s %5s  %s\n",
		"tenant", "kind", "cap/s", "lane/s", "booked/s", "sent", "msg/s", "ratio", "lane%", "drain", "130429", "131056", "dup", "limited by")
	for _, t := range r.Tenants {
		kind := "cloud api"
		if t.Coexistence {
			kind = "coexistence"
		}
		if t.Probe {
			kind += "*"
		}
		lanePct := 0.0
		if t.LaneRate > 0 {
			lanePct = 100 * t.Rate() / t.LaneRate
		}
		fmt.Fprintf(w, "%-14s %-12s %6d %7.2f %8.2f %6d %9.2f %6.2f %5.0f%% %8s %7d %7d %5d  %s\n",
			t.ID, kind, t.Cap, t.LaneRate, t.BookingRate(), t.Sent, t.Rate(), t.Ratio(), lanePct, t.Drain().Round(100*time.Millisecond), t.Throttled, t.PairRate, t.Duplicates, t.LimitedBy())
	}
	var sent, caps int
	first, last := time.Time{}, time.Time{}
	for _, t := range r.Tenants {
		sent, caps = sent+t.Sent, caps+t.Cap
		if !t.First.IsZero() && (first.IsZero() || t.First.Before(first)) {
			first = t.First
		}
		if t.Last.After(last) {
			last = t.Last
		}
	}
	if last.After(first) {
		fmt.Fprintf(w, "all numbers together: %.1f msg/s accepted by Meta (their caps add up to %d/s)\n", float64(sent-1)/last.Sub(first).Seconds(), caps)
	}
	fmt.Fprintf(w, "(* the probe tenant, added during the load: %d notices, one every %v)\n\n", len(r.Probe), r.Config.ProbeEvery)
	fmt.Fprintf(w, "probe notice latency (booking → accepted by Meta): p50 %v, p99 %v, max %v\n",
		Percentile(r.Probe, 50).Round(time.Millisecond), Percentile(r.Probe, 99).Round(time.Millisecond), Percentile(r.Probe, 100).Round(time.Millisecond))

	u := r.Usage
	if u.Messages > 0 {
		m := float64(u.Messages)
		fmt.Fprintf(w, "per message lifecycle (created → sent → delivered → read), %d messages:\n", u.Messages)
		fmt.Fprintf(w, "  Firestore: %.2f reads, %.2f writes (%.2f operations)\n", float64(u.FirestoreReads)/m, float64(u.FirestoreWrites)/m, float64(u.FirestoreReads+u.FirestoreWrites)/m)
		fmt.Fprintf(w, "  Cloud Tasks: %.2f operations; Pub/Sub: %.0f billed bytes\n", float64(u.TaskOperations)/m, float64(u.PubSubBytes)/m)
		var fns []string
		for fn := range u.Requests {
			if _, ok := FunctionSize[fn]; ok {
				fns = append(fns, fn)
			}
		}
		slices.Sort(fns)
		var parts []string
		for _, fn := range fns {
			parts = append(parts, fmt.Sprintf("%s %.2f (%.0f ms each)", fn, float64(u.Requests[fn])/m, 1000*u.RequestSeconds[fn]/float64(u.Requests[fn])))
		}
		fmt.Fprintf(w, "  requests: %s\n", strings.Join(parts, ", "))
		cost := ListPrices.Cost(u)
		total := 0.0
		for _, v := range cost {
			total += v
		}
		fmt.Fprintf(w, "GCP list-price cost per 1,000 messages: US$ %.4f (Firestore %.4f, Cloud Run functions ≤ %.4f, Pub/Sub %.4f, Cloud Tasks %.4f)\n",
			total, cost["firestore"], cost["run"], cost["pubsub"], cost["tasks"])
		fmt.Fprintf(w, "  prices read %s, free tiers not subtracted:\n    %s\n    %s\n    %s\n    %s\n",
			ListPrices.Read, ListPrices.FirestoreAt, ListPrices.RunAt, ListPrices.PubSubAt, ListPrices.TasksAt)
		fmt.Fprintln(w, "  Cloud Run bills each request's whole local wall time here (an upper bound: one request per instance, on this machine).")
	}
}
