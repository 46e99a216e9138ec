package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"cloud.google.com/go/firestore"
	"cloud.google.com/go/firestore/apiv1/firestorepb"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/standin/metastandin"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/queue"
)

// Config is one load run.
type Config struct {
	Tenants     int           // load tenants
	Coexistence int           // how many of them have coexistence numbers (20/s)
	Messages    int           // appointments per load tenant, one booking notice each
	Scale       float64       // the numbers' caps as a fraction of Meta's (1: 80/s and 20/s)
	Workers     int           // concurrent API clients creating appointments
	ProbeAfter  float64       // the probe tenant is added once this fraction of appointments exists
	Probes      int           // the probe tenant's appointments
	ProbeEvery  time.Duration // between two probe appointments
	Timeout     time.Duration // for the whole run
}

// Validate refuses a run that cannot be made.
func (c Config) Validate() error {
	switch {
	case c.Tenants < 1 || c.Tenants > 50:
		return errors.New("-tenants must be from 1 to 50")
	case c.Coexistence < 0 || c.Coexistence > c.Tenants:
		return errors.New("-coexistence must be from 0 to -tenants")
	case c.Messages < 1 || c.Messages > 100_000:
		return errors.New("-messages must be from 1 to 100,000")
	case c.Scale <= 0 || c.Scale > 1:
		return errors.New("-scale must be above 0 and at most 1")
	case c.Workers < 1 || c.Workers > 256:
		return errors.New("-workers must be from 1 to 256")
	case c.ProbeAfter < 0 || c.ProbeAfter >= 1:
		return errors.New("-probe-after must be from 0 to below 1")
	case c.Probes < 1 || c.ProbeEvery <= 0:
		return errors.New("-probes must be at least 1 and -probe-every positive")
	}
	return nil
}

// ScaledCap is a number's cap at the run's scale (at least 1 message per second).
func ScaledCap(coexistence bool, scale float64) int {
	return max(1, int(math.Round(float64(domain.ThroughputCap(coexistence))*scale)))
}

type loadTenant struct {
	res *TenantResult
	key string
	pn  string
	mu  sync.Mutex // guards res.Booked*
}

// booked notes an appointment the booking API accepted at `at`.
func (t *loadTenant) booked(at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.res.BookedFirst.IsZero() || at.Before(t.res.BookedFirst) {
		t.res.BookedFirst = at
	}
	if at.After(t.res.BookedLast) {
		t.res.BookedLast = at
	}
}

