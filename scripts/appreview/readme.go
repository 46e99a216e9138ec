package main

import (
	"fmt"
	"strings"
)

// The permissions the app asks for, in the order the README presents them.
const (
	permMessaging  = "whatsapp_business_messaging"
	permManagement = "whatsapp_business_management"
	permBusiness   = "business_management"
)

// permission is what the README says of one permission: why the app needs it, in
// Portuguese and English, and how a reviewer sees it used.
type permission struct {
	Name       string
	PT, EN     string
	StepsEN    []string
	StepsPT    []string
	Generation string // which part of the command produces its screens
}

var permissions = []permission{
	{
		Name: permMessaging,
		PT: "O Lembra envia, pelo número de WhatsApp do próprio estúdio de beleza, o aviso de cada agendamento e o lembrete " +
			"de confirmação (modelos aprovados pela Meta) aos clientes que marcaram horário, e recebe os webhooks de status " +
			"(enviada, entregue, lida) e as respostas dos clientes (Confirmar, Reagendar). Precisa desta permissão para enviar " +
			"essas mensagens em nome do estúdio e mostrar à equipe, na Agenda, se cada cliente recebeu e leu o aviso.",
		EN: "Lembra sends, from the beauty studio's own WhatsApp number, each booking's notice and the confirmation reminder " +
			"(Meta-approved templates) to the clients who booked, and receives the status webhooks (sent, delivered, read) and " +
			"the clients' replies (Confirm, Reschedule). It needs this permission to send those messages on the studio's behalf " +
			"and to show the staff, in the Agenda, whether each client got and read the notice.",
		StepsEN: []string{
			"Sign in to the dashboard as the owner of the studio with its number connected (test credentials above).",
			"Make a booking: the booking system calls `POST /v1/appointments` with the studio's API key (locally the demo key; `scripts/dev.sh` prints the call), or use \"Novo agendamento\" in the Agenda.",
			"Open the booking's day in the Agenda: its notice shows ✓ (sent), ✓✓ (delivered), then ✓✓ in blue (read) as the status webhooks arrive.",
			"Open \"Mensagens\" and the notice's \"Ver linha do tempo\": the message's timeline lists each status with its time.",
		},
		StepsPT: []string{
			"Entre no painel como responsável do estúdio com o número conectado (credenciais de teste acima).",
			"Faça um agendamento: o sistema de agenda chama `POST /v1/appointments` com a chave de API do estúdio (localmente a chave de demonstração; `scripts/dev.sh` mostra a chamada), ou use \"Novo agendamento\" na Agenda.",
			"Abra o dia do agendamento na Agenda: o aviso mostra ✓ (enviada), ✓✓ (entregue) e ✓✓ azuis (lida) conforme chegam os webhooks de status.",
			"Abra \"Mensagens\" e, no aviso, \"Ver linha do tempo\": a linha do tempo da mensagem lista cada status com a hora.",
		},
	},
	{
		Name: permManagement,
		PT: "O Lembra lê os modelos de mensagem da conta do WhatsApp Business do estúdio (GET /<WABA>/message_templates) para " +
			"propor e conferir os modelos do aviso e do lembrete e mostrar o status que a Meta dá a cada um; inscreve o app nos " +
			"webhooks da conta (POST /<WABA>/subscribed_apps); lê os números da conta e registra o número na Cloud API; e recebe " +
			"os webhooks da conta (account_update, status dos modelos). Precisa desta permissão para conectar o número do " +
			"estúdio e manter os modelos e a conexão visíveis nas Configurações.",
		EN: "Lembra reads the studio's WhatsApp Business Account message templates (GET /<WABA>/message_templates) to propose " +
			"and check the notice's and the reminder's templates and show the status Meta gives each; subscribes the app to the " +
			"account's webhooks (POST /<WABA>/subscribed_apps); reads the account's phone numbers and registers the number on the " +
			"Cloud API; and receives the account's webhooks (account_update, template status). It needs this permission to " +
			"connect the studio's number and keep its templates and connection visible in Settings.",
		StepsEN: []string{
			"Signed in as the same owner, open \"Ajustes\" › \"Configurações\": \"Modelos de mensagem (Meta)\" lists the notice's and the reminder's templates with Meta's status (\"Aprovado pela Meta\").",
			"Signed in as the second studio's owner once she has connected (below), open \"Ajustes\" › \"WhatsApp\": the connection's details show the number, its kind, the webhooks subscription and the token's last check.",
		},
		StepsPT: []string{
			"Com a mesma responsável, abra \"Ajustes\" › \"Configurações\": \"Modelos de mensagem (Meta)\" lista os modelos do aviso e do lembrete com o status da Meta (\"Aprovado pela Meta\").",
			"Com a responsável do segundo estúdio, depois de conectar (abaixo), abra \"Ajustes\" › \"WhatsApp\": os detalhes da conexão mostram o número, o tipo, a inscrição nos webhooks e a última verificação do token.",
		},
	},
	{
		Name: permBusiness,
		PT: "O Lembra usa o Cadastro Incorporado (Embedded Signup) para que a dona do estúdio conecte o número de WhatsApp da " +
			"própria empresa em poucos cliques: escolhe a empresa e o número na janela da Meta, e o Lembra troca o código pelo " +
			"token da empresa, encontra a conta do WhatsApp Business e o número que ela compartilhou (debug_token) e termina a " +
			"conexão. Precisa desta permissão para acessar os ativos que a empresa compartilha com o app durante o cadastro.",
		EN: "Lembra uses Embedded Signup so the studio's owner connects her own business's WhatsApp number in a few clicks: she " +
			"picks the business and the number in Meta's window, and Lembra exchanges the code for the business token, finds the " +
			"WhatsApp Business Account and number she shared (debug_token) and finishes the connection. It needs this permission " +
			"to reach the assets the business shares with the app during the signup.",
		StepsEN: []string{
			"Sign in as the owner of the studio without a number yet (test credentials above) and open \"Ajustes\" › \"WhatsApp\".",
			"Click \"Conectar WhatsApp\": Meta's Embedded Signup window opens; pick the business and its number and finish.",
			"Back in the dashboard, each step (code exchange, token stored, assets found, webhooks subscribed, number registered, templates read) shows done, and the state reads \"Conectado\".",
		},
		StepsPT: []string{
			"Entre como responsável do estúdio ainda sem número (credenciais de teste acima) e abra \"Ajustes\" › \"WhatsApp\".",
			"Clique em \"Conectar WhatsApp\": abre a janela do Cadastro Incorporado da Meta; escolha a empresa e o número e conclua.",
			"De volta ao painel, cada etapa (troca do código, token guardado, ativos encontrados, webhooks inscritos, número registrado, modelos lidos) aparece concluída, e o estado diz \"Conectado\".",
		},
	},
}

