// Package voucher renders an appointment's voucher for the client: a phone-friendly
// HTML page and a PNG image to save or send, both in Portuguese and in the tenant's
// time zone. It shows the client's first name only, never the phone number.
package voucher

import (
	"bytes"
	"fmt"
	"html/template"
	"image"
	"image/color"
	"image/draw"
	"strings"
	"sync"
	"time"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
)

// View is what a voucher shows.
type View struct {
	Studio      string
	FirstName   string
	Service     string
	Date        string
	Time        string
	Location    string
	Status      string // Portuguese label
	StatusClass string
	ImageURL    string
	// CalendarURL is the calendar file (RFC 5545, ICS) beside the voucher, GoogleURL
	// Google Calendar's form filled with the event (none once canceled); empty: no
	// calendar links.
	CalendarURL string
	GoogleURL   string
	Canceled    bool
}

var statusLabels = map[domain.AppointmentStatus][2]string{
	domain.AppointmentScheduled: {"Agendado", "scheduled"},
	domain.AppointmentConfirmed: {"Confirmado", "confirmed"},
	domain.AppointmentCanceled:  {"Cancelado", "canceled"},
}

// NewView prepares an appointment for display.
func NewView(t *domain.Tenant, apt *domain.Appointment, imageURL string) View {
	loc := t.Location()
	first, _, _ := strings.Cut(strings.TrimSpace(apt.ClientName), " ")
	label := statusLabels[apt.Status]
	if label[0] == "" {
		label = [2]string{string(apt.Status), "scheduled"}
	}
	location := apt.Location
	if location == "" {
		location = t.LocationLine
	}
	return View{
		Studio: t.Name, FirstName: first, Service: apt.Service,
		Date: ptbr.Date(apt.StartsAt, loc), Time: ptbr.Time(apt.StartsAt, loc), Location: location,
		Status: label[0], StatusClass: label[1], ImageURL: imageURL,
		Canceled: apt.Status == domain.AppointmentCanceled,
	}
}

// LegalFooter links the privacy policy and the terms of use (shared/legal), which the
// voucher function serves beside the vouchers: <base>/privacidade and <base>/termos, so
// relative to a voucher at <base>/<token>.
const LegalFooter = `<footer><a href="privacidade">Política de Privacidade</a> · <a href="termos">Termos de Uso</a></footer>`

var page = template.Must(template.New("voucher").Parse(`<!doctype html>
<html lang="pt-BR">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Voucher – {{.Studio}}</title>
<style>
  body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f6efe9; color: #2b2118; }
  main { max-width: 420px; margin: 0 auto; padding: 24px 16px 40px; }
  .card { background: #fff; border-radius: 18px; box-shadow: 0 6px 24px rgba(60,30,10,.12); overflow: hidden; }
  .head { background: #8a4b2f; color: #fff; padding: 20px; }
  .head h1 { margin: 0; font-size: 1.3rem; }
  .head p { margin: 6px 0 0; opacity: .9; }
  dl { margin: 0; padding: 8px 20px 20px; }
  dt { margin-top: 14px; font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: #8a7a6e; }
  dd { margin: 2px 0 0; font-size: 1.1rem; }
  .status { display: inline-block; padding: 4px 12px; border-radius: 999px; font-weight: 600; }
  .scheduled { background: #fff3d6; color: #7a5400; }
  .confirmed { background: #dff5e3; color: #1d6b2f; }
  .canceled { background: #fde2e0; color: #9b1c12; }
  .actions { display: flex; gap: 12px; margin-top: 20px; }
  .actions a, .actions button { flex: 1; text-align: center; padding: 14px; border-radius: 12px; border: 0; font-size: 1rem;
    background: #8a4b2f; color: #fff; text-decoration: none; cursor: pointer; }
  .actions a { display: flex; align-items: center; justify-content: center; }
  .actions button.secondary, .actions a.secondary { background: #fff; color: #8a4b2f; border: 2px solid #8a4b2f; }
  footer { margin-top: 28px; text-align: center; font-size: .9rem; color: #8a7a6e; }
  footer a { color: #8a4b2f; margin: 0 6px; }
</style>
</head>
<body>
<main>
  <section class="card" aria-label="Voucher do agendamento">
    <div class="head">
      <h1>{{.Studio}}</h1>
      <p>Olá, {{.FirstName}}! Este é o seu voucher.</p>
    </div>
    <dl>
      <dt>Serviço</dt><dd>{{.Service}}</dd>
      <dt>Data</dt><dd>{{.Date}}</dd>
      <dt>Horário</dt><dd>{{.Time}}</dd>
      <dt>Local</dt><dd>{{.Location}}</dd>
      <dt>Situação</dt><dd><span class="status {{.StatusClass}}">{{.Status}}</span></dd>
    </dl>
  </section>
  <div class="actions">
    <a href="{{.ImageURL}}" download="voucher.png">Baixar imagem</a>
    <button type="button" class="secondary" id="share">Compartilhar</button>
  </div>
  {{- if .CalendarURL}}
  <div class="actions">
    <a href="{{.CalendarURL}}" type="text/calendar">{{if .Canceled}}Remover da agenda{{else}}Adicionar à agenda{{end}}</a>
    {{- if .GoogleURL}}
    <a class="secondary" href="{{.GoogleURL}}" target="_blank" rel="noopener">Google Agenda</a>
    {{- end}}
  </div>
  {{- end}}
  ` + LegalFooter + `
</main>
<script>
  document.getElementById('share').addEventListener('click', async () => {
    const data = { title: 'Voucher – {{.Studio}}', text: '{{.Service}} em {{.Date}} às {{.Time}}', url: location.href };
    if (navigator.share) { try { await navigator.share(data); } catch (e) {} return; }
    try { await navigator.clipboard.writeText(location.href); alert('Link copiado.'); } catch (e) { prompt('Copie o link:', location.href); }
  });
</script>
</body>
</html>
`))