// Run drives the load on a running stack and reports what it measured.
func Run(ctx context.Context, s *devstack.Stack, cfg Config) (*Report, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	s.Meta.SetThroughputScale(0) // each number gets its cap below, as Meta and onboarding set it

	var tenants []*loadTenant
	for i := range cfg.Tenants {
		lt, err := addTenant(ctx, s, fmt.Sprintf("load-%02d", i+1), i+1, i < cfg.Coexistence, cfg.Scale)
		if err != nil {
			return nil, err
		}
		lt.res.Messages = cfg.Messages
		tenants = append(tenants, lt)
	}

	report := &Report{Config: cfg}
	before := s.FirestoreOps()
	reqBefore := s.RequestStats()
	tasksBefore := len(s.Tasks.Attempts())
	hooksBefore := len(s.Meta.Webhooks())
	start := time.Now()

	// Appointments: every tenant's i-th, then every tenant's (i+1)-th, as fast as the
	// API takes them.
	type item struct {
		t *loadTenant
		i int
	}
	work := make(chan item)
	var created atomic.Int64
	var firstErr error
	var errOnce sync.Once
	fail := func(err error) { errOnce.Do(func() { firstErr = err; cancel() }) }
	var wg sync.WaitGroup
	for range cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range work {
				if _, err := book(ctx, s, it.t, fmt.Sprintf("load-%d", it.i), clientPhone(it.t, it.i), 72*time.Hour); err != nil {
					fail(err)
					continue
				}
				it.t.booked(time.Now())
				created.Add(1)
			}
		}()
	}
	total := cfg.Tenants * cfg.Messages
	probeDone := make(chan []time.Duration, 1)
	var probe *loadTenant
	startProbe := func() {
		lt, lat, err := runProbe(ctx, s, cfg)
		if err != nil {
			fail(err)
		}
		probe = lt
		probeDone <- lat
	}
	go func() {
		defer close(work)
		probeStarted := false
		defer func() {
			// However the feeding ends (done, or the run canceled), the probe runs
			// (it fails at once on a canceled run), so its result always arrives.
			if !probeStarted {
				go startProbe()
			}
		}()
		for i := range cfg.Messages {
			for _, t := range tenants {
				if i == 0 {
					t.res.Started = time.Now()
				}
				select {
				case work <- item{t, i}:
				case <-ctx.Done():
					return
				}
				if !probeStarted && float64(created.Load()) >= cfg.ProbeAfter*float64(total) {
					probeStarted = true
					go startProbe()
				}
			}
		}
	}()
	wg.Wait()
	report.Probe = <-probeDone
	if firstErr != nil {
		return nil, firstErr
	}
	if probe == nil {
		return nil, errors.New("the probe tenant did not run")
	}
	probe.res.Messages = cfg.Probes
	all := append(tenants, probe)

	// Wait for every notice to be accepted, then for its three statuses to be applied.
	want := total + cfg.Probes
	if err := waitFor(ctx, "every notice accepted by Meta", func() bool { return acceptedFor(s, all) >= want }); err != nil {
		return nil, err
	}
	if err := waitFor(ctx, "three status webhooks answered per notice", func() bool {
		return statusesDelivered(s.Meta.Webhooks()[hooksBefore:]) >= 3*want
	}); err != nil {
		return nil, err
	}
	// Pub/Sub pushes them to events at its own pace: wait until every notice's job
	// is read, through a client of the harness's own (its reads are not counted).
	own, err := firestore.NewClient(ctx, s.Config.Project) // FIRESTORE_EMULATOR_HOST
	if err != nil {
		return nil, err
	}
	defer own.Close()
	readQuery := own.CollectionGroup("jobs").Where("provider_status", "==", "read")
	readJobs := readQuery.NewAggregationQuery().WithCount("n")
	if err := waitFor(ctx, "every notice's job marked read", func() bool {
		res, err := readJobs.Get(ctx)
		if err != nil {
			return false
		}
		n, _ := res["n"].(*firestorepb.Value)
		return n != nil && n.GetIntegerValue() >= int64(want)
	}); err != nil {
		return nil, err
	}
	after, err := settle(ctx, s)
	if err != nil {
		return nil, err
	}
	report.Elapsed = time.Since(start)

	// Per tenant, from what the Meta stand-in saw.
	byNumber := map[string]*loadTenant{}
	for _, t := range all {
		byNumber[t.pn] = t
	}
	recipients := map[string][]string{}
	for _, r := range s.Meta.Requests() {
		t, ok := byNumber[r.PhoneNumberID]
		if !ok || r.Type == "read" {
			continue
		}
		if r.WAMID != "" {
			if t.res.First.IsZero() || r.At.Before(t.res.First) {
				t.res.First = r.At
			}
			if r.At.After(t.res.Last) {
				t.res.Last = r.At
			}
			t.res.Sent++
			recipients[t.pn] = append(recipients[t.pn], r.To)
		} else if metaErrorCode(r.Response) == 131056 {
			t.res.PairRate++
		}
	}
	for _, t := range all {
		t.res.Throttled = s.Meta.Throttled(t.pn)
		t.res.Duplicates = Duplicates(recipients[t.pn])
		report.Tenants = append(report.Tenants, *t.res)
	}
	sortedTenants(report.Tenants)

	// Usage, per message lifecycle.
	ops := after.Sub(before)
	u := Usage{Messages: want, FirestoreReads: ops.Reads(), FirestoreWrites: ops.Writes(),
		Requests: map[string]int64{}, RequestSeconds: map[string]float64{}}
	attempts := s.Tasks.Attempts()[tasksBefore:]
	names := map[string]bool{}
	for _, a := range attempts {
		names[a.Headers.Get("X-CloudTasks-TaskName")] = true
	}
	u.TaskOperations = int64(len(attempts) + len(names))
	for _, h := range s.Meta.Webhooks()[hooksBefore:] {
		u.PubSubBytes += PubSubBilled(len(h.Body))
	}
	for fn, st := range s.RequestStats() {
		d := st.Total - reqBefore[fn].Total
		u.Requests[fn] = st.Count - reqBefore[fn].Count
		u.RequestSeconds[fn] = d.Seconds()
	}
	report.Usage = u
	return report, nil
}

// addTenant adds a studio whose number is capped at its kind's cap (scaled), at Meta
// and in its connection, as onboarding records it.
func addTenant(ctx context.Context, s *devstack.Stack, id string, n int, coexistence bool, scale float64) (*loadTenant, error) {
	spec := devstack.DemoTenant()
	capPerSecond := ScaledCap(coexistence, scale)
	spec.ID, spec.APIKey, spec.Name = id, "", "Studio "+id
	spec.WhatsApp.WABAID = fmt.Sprintf("9%014d", n)
	spec.WhatsApp.PhoneNumberID = fmt.Sprintf("8%014d", n)
	spec.WhatsApp.DisplayPhoneNumber = fmt.Sprintf("+55 11 4%03d-%04d", n/10000, n%10000)
	spec.WhatsApp.Coexistence = coexistence
	spec.WhatsApp.ThroughputCap = capPerSecond
	spec.AccessToken = "EAAload" + id
	ten, key, err := s.AddTenant(ctx, spec)
	if err != nil {
		return nil, fmt.Errorf("add tenant %s: %w", id, err)
	}
	s.Meta.SetThroughput(ten.WhatsApp.PhoneNumberID, capPerSecond)
	return &loadTenant{key: key, pn: ten.WhatsApp.PhoneNumberID, res: &TenantResult{
		ID: id, Coexistence: coexistence, Cap: capPerSecond, LaneRate: queue.DefaultPacing.Rate(capPerSecond, queue.LaneNow),
	}}, nil
}

