// Pure helpers of the dashboard: days in the studio's time zone, whole numbers in pt-BR,
// phone numbers, the ticks of a message's state, and Portuguese texts for the API's and Firebase's errors.
// No DOM here, so test/format.test.js checks them with node --test.

/** The day (aaaa-mm-dd) it is at instant `now` in time zone `tz`. */
export function todayIn(tz, now = new Date()) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}`;
}

const dayRe = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether s is a real calendar day written aaaa-mm-dd. */
export function isDay(s) {
  const m = dayRe.exec(s || '');
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

/** The day n days after day (aaaa-mm-dd; n may be negative). */
export function addDays(day, n) {
  const m = dayRe.exec(day);
  if (!m) throw new Error(`not a day: ${day}`);
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3] + n));
  return d.toISOString().slice(0, 10);
}

/** "quarta-feira, 2 de dezembro de 2026" for 2026-12-02. */
export function dayTitle(day) {
  const m = dayRe.exec(day);
  if (!m) return day;
  return new Intl.DateTimeFormat('pt-BR', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' })
    .format(new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])));
}

/** "02/12/2026" for 2026-12-02. */
export function dayLocal(day) {
  const m = dayRe.exec(day);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : day;
}

/** A whole number as Brazilians write it: thousands separated by dots (10.000); 0 for what is not a number. */
export function intBR(n) {
  const v = Math.trunc(Number(n) || 0);
  const digits = String(Math.abs(v)).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return v < 0 ? `-${digits}` : digits;
}

/** Offset of tz from UTC at instant ms, in minutes (e.g. -180 for São Paulo). */
function offsetMinutes(ms, tz) {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    }).formatToParts(new Date(ms)).map((x) => [x.type, x.value]),
  );
  const asUTC = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return Math.round((asUTC - Math.floor(ms / 1000) * 1000) / 60000);
}

/**
 * The RFC 3339 instant of wall time `time` (HH:mm) on `day` (aaaa-mm-dd) in zone tz,
 * written with tz's offset: ("2026-12-02", "14:00", "America/Sao_Paulo") →
 * "2026-12-02T14:00:00-03:00". Empty string when day or time is not valid.
 */
export function localToRFC3339(day, time, tz) {
  const t = /^(\d{2}):(\d{2})$/.exec(time || '');
  if (!isDay(day) || !t || +t[1] > 23 || +t[2] > 59) return '';
  const [y, mo, d] = day.split('-').map(Number);
  const wall = Date.UTC(y, mo - 1, d, +t[1], +t[2]);
  let off = offsetMinutes(wall, tz);
  off = offsetMinutes(wall - off * 60000, tz); // again at the instant itself (DST changes)
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  const pad = (n) => String(n).padStart(2, '0');
  return `${day}T${t[1]}:${t[2]}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Splits the API's "dd/mm/aaaa HH:mm" into {day: aaaa-mm-dd, time: HH:mm}. */
export function splitLocal(local) {
  const m = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2})$/.exec(local || '');
  if (!m) return { day: '', time: '' };
  return { day: `${m[3]}-${m[2]}-${m[1]}`, time: `${m[4]}:${m[5]}` };
}

/**
 * A phone number as typed by staff, in E.164 (+5511987654321): spaces, dots, dashes and
 * parentheses dropped; a Brazilian number typed without the country code (DDD and 8 or 9
 * digits) gets +55. Empty string when it cannot be a phone number.
 */
export function normalizePhone(typed) {
  const s = String(typed || '').trim();
  const plus = s.startsWith('+') || s.startsWith('00');
  let digits = s.replace(/[\s().-]/g, '').replace(/^\+/, '');
  if (!/^\d+$/.test(digits)) return '';
  if (s.startsWith('00')) digits = digits.slice(2);
  if (!plus && (digits.length === 10 || digits.length === 11)) digits = '55' + digits;
  if (digits.length < 8 || digits.length > 15) return '';
  return '+' + digits;
}

/** The digits of a phone number (its WhatsApp id): "+55 11 98765-4321" → "5511987654321". */
export function waID(phone) {
  return String(phone || '').replace(/\D/g, '');
}

/**
 * How a message's state is drawn: the ticks (✓ sent, ✓✓ delivered, ✓✓ blue read), a
 * word for the states without ticks, and the tone the stylesheet colours.
 */
