package devstack_test

import (
	"bytes"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/ptbr"
)

func get(t *testing.T, url string) (int, string, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

func TestVoucherPageAndImage(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)
	startsAt := time.Now().Add(72 * time.Hour)
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("voucher-1", startsAt))
	apt := r.Body["appointment"].(map[string]any)
	url, _ := apt["voucher_url"].(string)
	if !strings.HasPrefix(url, s.URL+"/voucher/") {
		t.Fatalf("voucher_url %q", url)
	}
	status, ctype, body := get(t, url)
	page := string(body)
	loc := ten.Location()
	if status != 200 || !strings.HasPrefix(ctype, "text/html") {
		t.Fatalf("page: %d %s", status, ctype)
	}
	for _, want := range []string{"Olá, Maria!", "Design de sobrancelhas", ptbr.Date(startsAt, loc), ptbr.Time(startsAt, loc), ten.LocationLine, "Agendado", ten.Name, "Compartilhar", "Baixar imagem"} {
		if !strings.Contains(page, want) {
			t.Errorf("voucher page lacks %q", want)
		}
	}
	if strings.Contains(page, "Souza") || strings.Contains(page, "987654321") {
		t.Error("voucher page shows the client's surname or phone")
	}
	status, ctype, img := get(t, url+".png")
	if status != 200 || ctype != "image/png" {
		t.Fatalf("image: %d %s", status, ctype)
	}
	decoded, err := png.Decode(bytes.NewReader(img))
	if err != nil {
		t.Fatal(err)
	}
	if b := decoded.Bounds(); b.Dx() != 720 || b.Dy() != 960 {
		t.Errorf("image %v", b)
	}
	if dir := os.Getenv("LEMBRA_ARTIFACTS"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "voucher.png"), img, 0o644)
		_ = os.WriteFile(filepath.Join(dir, "voucher.html"), body, 0o644)
	}
	for _, bad := range []string{"/voucher/nao-existe", "/voucher/" + strings.Repeat("a", 32), "/voucher/x.png"} {
		if status, _, body := get(t, s.URL+bad); status != 404 || !strings.Contains(string(body), "Voucher não encontrado") {
			t.Errorf("%s: %d", bad, status)
		}
	}

	r = call(t, s, key, "POST", "/v1/appointments/"+apt["id"].(string)+"/cancel", map[string]any{"notify_client": false})
	if _, _, body := get(t, url); !strings.Contains(string(body), "Cancelado") {
		t.Errorf("voucher of a canceled appointment does not say so")
	}
}
