package ptbr

import (
	"fmt"
	"time"
)

// Texts of the business portfolio's messaging limit (domain/messaginglimit.go): the
// dashboard's usage line and the note on a held job's timeline.
const (
	TextLimitUsage        = "Limite da Meta: %d de %d clientes nas últimas 24 h"
	TextLimitUnlimited    = "Limite da Meta: sem limite de clientes nas últimas 24 h"
	TextLimitNotRead      = "Limite da Meta: ainda não informado pela Meta"
	TextLimitNotCounted   = "Limite da Meta: %d clientes nas últimas 24 h (não contado aqui)"
	TextLimitHoldReminder = "Lembrete aguardando: %d de %d clientes nas últimas 24 h já receberam mensagens da empresa (limite da Meta); os lembretes a clientes novos param em %d para guardar espaço aos avisos de agendamento. Nova tentativa em %s, quando o cliente mais antigo sai da janela de 24 h."
	TextLimitHoldNotice   = "Aviso aguardando: o limite da Meta de %d clientes nas últimas 24 h foi atingido. Nova tentativa em %s, quando o cliente mais antigo sai da janela de 24 h."
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
		return fmt.Sprintf(TextLimitNotCounted, limit)
	}
	return fmt.Sprintf(TextLimitUsage, count, limit)
}

// LimitHold is the timeline's note of a template send held by the messaging limit
// until `until` (in loc): a reminder at its threshold, or a booking notice at the limit.
func LimitHold(reminder bool, count, limit, threshold int, until time.Time, loc *time.Location) string {
	if reminder {
		return fmt.Sprintf(TextLimitHoldReminder, count, limit, threshold, DateTime(until, loc))
	}
	return fmt.Sprintf(TextLimitHoldNotice, limit, DateTime(until, loc))
}