export function ticks(state) {
  switch (state) {
    case 'sent': return { mark: '✓', tone: 'sent' };
    case 'delivered': return { mark: '✓✓', tone: 'delivered' };
    case 'read': return { mark: '✓✓', tone: 'read' };
    case 'failed': return { mark: '✕', tone: 'failed' };
    case 'not_sent': return { mark: '–', tone: 'not-sent' };
    case 'scheduled': return { mark: '◷', tone: 'waiting' };
    case 'pending': return { mark: '◷', tone: 'waiting' };
    default: return { mark: '', tone: 'waiting' };
  }
}

/** Fallback labels of a message state, should the API ever send none. */
export const stateLabels = {
  not_sent: 'não enviada', scheduled: 'agendada', pending: 'na fila de envio', sent: 'enviada',
  delivered: 'entregue', read: 'lida', failed: 'falhou',
};

/** The outcome of a cancel notice as the dialog reports it (data-outcome). */
export function noticeOutcome(state) {
  switch (state) {
    case undefined: case '': case 'none': return 'none';
    case 'sent': case 'delivered': case 'read': return 'sent';
    case 'failed': return 'failed';
    case 'not_sent': return 'not_sent';
    default: return 'pending';
  }
}

/** Whether the cancel notice has reached a state the dialog stops polling at. */
export function noticeFinal(state) {
  return noticeOutcome(state) !== 'pending';
}

/** The dialog's sentence after a cancel, for a notice outcome and its reason. */
export function cancelResultText(outcome, reason) {
  // The notice's reason may already say what it is about ("Aviso de cancelamento não
  // enviado: …"): the sentence says it once.
  const why = (reason || '').trim().replace(/^aviso de cancelamento não enviado:\s*/i, '') || 'motivo não informado';
  switch (outcome) {
    case 'none': return 'Agendamento cancelado. Cliente não avisado.';
    case 'sent': return 'Agendamento cancelado. Aviso enviado.';
    case 'not_sent': return `Agendamento cancelado. Aviso não enviado: ${why}`;
    case 'failed': return `Agendamento cancelado. O envio do aviso falhou: ${why}`;
    default: return 'Agendamento cancelado. Enviando o aviso ao cliente…';
  }
}

const fieldLabels = {
  client_name: 'nome do cliente', client_phone: 'telefone', service: 'serviço', location: 'local',
  starts_at: 'data e horário', date: 'data', from: 'data inicial', to: 'data final', q: 'busca',
  status: 'situação', type: 'tipo', view: 'lista', cursor: 'página', email: 'e-mail', role: 'função',
  notify_client: 'aviso ao cliente', request_id: 'identificador do pedido', days: 'dias',
  reason: 'motivo', action: 'ação', types: 'tipos', older_than_days: 'dias', statuses: 'situações',
  drain_id: 'identificador da limpeza', paused: 'pausa', label: 'nome', mode: 'modo', kill_switch: 'parada de emergência',
  time_zone: 'fuso horário', location_line: 'endereço', reschedule_text: 'texto de reagendamento', staff_label: 'texto do botão de contato',
  templates: 'modelos', opening_hours: 'horário de funcionamento',
};

// Codes whose message the API writes in Portuguese for the owner (the reason an action
// was refused, a queue that could not take it): that message is shown as it is.
const portugueseMessages = new Set(['action_refused', 'queue_unavailable']);

const codeTexts = {
  required: 'preencha este campo',
  invalid_value: 'valor inválido',
  invalid_time: 'data ou horário inválido',
  invalid_phone: 'número de telefone inválido',
  invalid_email: 'e-mail inválido',
  in_past: 'este horário já passou',
  too_far: 'a data está longe demais',
  too_long: 'texto longo demais',
  too_short: 'texto curto demais',
  invalid_characters: 'há caracteres que não podem ser usados',
  invalid_type: 'formato inválido',
  invalid_cursor: 'a página pedida não vale mais; recarregue a lista',
};

/**
 * The Portuguese sentence for an API error: its HTTP status and, from the body
 * {"error":{code, message, field}}, the code and field (the API's own message is
 * English and meant for developers, so it is not shown, except for the codes whose
 * message is Portuguese, portugueseMessages). status 0: no answer.
 */
