package devstack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/privacy"
)

// Meta's data deletion callback, end to end: a forged or malformed signed_request is
// refused (400) and changes nothing; a valid one (signed with the local app secret as
// Meta signs it) erases the client from both tenants she booked with, keeps her jobs'
// ids, statuses and counts, leaves another client alone, and its status page answers.
func TestDataDeletionCallback(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ctx := context.Background()
	db := mustStore(t, s)
	const (
		maria  = "+5511987659901" // the one who asks
		other  = "+5511987659902" // another client of the same studios
		secret = "CPF 123.456.789-00, por favor anote"
	)
	type studio struct {
		ten  *domain.Tenant
		key  string
		apts map[string]string // phone → appointment id
	}
	var studios []studio
	for i, id := range []string{"dd-jana", "dd-bela"} {
		ten, key := demo(t, s, func(tn *devstack.Tenant) {
			tn.ID, tn.APIKey = id, ""
			tn.WhatsApp.WABAID, tn.WhatsApp.PhoneNumberID = fmt.Sprintf("10229012934920%d", i), fmt.Sprintf("10654035224920%d", i)
		})
		st := studio{ten: ten, key: key, apts: map[string]string{}}
		for j, phone := range []string{maria, other} {
			body := appointmentBody(fmt.Sprintf("dd-%d-%d", i, j), time.Now().Add(72*time.Hour))
			body["client_phone"] = phone
			body["client_name"] = map[string]string{maria: "Maria Apagada", other: "Joana Fica"}[phone]
			r := call(t, s, key, "POST", "/v1/appointments", body)
			st.apts[phone] = appointmentID(t, r)
		}
		studios = append(studios, st)
	}
	// Notices sent; Maria writes to both studios, so each has her conversation.
	for _, st := range studios {
		for _, phone := range []string{maria, other} {
			waitJob(t, s, st.ten.ID, domain.JobID(st.apts[phone], domain.JobCreated, 0), 20*time.Second, func(j *domain.Job) bool {
				return j.Status == domain.JobDelivered || j.Status == domain.JobRead || j.Status == domain.JobSent
			})
		}
		if _, _, err := s.Meta.SendText(ctx, st.ten.WhatsApp.PhoneNumberID, strings.TrimPrefix(maria, "+"), secret, ""); err != nil {
			t.Fatal(err)
		}
	}
	for _, st := range studios {
		deadline := time.Now().Add(20 * time.Second)
		for {
			msgs, err := db.ConversationMessages(ctx, st.ten.ID, strings.TrimPrefix(maria, "+"))
			if err == nil && len(msgs) > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: Maria's message never stored (%v)", st.ten.ID, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	time.Sleep(time.Second) // let the stand-in's status webhooks settle

	post := func(form url.Values) (int, string) {
		t.Helper()
		resp, err := http.PostForm(s.URL+"/webhook/data-deletion", form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	subject := privacy.SignedRequest{Algorithm: "HMAC-SHA256", UserID: strings.TrimPrefix(maria, "+"), IssuedAt: time.Now().Unix(), Expires: time.Now().Add(time.Hour).Unix()}

	// Refused requests change nothing.
	before := dump(t, s)
	forged := privacy.SignRequest(subject, []byte("not-the-app-secret-at-all"))
	sha1 := subject
	sha1.Algorithm = "HMAC-SHA1"
	for name, form := range map[string]url.Values{
		"forged signature":     {"signed_request": {forged}},
		"no signed_request":    {},
		"malformed":            {"signed_request": {"abc"}},
		"right key, HMAC-SHA1": {"signed_request": {privacy.SignRequest(sha1, []byte(devstack.AppSecret))}},
	} {
		if status, body := post(form); status != http.StatusBadRequest {
			t.Errorf("%s: %d %s, want 400", name, status, body)
		}
	}
	if after := dump(t, s); !reflect.DeepEqual(before, after) {
		t.Fatalf("a refused deletion changed what is stored")
	}

	// The real one.
	signed := privacy.SignRequest(subject, []byte(devstack.AppSecret))
	status, body := post(url.Values{"signed_request": {signed}})
	var answer struct {
		URL  string `json:"url"`
		Code string `json:"confirmation_code"`
	}
	if err := json.Unmarshal([]byte(body), &answer); status != 200 || err != nil || answer.Code == "" {
		t.Fatalf("deletion: %d %s", status, body)
	}
	if want := s.URL + "/webhook/data-deletion/status?code=" + answer.Code; answer.URL != want {
		t.Errorf("url %s, want %s", answer.URL, want)
	}
	for _, st := range studios {
		a, err := db.GetAppointment(ctx, st.ten.ID, st.apts[maria])
		if err != nil || a.ClientName != privacy.RemovedName || a.ClientPhone != "" {
			t.Errorf("%s: Maria's appointment %+v %v", st.ten.ID, a, err)
		}
		notice := getJob(t, s, st.ten.ID, domain.JobID(st.apts[maria], domain.JobCreated, 0))
		if notice.ClientName != privacy.RemovedName || notice.ClientPhone != "" || notice.Recipient != "" || !notice.Status.Final() && notice.Status != domain.JobSent {
			t.Errorf("%s: Maria's notice %+v", st.ten.ID, notice)
		}
		if notice.ProviderMessageID == "" || notice.AttemptCount() == 0 {
			t.Errorf("%s: the notice lost its send: %+v", st.ten.ID, notice)
		}
		reminder := getJob(t, s, st.ten.ID, domain.JobID(st.apts[maria], domain.JobReminder, 1))
		if reminder.Status != domain.JobSkipped || !strings.Contains(reminder.Reason, "exclusão dos dados do cliente") {
			t.Errorf("%s: Maria's pending reminder %s %q, want skipped with the reason", st.ten.ID, reminder.Status, reminder.Reason)
		}
		if c, err := db.GetConversation(ctx, st.ten.ID, strings.TrimPrefix(maria, "+")); err == nil {
			t.Errorf("%s: Maria's conversation is still there: %+v", st.ten.ID, c)
		}
		if msgs, _ := db.ConversationMessages(ctx, st.ten.ID, strings.TrimPrefix(maria, "+")); len(msgs) != 0 {
			t.Errorf("%s: %d of Maria's messages left", st.ten.ID, len(msgs))
		}
		o, err := db.GetAppointment(ctx, st.ten.ID, st.apts[other])
		if err != nil || o.ClientName != "Joana Fica" || o.ClientPhone != other {
			t.Errorf("%s: the other client was touched: %+v %v", st.ten.ID, o, err)
		}
	}
	for path, doc := range dump(t, s) {
		raw, _ := json.Marshal(doc)
		for _, trace := range []string{"987659901", "Maria Apagada", secret} {
			if strings.Contains(path, trace) || strings.Contains(string(raw), trace) {
				t.Errorf("%s still holds %q: %s", path, trace, raw)
			}
		}
	}
	d, err := db.GetDeletion(ctx, answer.Code)
	if err != nil || d.Status != privacy.StatusDone || len(d.Tenants) < 2 || !d.Tenants["dd-jana"].Found || !d.Tenants["dd-bela"].Found {
		t.Errorf("deletion record %+v %v", d, err)
	}

	// Meta sending the same request again: the same code, nothing more to do.
	if status, again := post(url.Values{"signed_request": {signed}}); status != 200 || !strings.Contains(again, answer.Code) {
		t.Errorf("again: %d %s", status, again)
	}

	// The status page, and an unknown code.
	page := func(u string) (int, string) {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, html := page(answer.URL)
	if code != 200 || !strings.Contains(html, "Pedido de exclusão de dados recebido em ") || !strings.Contains(html, "situação: concluído") {
		t.Errorf("status page: %d %s", code, html)
	}
	for _, u := range []string{s.URL + "/webhook/data-deletion/status?code=" + privacy.NewCode(), s.URL + "/webhook/data-deletion/status?code=../x"} {
		if code, html := page(u); code != 404 || !strings.Contains(html, "Pedido não encontrado") {
			t.Errorf("unknown code %s: %d %s", u, code, html)
		}
	}
}
