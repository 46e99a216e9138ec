package ptbr

import (
	"fmt"
	"strings"

	"github.com/lembra-app/lembra/shared/domain"
)

// The studio's settings as the owner reads them in the dashboard (GET/PATCH
// /v1/staff/settings), and the field errors of a change she asks for.

// modeLabels names the automation modes.
var modeLabels = map[domain.Mode]string{
	domain.ModeDisabled: "Desativada",
	domain.ModeDryRun:   "Modo de teste (nenhum cliente recebe)",
	domain.ModeEnabled:  "Ativada",
}

// ModeLabel names a mode ("Ativada", …).
func ModeLabel(m domain.Mode) string {
	if l, ok := modeLabels[m]; ok {
		return l
	}
	return modeLabels[domain.ModeDisabled]
}

// KillSwitchLabel says whether the studio's kill switch stops every send.
func KillSwitchLabel(on bool) string {
	if on {
		return "Ligada: nenhuma mensagem é enviada"
	}
	return "Desligada"
}

// jobTypeLabels names the messages sent as templates, as the settings show them.
var jobTypeLabels = map[domain.JobType]string{
	domain.JobCreated:  "Aviso de agendamento",
	domain.JobReminder: "Lembrete de 24 horas",
}

// TemplateJobLabel names a message type that is sent as a template.
func TemplateJobLabel(jt domain.JobType) string {
	if l, ok := jobTypeLabels[jt]; ok {
		return l
	}
	if m, ok := domain.ParseReminderTemplateKey(string(jt)); ok { // a reminder offset's template key
		return ReminderLabel(m)
	}
	return string(jt)
}

// TemplateStatusLabel says what Meta last said about a template's review: "" is a
// template Meta never reported on (sent as approved).
func TemplateStatusLabel(status string) string {
	switch status {
	case "":
		return "Sem notícia da Meta (enviado como aprovado)"
	case "APPROVED", "REINSTATED":
		return "Aprovado pela Meta"
	case "FLAGGED":
		return "Aprovado, mas sinalizado pela Meta (risco de pausa)"
	case "LOCKED":
		return "Aprovado (bloqueado para edição na Meta)"
	}
	if s, ok := templateStates[status]; ok {
		return "Não enviado: " + s
	}
	return "Não enviado: status " + status + " na Meta"
}

// TemplateQualityLabel names Meta's quality score of a template.
func TemplateQualityLabel(q string) string {
	switch q {
	case "GREEN":
		return "Qualidade alta"
	case "YELLOW":
		return "Qualidade média"
	case "RED":
		return "Qualidade baixa"
	case "", "UNKNOWN":
		return "Qualidade ainda não avaliada"
	}
	return "Qualidade " + q
}

// weekdayLabels names the days of Tenant.OpeningHours.
var weekdayLabels = map[string]string{
	"monday": "segunda-feira", "tuesday": "terça-feira", "wednesday": "quarta-feira", "thursday": "quinta-feira",
	"friday": "sexta-feira", "saturday": "sábado", "sunday": "domingo",
}

// WeekdayLabel names a weekday key ("monday" → "segunda-feira").
func WeekdayLabel(day string) string {
	if l, ok := weekdayLabels[day]; ok {
		return l
	}
	return day
}

// OpeningDayLabel is one day of the opening hours: "09:00 às 18:00", "Fechado" or
// "Não informado"; set is false for a day never told.
func OpeningDayLabel(d domain.OpeningDay, set bool) string {
	switch {
	case !set:
		return "Não informado"
	case d.Closed:
		return "Fechado"
	}
	return d.Open + " às " + d.Close
}