export function apiErrorText(status, code = '', field = '', message = '') {
  if (message && portugueseMessages.has(code)) return message;
  if (status === 0) return 'Sem conexão com o servidor. Confira a internet e tente de novo.';
  if (status === 401) return 'Sua sessão terminou. Entre novamente.';
  if (status === 403) return 'Você não tem permissão para isso: apenas o responsável pelo estúdio pode fazer esta ação.';
  if (status === 404) return 'Não encontrado: talvez tenha sido removido.';
  if (status === 409) {
    if (code === 'member_of_another_studio' || field === 'email') return 'Este e-mail já pertence à equipe de outro estúdio.';
    if (code === 'appointment_canceled') return 'Este agendamento está cancelado: não pode mais ser alterado.';
    if (code === 'request_id_conflict') return 'Este pedido já criou outro agendamento. Recarregue a página e tente de novo.';
    if (code === 'drain_id_conflict') return 'Esta limpeza já foi feita com outra seleção. Pré-visualize de novo e confirme.';
    return 'Os dados mudaram enquanto você editava. Recarregue a página e tente de novo.';
  }
  if (status === 413) return 'Os dados enviados são grandes demais.';
  if (status === 429) return 'Muitas solicitações seguidas. Aguarde um pouco e tente de novo.';
  if (status >= 400 && status < 500) {
    const what = fieldLabels[field];
    const why = codeTexts[code];
    if (what && why) return `Confira o campo ${what}: ${why}.`;
    if (what) return `Confira o campo ${what}.`;
    if (why) return `Pedido recusado: ${why}.`;
    return 'Pedido recusado. Confira os dados e tente de novo.';
  }
  return 'O servidor teve um problema. Tente de novo em instantes.';
}

/** The Portuguese sentence for a Firebase Authentication error code (auth/...). */
export function authErrorText(code) {
  switch (code) {
    case 'auth/invalid-credential': case 'auth/wrong-password': case 'auth/user-not-found':
    case 'auth/invalid-login-credentials':
      return 'E-mail ou senha incorretos.';
    case 'auth/invalid-email': case 'auth/missing-email': return 'Digite um e-mail válido.';
    case 'auth/missing-password': return 'Digite a senha.';
    case 'auth/user-disabled': return 'Esta conta foi desativada. Fale com o responsável pelo estúdio.';
    case 'auth/too-many-requests': return 'Muitas tentativas. Aguarde alguns minutos ou redefina a senha.';
    case 'auth/network-request-failed': return 'Sem conexão. Confira a internet e tente de novo.';
    default: return 'Não foi possível entrar agora. Tente de novo.';
  }
}

/** "02/12/2026 14:00" for an RFC 3339 instant in zone tz; "" for none. */
export function formatInstant(iso, tz) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    }).formatToParts(d).map((x) => [x.type, x.value]),
  );
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

/** Portuguese names of the job types and statuses (the API's card labels win when given;
 * the statuses' words are the API's MessageState labels, so a filter says what a card says). */
export const jobTypeLabels = {
  appointment_created: 'Aviso de agendamento',
  appointment_reminder: 'Lembrete de 24 horas',
  appointment_canceled: 'Aviso de cancelamento',
  button_reply: 'Resposta a botão',
};

export const jobStatusLabels = {
  pending: 'agendada', queued: 'na fila de envio', sending: 'enviando', unknown: 'aguardando confirmação da Meta',
  sent: 'enviada', delivered: 'entregue', read: 'lida', failed: 'falhou', skipped: 'não enviada',
};

/** The statuses each list of the Mensagens panel can be filtered by. */
export const viewStatuses = {
  queue: ['pending', 'queued', 'sending', 'unknown'],
  history: ['sent', 'delivered', 'read', 'failed', 'skipped'],
};

/**
 * A phone number as a person reads it: a Brazilian one (+55, DDD, 8 or 9 digits) as
 * "+55 11 98765-0103", any other as "+" and its digits. Accepts E.164 or bare digits.
 */
export function displayPhone(phone) {
  const d = waID(phone);
  if (!d) return String(phone || '');
  const m = /^55(\d{2})(\d{4,5})(\d{4})$/.exec(d);
  return m ? `+55 ${m[1]} ${m[2]}-${m[3]}` : `+${d}`;
}

