// The quiet hours and the reminders in the settings (pure rules; the screen is
// views/settings.js). The server checks everything again (shared/tenants); these rules
// catch mistakes before the request, with the same Portuguese messages.

const MIN_OFFSET = 15; // minutes
const MAX_OFFSET = 7 * 24 * 60;
const MAX_OFFSETS = 5;
const MAX_LEAD = 24 * 60;

const templateName = /^[a-z0-9_]+$/;
const templateLanguage = /^[a-z]{2,3}(_[A-Z]{2})?$/;
const clock = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

/** Names a number of minutes: "24 horas", "1 hora", "90 minutos" → "1 h 30 min". */
export function offsetLabel(minutes) {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (m === 0) return h === 1 ? '1 hora' : `${h} horas`;
  if (h === 0) return m === 1 ? '1 minuto' : `${m} minutos`;
  return `${h} h ${m} min`;
}

/** Writes minutes as the owner types them: "48 h", "2 h 30 min", "45 min". */
export function offsetText(minutes) {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (m === 0) return `${h} h`;
  if (h === 0) return `${m} min`;
  return `${h} h ${m} min`;
}

/**
 * Reads an offset the owner typed: "48 h", "48h", "2 horas", "1 h 30 min", "1h30", "90 min",
 * "2 dias". Returns { minutes } or { error } (Portuguese).
 */
export function parseOffset(raw) {
  const s = String(raw || '').trim().toLowerCase().replace(',', '.');
  if (!s) return { error: 'Informe quanto tempo antes (por exemplo, 24 h ou 2 h).' };
  const m = s.match(/^(?:(\d+)\s*(?:d|dia|dias))?\s*(?:(\d+)\s*(?:h|hora|horas))?\s*(?:(\d+)\s*(?:m|min|mins|minuto|minutos)?)?$/);
  if (!m || (m[1] === undefined && m[2] === undefined && m[3] === undefined)) {
    return { error: `Não entendi “${String(raw).trim()}”: escreva, por exemplo, 48 h, 2 h ou 90 min.` };
  }
  // A bare number with no unit is hours ("24"); after hours it is minutes ("1h30").
  let minutes = Number(m[1] || 0) * 24 * 60 + Number(m[2] || 0) * 60;
  if (m[3] !== undefined) minutes += m[1] === undefined && m[2] === undefined && !/m/.test(s) ? Number(m[3]) * 60 : Number(m[3]);
  if (minutes < MIN_OFFSET || minutes > MAX_OFFSET) {
    return { error: `Cada lembrete vai de ${offsetLabel(MIN_OFFSET)} a ${offsetLabel(MAX_OFFSET)} antes do atendimento.` };
  }
  return { minutes };
}

/** Checks the quiet hours as typed; returns { value } or { error, field }. */
export function checkQuiet(v) {
  const start = String(v.start || '').trim();
  const end = String(v.end || '').trim();
  if (!start || !end) return { field: !start ? 'start' : 'end', error: 'Informe o início e o fim do horário de silêncio (HH:MM).' };
  if (!clock.test(start) || !clock.test(end)) return { field: !clock.test(start) ? 'start' : 'end', error: 'Use o formato HH:MM, por exemplo 21:00.' };
  if (start === end) return { field: 'end', error: 'O início e o fim do horário de silêncio precisam ser diferentes.' };
  const lead = Number(v.lead_minutes);
  if (!Number.isInteger(lead) || lead < 0 || lead > MAX_LEAD) return { field: 'lead_minutes', error: 'A antecedência mínima vai de 0 a 1440 minutos (24 horas).' };
  return { value: { off: !!v.off, start, end, lead_minutes: lead } };
}

/**
 * Checks the reminders as typed: rows of { offset (text), name, language }. Returns
 * { value: [{ minutes, template? }] } or { error, row, field }.
 */
