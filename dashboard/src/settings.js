// Pure helpers of the settings screens: their tabs, and the PATCH body of a settings
// form (only what changed, as PATCH /v1/staff/settings expects).

export const settingsTabs = [
  { key: 'configuracoes', href: '#/configuracoes', label: 'Configurações' },
  { key: 'chaves', href: '#/chaves', label: 'Chaves de API' },
  { key: 'whatsapp', href: '#/whatsapp', label: 'WhatsApp' },
];

/**
 * The changes between the settings s (GET /v1/staff/settings) and the form's values
 * {mode, kill_switch, studio_test_recipient, location_line, time_zone, staff_label, reschedule_text,
 * templates: {type: {name, language}}, opening_hours: {weekday: {closed, open, close}}};
 * texts are trimmed, a day left without closed or times is not sent (never told).
 */
export function settingsChanges(s, v) {
  const out = {};
  const text = (k) => {
    if (v[k] === undefined) return;
    const now = String(v[k]).trim();
    if (now !== (s[k] || '')) out[k] = now;
  };
  if (v.mode !== undefined && v.mode !== s.mode) out.mode = v.mode;
  if (v.kill_switch !== undefined && !!v.kill_switch !== !!s.kill_switch?.on) out.kill_switch = !!v.kill_switch;
  ['studio_test_recipient', 'location_line', 'time_zone', 'staff_label', 'reschedule_text'].forEach(text);
  for (const t of s.templates || []) {
    const n = v.templates?.[t.job_type];
    if (!n) continue;
    const name = String(n.name || '').trim();
    const language = String(n.language || '').trim();
    if (name !== (t.name || '') || language !== (t.language || '')) (out.templates ||= {})[t.job_type] = { name, language };
  }
  for (const d of s.opening_hours || []) {
    const n = v.opening_hours?.[d.weekday];
    if (!n) continue;
    const closed = !!n.closed;
    const open = closed ? '' : n.open || '';
    const close = closed ? '' : n.close || '';
    if (!closed && !open && !close) continue; // not told: nothing to send
    const was = d.set ? { closed: !!d.closed, open: d.closed ? '' : d.open || '', close: d.closed ? '' : d.close || '' } : null;
    if (was && was.closed === closed && was.open === open && was.close === close) continue;
    (out.opening_hours ||= {})[d.weekday] = closed ? { closed: true } : { open, close };
  }
  return out;
}