/**
 * A "dd/mm/aaaa HH:mm" time shortened against today (dd/mm/aaaa): "hoje 10:39" on that
 * day, "03/12 14:00" in the same year, the whole text otherwise (or when not a time).
 */
export function compactLocal(local, todayLocal) {
  const m = /^(\d{2}\/\d{2})\/(\d{4}) (\d{2}:\d{2})$/.exec(local || '');
  if (!m) return local || '';
  if (todayLocal && local.startsWith(`${todayLocal} `)) return `hoje ${m[3]}`;
  if (todayLocal && todayLocal.slice(6) === m[2]) return `${m[1]} ${m[3]}`;
  return local;
}

/** Labels of a send attempt's outcome, should the API send none (its outcome_label wins). */
export const attemptOutcomeLabels = {
  sent: 'Enviada', retry: 'Falhou; nova tentativa agendada', failed: 'Falhou', unknown: 'Sem confirmação da Meta',
  settled_by_webhook: 'Já resolvida pelo status da Meta', late: 'Resposta atrasada, desconsiderada',
};

/**
 * One send attempt of the job view: "1ª tentativa · 01/12/2026 10:38 · Enviada", its time
 * in the studio's zone tz (the API's at_local when given) and its outcome in Portuguese.
 */
export function attemptLine(at, tz) {
  const when = at.at_local || formatInstant(at.at, tz);
  const what = at.outcome_label || attemptOutcomeLabels[at.outcome] || (at.outcome ? `Resultado: ${at.outcome}` : 'Resultado não registrado');
  return [at.n ? `${at.n}ª tentativa` : 'Tentativa', when, what].filter(Boolean).join(' · ');
}

/**
 * Where one of an appointment's jobs (the API's Job) is, as a MessageState {state, label,
 * at_local, reason}: the state the API gave the agenda row for that job (notice, reminder,
 * cancel notice; matched by job_id), so the details and the Agenda say the same word.
 * Other jobs (button replies, a reminder of an earlier time) get the same words from
 * their status, the way the API's MessageState assigns them.
 */
export function jobMessageState(job, states, tz) {
  const given = (states || []).find((ms) => ms && ms.job_id && ms.job_id === job.id);
  if (given) return given;
  const times = job.provider_status_times || {};
  let state = 'not_sent';
  let label = 'não enviada';
  let at = '';
  let reason = job.reason || '';
  switch (job.status) {
    case 'pending':
      if (job.attempt_count > 0) [state, label, at] = ['pending', 'aguardando nova tentativa', job.next_retry_at || job.scheduled_for];
      else [state, label, at] = ['scheduled', 'agendada', job.scheduled_for];
      break;
    case 'queued': [state, label, at] = ['pending', 'na fila de envio', job.scheduled_for]; break;
    case 'sending': [state, label, at] = ['pending', 'enviando', job.updated_at]; break;
    case 'unknown': [state, label, at] = ['pending', 'aguardando confirmação da Meta', job.updated_at]; break;
    case 'sent': case 'delivered': case 'read':
      [state, label] = [job.status, stateLabels[job.status]];
      at = times[job.status] || (job.status === 'sent' && job.sent_at) || job.updated_at;
      break;
    case 'failed': [state, label, at] = ['failed', 'falhou', job.updated_at]; break;
    case 'skipped': break;
    default: reason = 'Situação da mensagem desconhecida (registro antigo ou com defeito).';
  }
  if (state !== 'failed' && state !== 'not_sent') reason = '';
  const out = { state, label, job_id: job.id };
  const local = formatInstant(at, tz);
  if (local) out.at_local = local;
  if (reason) out.reason = reason;
  return out;
}

/**
 * The day labels under the 14-day chart, one per day: "hoje" for today, "dd/mm" for the
 * others. With more than a week, every other day counted back from the last is minor
 * (the stylesheet hides minor labels on a phone, where 14 would not fit readably).
 */
export function chartAxisLabels(days, today) {
  const n = days.length;
  return days.map((d, i) => {
    const isToday = d.date === today;
    const text = isToday ? 'hoje' : (d.date_local || dayLocal(d.date) || '').slice(0, 5);
    return { text, today: isToday, minor: !isToday && n > 7 && (n - 1 - i) % 2 === 1 };
  });
}