// runProbe adds the probe tenant (a Cloud API number) and books its appointments one
// by one, each timed from the booking to Meta accepting its notice.
func runProbe(ctx context.Context, s *devstack.Stack, cfg Config) (*loadTenant, []time.Duration, error) {
	lt, err := addTenant(ctx, s, "probe", 99, false, cfg.Scale)
	if err != nil {
		return nil, nil, err
	}
	lt.res.Probe, lt.res.Started = true, time.Now()
	var lat []time.Duration
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range cfg.Probes {
		to := clientPhone(lt, i)
		booked, err := book(ctx, s, lt, fmt.Sprintf("probe-%d", i), to, 48*time.Hour)
		if err != nil {
			return lt, nil, err
		}
		lt.booked(time.Now())
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if at, ok := acceptedAt(s, lt.pn, to); ok {
					mu.Lock()
					lat = append(lat, at.Sub(booked))
					mu.Unlock()
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
		}()
		select {
		case <-time.After(cfg.ProbeEvery):
		case <-ctx.Done():
			return lt, nil, ctx.Err()
		}
	}
	wg.Wait()
	if len(lat) != cfg.Probes {
		return lt, nil, fmt.Errorf("%d of %d probe notices were sent", len(lat), cfg.Probes)
	}
	return lt, lat, nil
}

// book creates one appointment through the booking API and returns when it was
// booked (the moment the API call started).
func book(ctx context.Context, s *devstack.Stack, t *loadTenant, externalID, phone string, ahead time.Duration) (time.Time, error) {
	body, _ := json.Marshal(map[string]any{
		"external_id": externalID, "client_name": "Cliente de carga", "client_phone": phone,
		"service": "Design de sobrancelhas", "starts_at": time.Now().Add(ahead).Truncate(time.Minute).Format(time.RFC3339),
	})
	for attempt := 1; ; attempt++ {
		at := time.Now()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/api/v1/appointments", bytes.NewReader(body))
		if err != nil {
			return at, err
		}
		req.Header.Set("Authorization", "Bearer "+t.key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusCreated || resp.StatusCode == http.StatusOK {
				return at, nil
			}
			err = fmt.Errorf("POST /v1/appointments for %s: HTTP %d", t.res.ID, resp.StatusCode)
			if resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests {
				return at, err // the booking system's error: not retried
			}
		}
		if attempt == 5 || ctx.Err() != nil {
			return at, err
		}
		time.Sleep(time.Duration(attempt) * 200 * time.Millisecond) // as a booking system retries
	}
}

// clientPhone is a distinct client number for each tenant's i-th appointment.
func clientPhone(t *loadTenant, i int) string {
	return fmt.Sprintf("+55119%s%06d", t.pn[len(t.pn)-2:], i)
}

func acceptedAt(s *devstack.Stack, pn, to string) (time.Time, bool) {
	for _, r := range s.Meta.Accepted() {
		if r.PhoneNumberID == pn && r.Type != "read" && ("+"+r.To == to || r.To == to) {
			return r.At, true
		}
	}
	return time.Time{}, false
}

func acceptedFor(s *devstack.Stack, ts []*loadTenant) int {
	numbers := map[string]bool{}
	for _, t := range ts {
		numbers[t.pn] = true
	}
	n := 0
	for _, r := range s.Meta.Accepted() {
		if numbers[r.PhoneNumberID] && r.Type != "read" {
			n++
		}
	}
	return n
}

// statusesDelivered counts the automatic status webhooks the stack answered 200.
func statusesDelivered(hooks []metastandin.WebhookDelivery) int {
	n := 0
	for _, h := range hooks {
		if h.Kind == "status" && h.Automatic && h.Status == http.StatusOK {
			n++
		}
	}
	return n
}

// metaErrorCode reads error.code from a Graph API error body; 0 when there is none.
func metaErrorCode(body []byte) int {
	var e struct {
		Error struct {
			Code int `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return 0
	}
	return e.Error.Code
}

func waitFor(ctx context.Context, what string, cond func() bool) error {
	for !cond() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
	return nil
}

// settle waits until the stack's Firestore operations stop moving for a second (the
// last status's writes land after the webhook is answered) and returns the counts.
func settle(ctx context.Context, s *devstack.Stack) (devstack.FirestoreOps, error) {
	last := s.FirestoreOps()
	stable := time.Now()
	for time.Since(stable) < time.Second {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for the stack to be idle: %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
		if now := s.FirestoreOps(); len(now.Sub(last)) != 0 {
			last, stable = now, time.Now()
		}
	}
	return last, nil
}

// sortedTenants orders results as printed: load tenants by id, the probe last.
func sortedTenants(rs []TenantResult) {
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].Probe != rs[j].Probe {
			return !rs[i].Probe
		}
		return rs[i].ID < rs[j].ID
	})
}