// settingLabels names the settings an audit entry is about ("templates.<type>" and
// "opening_hours.<day>" are named by SettingLabel).
var settingLabels = map[string]string{
	"mode":                  "Modo da automação",
	"kill_switch":           "Chave de emergência",
	"time_zone":             "Fuso horário",
	"location_line":         "Endereço",
	"reschedule_text":       "Texto de reagendamento",
	"staff_label":           "Botão de contato",
	"api_key":               "Chave de API",
	"scan_pause":            "Envio de lembretes",
	"studio_test_recipient": TextTestRecipientLabel,
	// quiethours.go's settings
	"quiet_hours":              "Horário de silêncio",
	"reminder_offsets":         "Lembretes",
	"service_reminder_offsets": "Lembretes por serviço",
	// optout.go's settings and the owner's resumption of a client
	"opt_out_keywords":     "Palavras de descadastro",
	"strict_cancel_window": "Aviso de cancelamento só com resposta sobre o agendamento",
	"client_opt_out":       "Mensagens automáticas de um cliente",
}

// SettingLabel names the setting of an audit entry's field.
func SettingLabel(field string) string {
	if l, ok := settingLabels[field]; ok {
		return l
	}
	if jt, ok := strings.CutPrefix(field, "templates."); ok {
		return "Modelo: " + TemplateJobLabel(domain.JobType(jt))
	}
	if day, ok := strings.CutPrefix(field, "opening_hours."); ok {
		return "Horário de funcionamento: " + WeekdayLabel(day)
	}
	return field
}

// Field errors of a settings change (codes are the API's: required, invalid_value,
// too_long, invalid_time, invalid_characters).
const (
	TextModeUnknown        = "Modo inválido: use disabled (desativada), dry_run (modo de teste) ou enabled (ativada)."
	TextTimeZoneRequired   = "Informe o fuso horário (por exemplo, America/Sao_Paulo)."
	TextLocationRequired   = "Informe o endereço: ele aparece nas mensagens."
	TextStaffLabelRequired = "Informe o texto do botão de contato (por exemplo, Falar com a Jana)."
	TextTemplateJobUnknown = "Só o aviso de agendamento (appointment_created) e o lembrete (appointment_reminder) são enviados como modelo."
	TextTemplateName       = "Nome do modelo inválido: use só letras minúsculas, números e _ (como no WhatsApp Manager), até 512 caracteres."
	TextTemplateLanguage   = "Idioma do modelo inválido: use o código da Meta, por exemplo pt_BR."
	TextWeekdayUnknown     = "Dia da semana inválido: use monday, tuesday, wednesday, thursday, friday, saturday ou sunday."
	TextClosedWithHours    = "Um dia fechado não tem horário de abertura nem de fechamento."
	TextHoursRequired      = "Informe a abertura e o fechamento (HH:MM) ou marque o dia como fechado."
	TextHourFormat         = "Horário inválido: use HH:MM, de 00:00 a 23:59."
	TextCloseBeforeOpen    = "O fechamento precisa ser depois da abertura."
	TextKeyLabelRequired   = "Informe um nome para a chave (por exemplo, Agenda online)."
	TextNoChange           = "Nenhuma configuração informada para alterar."
	TextInvisibleCharacter = "O texto tem um caractere invisível ou de controle: apague-o e digite de novo."
)

// ModeAboveEnvironment: the mode asked for is beyond what the environment allows.
func ModeAboveEnvironment(asked, env domain.Mode) string {
	return fmt.Sprintf("Este ambiente permite no máximo o modo %s (%s): o modo %s não pode ser escolhido.", env, ModeLabel(env), asked)
}

// TimeZoneUnknown: not an IANA time zone name.
func TimeZoneUnknown(name string) string {
	return fmt.Sprintf("Fuso horário %q desconhecido: use um nome IANA, por exemplo America/Sao_Paulo.", name)
}

// TooLong: a text beyond its limit, in characters.
func TooLong(what string, max int) string {
	return fmt.Sprintf("%s pode ter no máximo %d caracteres.", what, max)
}

// ScanPauseValue is the reminder scan's pause as its history shows it: "ativo" or
// "pausado: <reason>".
func ScanPauseValue(paused bool, reason string) string {
	if !paused {
		return "ativo"
	}
	if reason == "" {
		return "pausado"
	}
	return "pausado: " + reason
}