// HTML renders the voucher page.
func HTML(v View) ([]byte, error) {
	var b bytes.Buffer
	if err := page.Execute(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// DefaultTTL is how long after the appointment a voucher link works when the
// configuration names no other time (LEMBRA_VOUCHER_TTL_DAYS).
const DefaultTTL = 30 * 24 * time.Hour

// Expired reports whether the voucher of an appointment that starts at startsAt has
// expired at now: from startsAt+ttl on. It depends on the appointment's start only,
// so a rescheduled appointment's link lives on, and a canceled one's expires alike. A
// ttl that is not positive means DefaultTTL.
func Expired(startsAt time.Time, ttl time.Duration, now time.Time) bool {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	return !now.Before(startsAt.Add(ttl))
}

var expiredPage = template.Must(template.New("expired").Parse(`<!doctype html>
<html lang="pt-BR"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>Voucher expirado</title></head>
<body style="font-family:system-ui,sans-serif;max-width:420px;margin:40px auto;padding:0 16px;color:#2b2118"><h1>Este voucher expirou</h1>
<p>O atendimento deste voucher já passou, e o link não vale mais.</p>
<p>Para marcar um novo horário ou tirar uma dúvida, fale com {{if .}}{{.}}{{else}}o estúdio{{end}} pelo WhatsApp. Obrigado pela visita!</p>
` + LegalFooter + `</body></html>
`))

// ExpiredHTML is the page of an expired voucher (answered with 410 Gone). It names
// the studio and nothing about the client or the appointment.
func ExpiredHTML(studio string) ([]byte, error) {
	var b bytes.Buffer
	if err := expiredPage.Execute(&b, studio); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// NotFoundHTML is the page for an unknown or mistyped link.
const NotFoundHTML = `<!doctype html><html lang="pt-BR"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>Voucher não encontrado</title></head>
<body style="font-family:system-ui,sans-serif;max-width:420px;margin:40px auto;padding:0 16px;color:#2b2118"><h1>Voucher não encontrado</h1><p>Confira se o link está completo. Se o problema continuar, fale com o estúdio pelo WhatsApp.</p></body></html>`

// Image size: a 9:16-ish card that reads well on a phone and in a chat.
const (
	width  = 720
	height = 960
)

var (
	regular, bold *opentype.Font
)

func init() {
	// The Go fonts ship with golang.org/x/image; parsing them cannot fail.
	regular, _ = opentype.Parse(goregular.TTF)
	bold, _ = opentype.Parse(gobold.TTF)
}

func face(f *opentype.Font, size float64) font.Face {
	fc, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		panic(fmt.Sprintf("voucher: font face: %v", err))
	}
	return fc
}

// PNG renders the voucher as an image. It costs a few milliseconds (BenchmarkPNG); the
// voucher function caches its bytes by the appointment's version (ImageCache, ETag).
func PNG(v View) ([]byte, error) {
	img := canvas(v)
	defer canvases.Put(img)
	return encodeOpaquePNG(img)
}

var (
	bgColor    = color.RGBA{0xf6, 0xef, 0xe9, 0xff}
	brandColor = color.RGBA{0x8a, 0x4b, 0x2f, 0xff}
	inkColor   = color.RGBA{0x2b, 0x21, 0x18, 0xff}
	mutedColor = color.RGBA{0x8a, 0x7a, 0x6e, 0xff}

	// background is what every voucher image shares (the page, the card, its header),
	// drawn once; canvas starts from a copy of it.
	background = sync.OnceValue(func() *image.RGBA {
		img := image.NewRGBA(image.Rect(0, 0, width, height))
		draw.Draw(img, img.Bounds(), &image.Uniform{bgColor}, image.Point{}, draw.Src)
		card := image.Rect(40, 40, width-40, height-40)
		draw.Draw(img, card, &image.Uniform{color.White}, image.Point{}, draw.Src)
		draw.Draw(img, image.Rect(40, 40, width-40, 220), &image.Uniform{brandColor}, image.Point{}, draw.Src)
		return img
	})
)

// canvases keeps voucher-sized images for reuse (2.7 MB each).
var canvases = sync.Pool{New: func() any { return image.NewRGBA(image.Rect(0, 0, width, height)) }}

// canvas draws the voucher: the shared background, then the texts. Every pixel is
// opaque (the background is, and text is drawn over it).
func canvas(v View) *image.RGBA {
	img := canvases.Get().(*image.RGBA)
	copy(img.Pix, background().Pix)

	text := func(s string, f font.Face, c color.Color, x, y int) {
		d := &font.Drawer{Dst: img, Src: image.NewUniform(c), Face: f, Dot: fixed.P(x, y)}
		d.DrawString(s)
	}
	title, big, label, body := face(bold, 40), face(bold, 34), face(regular, 22), face(regular, 30)
	defer title.Close()
	defer big.Close()
	defer label.Close()
	defer body.Close()
	text(fit(v.Studio, title, width-160), title, color.White, 80, 125)
	text(fit("Olá, "+v.FirstName+"! Este é o seu voucher.", label, width-160), label, color.White, 80, 175)

	y := 290
	for _, row := range [][2]string{
		{"SERVIÇO", v.Service}, {"DATA", v.Date}, {"HORÁRIO", v.Time}, {"LOCAL", v.Location}, {"SITUAÇÃO", v.Status},
	} {
		text(row[0], label, mutedColor, 80, y)
		f := body
		if row[0] == "DATA" || row[0] == "HORÁRIO" {
			f = big
		}
		lines := wrap(row[1], f, width-160, 2)
		for i, line := range lines {
			text(line, f, inkColor, 80, y+42+i*38)
		}
		y += 120 + 38*(len(lines)-1)
	}
	return img
}

// wrap breaks s into at most n lines of at most max pixels, the last one shortened.
func wrap(s string, f font.Face, max, n int) []string {
	var lines []string
	line := ""
	words := strings.Fields(s)
	for i, w := range words {
		try := strings.TrimSpace(line + " " + w)
		if line == "" || font.MeasureString(f, try).Ceil() <= max {
			line = try
			continue
		}
		if len(lines) == n-1 {
			return append(lines, fit(strings.Join(append([]string{line}, words[i:]...), " "), f, max))
		}
		lines, line = append(lines, line), w
	}
	return append(lines, fit(line, f, max))
}

// fit shortens s with an ellipsis until it fits in max pixels.
func fit(s string, f font.Face, max int) string {
	if font.MeasureString(f, s).Ceil() <= max {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && font.MeasureString(f, string(r)+"…").Ceil() > max {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}
