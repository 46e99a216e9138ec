package ptbr

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Texts of the business portfolio's messaging limit (domain/messaginglimit.go): the
// dashboard's usage line and the note on a held job's timeline.
const (
	TextLimitUsage        = "Limite da Meta: %s de %s clientes nas últimas 24 h"
	TextLimitUnlimited    = "Limite da Meta: sem limite de clientes nas últimas 24 h"
	TextLimitNotRead      = "Limite da Meta: ainda não informado pela Meta"
	TextLimitNotCounted   = "Limite da Meta: %s clientes nas últimas 24 h (não contado aqui)"
	TextLimitHoldReminder = "Lembrete aguardando: %s de %s clientes nas últimas 24 h já receberam mensagens da empresa (limite da Meta); os lembretes a clientes novos param em %s para reservar espaço para os avisos de agendamento. Nova tentativa em %s, quando houver espaço no limite."
	TextLimitHoldNotice   = "Aviso aguardando: o limite da Meta de %s clientes nas últimas 24 h foi atingido. Nova tentativa em %s, quando houver espaço no limite."
)

// LimitUsage is the dashboard's usage line for a limit (users per 24 h; -1 unlimited;
// 0 not read) and the clients counted.
func LimitUsage(limit, count int, counted bool) string {
	switch {
	case limit == -1:
		return TextLimitUnlimited
	case limit == 0:
		return TextLimitNotRead
	case !counted:
		return fmt.Sprintf(TextLimitNotCounted, Int(limit))
	}
	return fmt.Sprintf(TextLimitUsage, Int(count), Int(limit))
}

// LimitHold is the timeline's note of a template send held by the messaging limit
// until `until` (in loc): a reminder at its threshold, or a booking notice at the limit.
func LimitHold(reminder bool, count, limit, threshold int, until time.Time, loc *time.Location) string {
	if reminder {
		return fmt.Sprintf(TextLimitHoldReminder, Int(count), Int(limit), Int(threshold), DateTime(until, loc))
	}
	return fmt.Sprintf(TextLimitHoldNotice, Int(limit), DateTime(until, loc))
}

// Int writes a whole number as Brazilians read it: thousands separated by dots
// (10.000; -1.500).
func Int(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}
