// The settings form's card for the quiet hours and the reminders (views/settings.js
// places it; the rules are ../schedule.js).
import { h } from '../dom.js';
import { offsetText, scheduleChanges, serviceOffsetsText } from '../schedule.js';

/**
 * Builds the card from s (GET /v1/staff/settings). Returns { section, changes } where
 * changes() is scheduleChanges of what is typed ({ patch } or { error, where }), marking
 * the field at fault.
 */
export function scheduleCard(s) {
  const q = s.quiet_hours || { off: false, start: '21:00', end: '08:00', lead_minutes: 60 };
  const quietOn = h('input', { type: 'checkbox', id: 'qh-on', checked: !q.off, 'aria-describedby': 'qh-on-hint', 'data-testid': 'quiet-on' });
  const start = h('input', { type: 'time', id: 'qh-start', value: q.start || '', lang: 'pt-BR', 'data-testid': 'quiet-start' });
  const end = h('input', { type: 'time', id: 'qh-end', value: q.end || '', lang: 'pt-BR', 'data-testid': 'quiet-end' });
  const lead = h('input', { type: 'number', id: 'qh-lead', value: String(q.lead_minutes ?? 60), min: 0, max: 1440, step: 1, inputmode: 'numeric', 'aria-describedby': 'qh-lead-hint', 'data-testid': 'quiet-lead' });
  const rows = [];
  let seq = 0;
  const list = h('ul', { class: 'offsets', role: 'list', 'data-testid': 'offsets' });
  const addRow = (r) => {
    const n = seq++;
    const row = {
      offset: h('input', { id: `off-${n}-offset`, value: r.minutes ? offsetText(r.minutes) : '', autocomplete: 'off', placeholder: '24 h', 'aria-label': 'Quanto tempo antes', 'data-testid': 'offset-when' }),
      name: h('input', { id: `off-${n}-name`, value: r.name || '', autocomplete: 'off', spellcheck: 'false', 'aria-label': 'Nome do modelo', 'data-testid': 'offset-name' }),
      language: h('input', { id: `off-${n}-lang`, value: r.language || 'pt_BR', autocomplete: 'off', spellcheck: 'false', maxlength: 15, 'aria-label': 'Idioma do modelo' }),
    };
    const remove = h('button', { type: 'button', class: 'btn btn-quiet', 'aria-label': 'Remover este lembrete' }, 'Remover');
    const li = h(
      'li',
      { class: 'offset-row' },
      h('div', { class: 'field' }, h('label', { for: row.offset.id }, 'Quanto tempo antes'), row.offset),
      h('div', { class: 'row2 tpl-row' },
        h('div', { class: 'field' }, h('label', { for: row.name.id }, 'Modelo aprovado'), row.name),
        h('div', { class: 'field' }, h('label', { for: row.language.id }, 'Idioma'), row.language)),
      r.status_label && h('p', { class: `tpl-status ${r.sendable ? 'ok' : 'error'}` }, r.status_label),
      remove,
    );
    remove.addEventListener('click', () => {
      rows.splice(rows.indexOf(row), 1);
      li.remove();
    });
    rows.push(row);
    list.append(li);
  };
  for (const r of s.reminder_offsets || []) addRow(r);
  const add = h('button', { type: 'button', class: 'btn', 'data-testid': 'offset-add' }, 'Adicionar lembrete');
  add.addEventListener('click', () => {
    addRow({});
    rows[rows.length - 1].offset.focus();
  });
  const services = h('textarea', { id: 'off-services', rows: 3, 'aria-describedby': 'off-services-hint', spellcheck: 'false', 'data-testid': 'offset-services' }, serviceOffsetsText(s.service_reminder_offsets));

  const section = h(
    'section',
    { class: 'card', 'aria-labelledby': 'set-schedule-title', 'data-testid': 'settings-schedule' },
    h('h2', { id: 'set-schedule-title' }, 'Horário de silêncio e lembretes'),
    h(
      'div',
      { class: 'check' },
      quietOn,
      h('div', {}, h('label', { for: 'qh-on' }, 'Não enviar no horário de silêncio'),
        h('p', { class: 'hint', id: 'qh-on-hint' }, 'Um aviso ou lembrete que cairia nesse horário sai quando ele termina. Se esperar o deixaria depois do início do atendimento, ou com menos antecedência que o mínimo abaixo, ele sai na hora. Cada mensagem mostra a decisão na sua linha do tempo.')),
    ),
    h('div', { class: 'row2' },
      h('div', { class: 'field' }, h('label', { for: 'qh-start' }, 'Começa às'), start),
      h('div', { class: 'field' }, h('label', { for: 'qh-end' }, 'Termina às'), end)),
    h('div', { class: 'field' }, h('label', { for: 'qh-lead' }, 'Antecedência mínima (minutos)'), h('span', { class: 'hint', id: 'qh-lead-hint' }, 'Se no fim do silêncio faltar menos que isto para o atendimento, a mensagem não espera.'), lead),
    h('h3', {}, 'Lembretes antes do atendimento'),
    h('p', { class: 'hint' }, 'Cada lembrete usa o seu próprio modelo aprovado pela Meta. Ex.: 48 h e 2 h. Até 5.'),
    list,
    add,
    h('div', { class: 'field' }, h('label', { for: 'off-services' }, 'Lembretes próprios de um serviço'),
      h('span', { class: 'hint', id: 'off-services-hint' }, 'Um serviço por linha, com os lembretes (os modelos são os de cima). Ex.: Coloração: 72 h, 2 h. Vazio: todos os serviços usam os lembretes acima.'), services),
  );

  const changes = () => {
    for (const el of section.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    const out = scheduleChanges(s, {
      quiet: { off: !quietOn.checked, start: start.value, end: end.value, lead_minutes: lead.value === '' ? NaN : Number(lead.value) },
      offsets: rows.map((r) => ({ offset: r.offset.value, name: r.name.value, language: r.language.value })),
      services: services.value,
    });
    if (out.error) {
      const [part, a, b] = out.where.split('.');
      let el = services;
      if (part === 'quiet') el = { start, end, lead_minutes: lead }[a];
      if (part === 'offsets') el = Number(a) >= 0 ? rows[Number(a)]?.[b] : add;
      el?.setAttribute('aria-invalid', 'true');
    }
    return out;
  };
  return { section, changes };
}