export function checkOffsets(rows) {
  if (!rows.length) return { row: -1, field: 'offset', error: 'Escolha ao menos um lembrete (por exemplo, 24 horas antes).' };
  if (rows.length > MAX_OFFSETS) return { row: -1, field: 'offset', error: `No máximo ${MAX_OFFSETS} lembretes por agendamento.` };
  const seen = new Set();
  const value = [];
  for (const [i, r] of rows.entries()) {
    const p = parseOffset(r.offset);
    if (p.error) return { row: i, field: 'offset', error: p.error };
    if (seen.has(p.minutes)) return { row: i, field: 'offset', error: `O lembrete de ${offsetLabel(p.minutes)} aparece duas vezes.` };
    seen.add(p.minutes);
    const name = String(r.name || '').trim();
    const language = String(r.language || '').trim();
    if (!name) return { row: i, field: 'name', error: `Escolha o modelo aprovado do lembrete de ${offsetLabel(p.minutes)}.` };
    if (name.length > 512 || !templateName.test(name)) return { row: i, field: 'name', error: 'Nome do modelo inválido: use só letras minúsculas, números e _ (como no WhatsApp Manager), até 512 caracteres.' };
    if (!templateLanguage.test(language)) return { row: i, field: 'language', error: 'Idioma do modelo inválido: use o código da Meta, por exemplo pt_BR.' };
    value.push({ minutes: p.minutes, template: { name, language } });
  }
  value.sort((a, b) => b.minutes - a.minutes);
  return { value };
}

/**
 * Reads the services' own reminders, one a line: "Coloração: 72 h, 2 h". Returns
 * { value: [{ service, minutes }] } or { error, line }.
 */
export function parseServiceOffsets(text) {
  const value = [];
  const lines = String(text || '').split('\n');
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    const at = line.lastIndexOf(':');
    const service = (at < 0 ? '' : line.slice(0, at)).trim().replace(/\s+/g, ' ');
    if (!service) return { line: i + 1, error: `Linha ${i + 1}: escreva o serviço, dois-pontos e os lembretes, por exemplo “Coloração: 72 h, 2 h”.` };
    if (value.some((v) => v.service.toLowerCase() === service.toLowerCase())) return { line: i + 1, error: `O serviço “${service}” aparece duas vezes.` };
    const minutes = [];
    for (const part of line.slice(at + 1).split(/[,;]/)) {
      if (!part.trim()) continue;
      const p = parseOffset(part);
      if (p.error) return { line: i + 1, error: `Linha ${i + 1}: ${p.error}` };
      if (minutes.includes(p.minutes)) return { line: i + 1, error: `Linha ${i + 1}: o lembrete de ${offsetLabel(p.minutes)} aparece duas vezes.` };
      minutes.push(p.minutes);
    }
    if (!minutes.length) return { line: i + 1, error: `Linha ${i + 1}: diga quanto tempo antes, por exemplo 24 h.` };
    if (minutes.length > MAX_OFFSETS) return { line: i + 1, error: `Linha ${i + 1}: no máximo ${MAX_OFFSETS} lembretes por agendamento.` };
    value.push({ service, minutes: minutes.sort((a, b) => b - a) });
  }
  return { value };
}

/** The services' own reminders as the text box shows them. */
export function serviceOffsetsText(list) {
  return (list || []).map((s) => `${s.service}: ${s.minutes.map(offsetText).join(', ')}`).join('\n');
}

/**
 * The schedule part of a settings PATCH: only what changed from s (GET's answer).
 * v: { quiet: {off, start, end, lead_minutes}, offsets: rows, services: text }.
 * Returns { patch } or { error, where } (where: 'quiet.<field>', 'offsets.<row>.<field>', 'services').
 */
export function scheduleChanges(s, v) {
  const patch = {};
  if (v.quiet) {
    const q = checkQuiet(v.quiet);
    if (q.error) return { error: q.error, where: `quiet.${q.field}` };
    const was = s.quiet_hours || {};
    if (q.value.off !== !!was.off || q.value.start !== was.start || q.value.end !== was.end || q.value.lead_minutes !== was.lead_minutes) patch.quiet_hours = q.value;
  }
  if (v.offsets) {
    const o = checkOffsets(v.offsets);
    if (o.error) return { error: o.error, where: `offsets.${o.row}.${o.field}` };
    const was = (s.reminder_offsets || []).map((r) => `${r.minutes}:${r.name}:${r.language}`).join('|');
    const now = o.value.map((r) => `${r.minutes}:${r.template.name}:${r.template.language}`).join('|');
    if (was !== now) patch.reminder_offsets = o.value;
  }
  if (v.services !== undefined) {
    const p = parseServiceOffsets(v.services);
    if (p.error) return { error: p.error, where: 'services' };
    if (serviceOffsetsText(p.value) !== serviceOffsetsText(s.service_reminder_offsets)) patch.service_reminder_offsets = p.value;
  }
  return { patch };
}
