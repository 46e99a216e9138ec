package main

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lembra-app/lembra/scripts/internal/browser"
	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/standin/metastandin"
	"github.com/lembra-app/lembra/shared/domain"
)

func TestMain(m *testing.M) { os.Exit(devstack.RunTests(m)) }

// wantScreens are the screens the evidence must show, by permission.
var wantScreens = map[string][]string{
	permMessaging:  {"messaging-01-agenda", "messaging-02-mensagem"},
	permManagement: {"management-01-modelos", "management-02-conexao"},
	permBusiness:   {"business-01-conectar", "business-02-cadastro-incorporado", "business-03-conectado"},
}

// TestEvidenceCommand runs the evidence command's code into a temporary folder (on a
// studio of its own: tests share the emulators' project) and checks what it wrote: each
// expected screen's DOM hook was found with text (not a blank page), each screenshot is
// a decodable PNG exactly as wide as asked (360 and 1280 px), taller than a sliver, not
// of one colour, under 300 KB; the README names every permission in both languages and
// links every screenshot.
func TestEvidenceCommand(t *testing.T) {
	out := t.TempDir()
	suffix := fmt.Sprint(os.Getpid())
	res, err := Run(context.Background(), Options{
		Out:       out,
		Emulators: Emulators{Firestore: os.Getenv("FIRESTORE_EMULATOR_HOST"), PubSub: os.Getenv("PUBSUB_EMULATOR_HOST"), Auth: os.Getenv("FIREBASE_AUTH_EMULATOR_HOST")},
		Studio: func(tn *devstack.Tenant) {
			tn.ID, tn.APIKey = "app-review-"+suffix, ""
			tn.WhatsApp.WABAID, tn.WhatsApp.PhoneNumberID = "102290129360301", "106540352260301"
		},
		OwnerEmail: "revisao-" + suffix + "@studio-jana.example", OwnerPassword: "senha-da-revisao-123",
		Second: func(tn *domain.Tenant, b *metastandin.Business) {
			tn.ID = "app-review-flor-" + suffix
			b.WABAID, b.PhoneNumberID, b.Token = "102290129360302", "106540352260302", "EAAG-app-review-"+suffix
		},
		SecondEmail: "revisao-flor-" + suffix + "@studio-flor.example", SecondPassword: "senha-da-revisao-123",
		PubSubSuffix: "-appreview-" + suffix,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("evidence took %v: %d screens, %d files", res.Took, len(res.Screens), res.Files())
	readme, err := os.ReadFile(filepath.Join(out, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, names := range wantScreens {
		want += len(names)
	}
	if len(res.Screens) != want {
		t.Errorf("%d screens, want %d", len(res.Screens), want)
	}
	for perm, names := range wantScreens {
		for _, name := range names {
			i := slices.IndexFunc(res.Screens, func(s Screen) bool { return s.Name == name })
			if i < 0 {
				t.Errorf("no screen %s", name)
				continue
			}
			if sc := res.Screens[i]; sc.Permission != perm || strings.TrimSpace(sc.Text) == "" || sc.Hook == "" {
				t.Errorf("screen %s: permission %s, hook %q with text %q", name, sc.Permission, sc.Hook, sc.Text)
			}
		}
	}
	for _, p := range permissions {
		if !bytes.Contains(readme, []byte("## `"+p.Name+"`")) || !bytes.Contains(readme, []byte(p.PT)) || !bytes.Contains(readme, []byte(p.EN)) {
			t.Errorf("README lacks %s in both languages", p.Name)
		}
	}
	for _, sc := range res.Screens {
		if len(sc.Files) != len(browser.Widths) {
			t.Errorf("screen %s: files %v", sc.Name, sc.Files)
		}
		for i, f := range sc.Files {
			if want := fmt.Sprintf("%s-%d.png", sc.Name, browser.Widths[i]); f != want {
				t.Errorf("screen %s: file %s, want %s", sc.Name, f, want)
			}
			if !bytes.Contains(readme, []byte("("+f+")")) {
				t.Errorf("README does not link %s", f)
			}
			raw, err := os.ReadFile(filepath.Join(out, f))
			if err != nil {
				t.Error(err)
				continue
			}
			if len(raw) > 300<<10 {
				t.Errorf("%s is %d KB, over 300 KB", f, len(raw)>>10)
			}
			img, err := png.Decode(bytes.NewReader(raw))
			if err != nil {
				t.Errorf("%s: %v", f, err)
				continue
			}
			bounds := img.Bounds()
			if int64(bounds.Dx()) != browser.Widths[i] || bounds.Dy() < 300 {
				t.Errorf("%s is %dx%d, want %d px wide and a screen tall", f, bounds.Dx(), bounds.Dy(), browser.Widths[i])
			}
			colours := map[[4]uint32]bool{}
			for y := bounds.Min.Y; y < bounds.Max.Y && len(colours) < 20; y += 7 {
				for x := bounds.Min.X; x < bounds.Max.X; x += 5 {
					r, g, b, a := img.At(x, y).RGBA()
					colours[[4]uint32{r, g, b, a}] = true
				}
			}
			if len(colours) < 20 {
				t.Errorf("%s has %d colours: a blank page", f, len(colours))
			}
		}
	}
}