// Meta's pages this pack follows.
var sources = []string{
	"App Review for WhatsApp solution providers (ask only for the permissions the app needs; a recording of each use): https://developers.facebook.com/documentation/business-messaging/whatsapp/solution-providers/app-review",
	"WhatsApp permissions (what whatsapp_business_messaging, whatsapp_business_management and business_management cover): https://developers.facebook.com/documentation/business-messaging/whatsapp/permissions/",
	"App Review submission guide (describe how each permission is used, screen recordings for reviewers, one successful API call per permission in the last 30 days): https://developers.facebook.com/docs/app-review/submission-guide",
	"App Review introduction (reviewers test the app themselves: they need working access): https://developers.facebook.com/docs/resp-plat-initiatives/app-review/introduction",
}

// credential is a sign-in the reviewer uses.
type credential struct{ Who, Email, Password string }

// readme is docs/app-review/README.md for a run's screens.
func readme(res *Result, creds []credential) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# App Review evidence\n\n")
	w("Generated by `go run ./scripts/appreview -out docs/app-review` (do not edit by hand: run it again). ")
	w("It starts the local stack with the demo studio, drives the staff dashboard in headless Chromium through each ")
	w("permission's use, checks each screen shows what it should, and takes its screenshots at 360 px (a phone) and ")
	w("1280 px (a laptop). Meta's side (the Graph API, the webhooks and the Embedded Signup window) is the local Meta ")
	w("stand-in, which answers as Meta's documented API does.\n\n")
	w("## Test credentials\n\n")
	for _, c := range creds {
		w("- %s: `%s`, password `%s`.\n", c.Who, c.Email, c.Password)
	}
	w("\nThese are the local demo's sign-ins, which `scripts/dev.sh` creates and prints at start-up ")
	w("(scripts/internal/devstack/demo.go; the README's local stack section lists them). ")
	w("In the Embedded Signup window, pick the business named after the second studio.\n\n")
	w("For a submission, the operator gives the reviewer an owner account of a test studio on the deployed dashboard the ")
	w("same way (a Firebase Authentication user mapped to the studio as owner) and writes its e-mail and password in the ")
	w("App Review form's test instructions; the steps below are the same.\n\n")
	for _, p := range permissions {
		w("## `%s`\n\n", p.Name)
		w("**Português.** %s\n\n", p.PT)
		w("**English.** %s\n\n", p.EN)
		w("### Screenshots\n\n")
		n := 0
		for _, s := range res.Screens {
			if s.Permission != p.Name {
				continue
			}
			n++
			w("- %s (`%s`)<br>%s<br>", s.Caption, s.Route, s.Legenda)
			for i, f := range s.Files {
				if i > 0 {
					w(" · ")
				}
				w("[%s](%s)", f, f)
			}
			w("\n")
		}
		if n == 0 {
			w("- (none in this run)\n")
		}
		w("\n### Reviewer's test steps\n\n")
		for i, st := range p.StepsEN {
			w("%d. %s\n", i+1, st)
		}
		w("\n**Passos (português).**\n\n")
		for i, st := range p.StepsPT {
			w("%d. %s\n", i+1, st)
		}
		w("\n")
	}
	w("## Sources\n\n")
	for _, s := range sources {
		w("- %s\n", s)
	}
	return b.String()
}
