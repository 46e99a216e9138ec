package ptbr

import (
	"net/url"
	"strings"
)

// ManualMessage is the text the Agenda's "Enviar pelo WhatsApp" link prefills, e.g.
// "Olá, Maria! Aqui é do Studio Jana, sobre o seu horário de Design de sobrancelhas em
// 02/12/2026 às 14:00." (the client's first name; date and hour in the studio's zone).
func ManualMessage(clientName, studio, service, date, hour string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(clientName), " ")
	if first == "" {
		return "Olá! Aqui é do " + studio + ", sobre o seu horário de " + service + " em " + date + " às " + hour + "."
	}
	return "Olá, " + first + "! Aqui é do " + studio + ", sobre o seu horário de " + service + " em " + date + " às " + hour + "."
}

// WhatsAppURL is a click-to-chat link that opens a chat with phone (any form: only its
// digits are kept, so "+55 (11) 98765-4321" is 5511987654321) with text prefilled:
// https://wa.me/<digits>?text=<text, URL-encoded> (WhatsApp's click to chat,
// https://faq.whatsapp.com/5913398998672934: the number in full international form
// without "+", spaces or dashes; the text URL-encoded). "" when phone has no digits.
func WhatsAppURL(phone, text string) string {
	var digits strings.Builder
	for _, c := range phone {
		if c >= '0' && c <= '9' {
			digits.WriteRune(c)
		}
	}
	if digits.Len() == 0 {
		return ""
	}
	u := "https://wa.me/" + digits.String()
	if text != "" {
		// QueryEscape writes a space as "+"; %20 is what every client reads as a space
		// (a literal "+" in the text is already %2B, so the replacement is exact).
		u += "?text=" + strings.ReplaceAll(url.QueryEscape(text), "+", "%20")
	}
	return u
}
