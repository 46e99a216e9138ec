// The Agenda (home screen): one day of appointments in the studio's time zone with each
// one's message ticks, the client's answer, the manual WhatsApp link and Cancelar; the
// details of one appointment (reschedule, its messages); the new-appointment form.
import { api } from '../api.js';
import { fill, h, refill } from '../dom.js';
import {
  addDays, dayLocal, dayTitle, displayPhone, isDay, jobMessageState, jobTypeLabels, localToRFC3339, normalizePhone, splitLocal, todayIn, waID,
} from '../format.js';
import { canCancel, clientAnswer, errorBox, loading, messageState, pollStatus, statusBadge, whatsappLink } from '../ui.js';
import { openCancelDialog } from './cancel.js';

const enc = encodeURIComponent;

export async function agendaView(ctx, main, dayArg) {
  const tz = ctx.me.tenant.time_zone;
  const today = todayIn(tz);
  if (dayArg && !isDay(dayArg)) {
    location.replace('#/agenda');
    return;
  }
  const day = dayArg || today;
  ctx.title(day === today ? 'Agenda de hoje' : `Agenda de ${dayLocal(day)}`);
  const go = (d) => ctx.navigate(d === today ? '#/agenda' : `#/agenda/${d}`);
  const list = h('div', { class: 'apt-list' }, loading());
  const status = pollStatus();
  main.append(
    h(
      'section',
      { 'data-testid': 'agenda', 'data-date': day, 'aria-labelledby': 'agenda-title' },
      h(
        'div',
        { class: 'view-head' },
        h('div', {}, h('h1', { id: 'agenda-title' }, 'Agenda'), h('p', { class: 'sub' }, dayTitle(day), day === today && h('span', { class: 'today-tag' }, ' · hoje'))),
        h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'new-appointment', onclick: () => ctx.navigate(`#/novo?data=${day}`) }, 'Novo agendamento'),
      ),
      h(
        'div',
        { class: 'day-nav', role: 'group', 'aria-label': 'Escolher o dia' },
        h('button', { type: 'button', class: 'btn', 'data-testid': 'day-prev', 'aria-label': `Dia anterior (${dayLocal(addDays(day, -1))})`, onclick: () => go(addDays(day, -1)) }, '‹ Anterior'),
        h('button', { type: 'button', class: 'btn', 'data-testid': 'day-today', 'aria-current': day === today ? 'date' : undefined, onclick: () => go(today) }, 'Hoje'),
        h('button', { type: 'button', class: 'btn', 'data-testid': 'day-next', 'aria-label': `Próximo dia (${dayLocal(addDays(day, 1))})`, onclick: () => go(addDays(day, 1)) }, 'Próximo ›'),
      ),
      status.el,
      list,
    ),
  );

  let last = '';
  const load = async () => {
    let data;
    try {
      data = await api(`/v1/staff/agenda?date=${day}`, { signal: ctx.signal });
    } catch (e) {
      if (!ctx.alive()) return;
      if (!last) fill(list, errorBox(e.message));
      else status.failed(e);
      throw e;
    }
    if (!ctx.alive()) return;
    status.ok();
    const json = JSON.stringify(data.appointments);
    if (json === last) return;
    last = json;
    if (data.appointments.length === 0) {
      refill(list, h('p', { class: 'empty' }, 'Nenhum agendamento neste dia.'));
      return;
    }
    refill(list, h('ul', { class: 'apts', role: 'list' }, data.appointments.map((a) => h('li', {}, appointmentRow(a, ctx, load, dayLocal(today))))));
  };
  await load().catch(() => {});
  ctx.poll(load);
}

/** One appointment of the Agenda; tapping the row (outside its links and buttons) opens it. */
function appointmentRow(a, ctx, reload, today) {
  const nameID = `apt-${a.id}-name`;
  const open = (e) => {
    if (e.target.closest('a, button, input, label, dialog')) return;
    ctx.navigate(`#/agendamento/${enc(a.id)}`);
  };
  return h(
    'article',
    { class: `apt apt-${a.status}`, 'data-testid': 'appointment', 'data-id': a.id, 'data-status': a.status, onclick: open },
    h('div', { class: 'apt-time' }, h('time', { datetime: a.starts_at }, (a.starts_at_local || '').slice(11))),
    h(
      'div',
      { class: 'apt-main' },
      h('h2', { class: 'apt-name', id: nameID }, h('a', { href: `#/agendamento/${enc(a.id)}` }, a.client_name)),
      h('p', { class: 'apt-service' }, a.service, ' ', statusBadge(a)),
      messageStates(a, today),
      clientAnswer(a),
    ),
    h(
      'div',
      { class: 'apt-actions' },
      whatsappLink(a),
      canCancel(a) &&
        h('button', { type: 'button', class: 'btn btn-danger', 'data-testid': 'cancel-button', 'aria-describedby': nameID, onclick: () => openCancelDialog(a, reload) }, 'Cancelar'),
    ),
  );
}

function messageStates(a, today) {
  return h(
    'ul',
    { class: 'states', role: 'list', 'aria-label': 'Mensagens' },
    h('li', {}, messageState('Aviso', a.notice, 'notice-state', today)),
    h('li', {}, messageState('Lembrete', a.reminder, 'reminder-state', today)),
    a.cancel_notice && h('li', {}, messageState('Aviso de cancelamento', a.cancel_notice, 'cancel-notice-state', today)),
  );
}

/** #/agendamento/<id>: everything about one appointment, refreshed every 5 s. */
export async function appointmentView(ctx, main, id) {
  ctx.title('Agendamento');
  const tz = ctx.me.tenant.time_zone;
  const body = h('div', {}, loading());
  const status = pollStatus();
  const back = h('a', { class: 'back', href: '#/agenda' }, '‹ Agenda');
  const formSlot = h('div', {});
  const flash = ctx.query.get('criado') ? h('p', { class: 'ok', role: 'status' }, 'Agendamento criado. O aviso ao cliente está sendo enviado.') : null;
  main.append(h('section', { class: 'details', 'data-testid': 'appointment-details', 'data-id': id }, back, flash, status.el, body, formSlot));

  let last = '';
  let formDrawn = false;
  const load = async () => {
    let data;
    try {
      data = await api(`/v1/staff/appointments/${enc(id)}`, { signal: ctx.signal });
    } catch (e) {
      if (!ctx.alive()) return;
      if (!last) fill(body, h('h1', {}, 'Agendamento'), errorBox(e.message));
      else status.failed(e);
      throw e;
    }
    if (!ctx.alive()) return;
    status.ok();
    const a = data.agenda;
    const { day } = splitLocal(a.starts_at_local);
    if (day) back.href = `#/agenda/${day}`;
    const json = JSON.stringify(data);
    if (json !== last) {
      last = json;
      refill(body, details(data, tz, load));
      ctx.title(`${a.client_name} · Agendamento`);
    }
    if (!formDrawn && a.status !== 'canceled') {
      formDrawn = true;
      fill(formSlot, rescheduleForm(a, tz, load));
    } else if (a.status === 'canceled') {
      fill(formSlot);
    }
  };
  await load().catch(() => {});
  ctx.poll(load);
}

function details(data, tz, reload) {
  const a = data.agenda;
  const apt = data.appointment || {};
  const win = data.window || a.window;
  const wa = waID(a.client_phone);
  const today = dayLocal(todayIn(tz));
  return h(
    'div',
    { 'data-testid': 'appointment', 'data-id': a.id, 'data-status': a.status },
    h('h1', {}, a.client_name),
    h('p', { class: 'sub' }, a.service, ' ', statusBadge(a)),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Data e horário'),
      h('dd', {}, a.starts_at_local),
      h('dt', {}, 'WhatsApp'),
      h('dd', {}, h('a', { class: 'phone', href: `tel:${a.client_phone}` }, displayPhone(a.client_phone))),
      apt.location && [h('dt', {}, 'Local'), h('dd', {}, apt.location)],
      win && [h('dt', {}, 'Janela de conversa'), h('dd', { 'data-testid': 'details-window', 'data-open': String(!!win.open) }, win.label || (win.open ? 'aberta' : 'fechada'))],
    ),
    h('h2', {}, 'Mensagens'),
    messageStates(a, today),
    clientAnswer(a),
    h(
      'div',
      { class: 'apt-actions' },
      whatsappLink(a),
      wa && h('a', { class: 'btn', href: `#/conversa/${wa}` }, 'Ver conversa'),
      canCancel(a) && h('button', { type: 'button', class: 'btn btn-danger', 'data-testid': 'cancel-button', onclick: () => openCancelDialog(a, reload) }, 'Cancelar'),
    ),
    jobsList(data.jobs || [], tz, [a.notice, a.reminder, a.cancel_notice], today),
  );
}

/**
 * Every job of the appointment, each with one state and its time ("✓✓ lida 01/12 10:46"),
 * in the words of the Agenda's ticks (the row's MessageStates, matched by job id).
 */
function jobsList(jobs, tz, states, today) {
  if (!jobs.length) return null;
  return [
    h('h2', {}, 'Envios deste agendamento'),
    h(
      'ul',
      { class: 'jobs', role: 'list' },
      jobs.map((j) =>
        h(
          'li',
          { 'data-testid': 'appointment-job', 'data-job-id': j.id },
          h('a', { href: `#/mensagem/${enc(j.id)}` }, jobTypeLabels[j.type] || 'Tipo desconhecido'),
          ' ',
          messageState('', jobMessageState(j, states, tz), 'job-state', today),
        ),
      ),
    ),
  ];
}

/** A labelled input with room for its error message. */
function field(label, input, hint) {
  const id = input.id;
  const err = h('span', { class: 'field-error', id: `${id}-error` });
  const hintEl = hint ? h('span', { class: 'hint', id: `${id}-hint` }, hint) : null;
  input.setAttribute('aria-describedby', [hintEl && `${id}-hint`, `${id}-error`].filter(Boolean).join(' '));
  return { el: h('div', { class: 'field' }, h('label', { for: id }, label), hintEl, input, err), err, input };
}

function setError(f, text) {
  f.err.textContent = text || '';
  if (text) f.input.setAttribute('aria-invalid', 'true');
  else f.input.removeAttribute('aria-invalid');
}

/** The reschedule form of the details page: a new date and time. */
function rescheduleForm(a, tz, reload) {
  const { day, time } = splitLocal(a.starts_at_local);
  const date = field('Nova data', h('input', { id: 'resched-date', name: 'date', type: 'date', lang: 'pt-BR', value: day, required: true }));
  const hour = field('Novo horário', h('input', { id: 'resched-time', name: 'time', type: 'time', lang: 'pt-BR', value: time, required: true }));
  const result = h('p', { class: 'form-result', role: 'status', 'data-testid': 'form-result' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Remarcar');
  const form = h(
    'form',
    { 'data-testid': 'appointment-form', 'data-mode': 'reschedule', novalidate: true, 'aria-labelledby': 'resched-title' },
    h('h2', { id: 'resched-title' }, 'Remarcar'),
    h('div', { class: 'row2' }, date.el, hour.el),
    submit,
    result,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    setError(date, '');
    setError(hour, '');
    const startsAt = localToRFC3339(date.input.value, hour.input.value, tz);
    if (!startsAt) {
      if (!date.input.value) setError(date, 'Escolha a data.');
      if (!hour.input.value) setError(hour, 'Escolha o horário.');
      result.textContent = 'Confira a data e o horário.';
      return;
    }
    submit.disabled = true;
    result.textContent = 'Remarcando…';
    try {
      const data = await api(`/v1/staff/appointments/${enc(a.id)}`, { method: 'PATCH', body: { starts_at: startsAt } });
      result.textContent = `Remarcado para ${data.agenda.starts_at_local}.`;
      await reload().catch(() => {});
    } catch (err) {
      result.textContent = err.message;
      if (err.field === 'starts_at') setError(hour, err.message);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

/** #/novo: an appointment created by hand (studios without a booking system). */
export async function newAppointmentView(ctx, main) {
  ctx.title('Novo agendamento');
  const tz = ctx.me.tenant.time_zone;
  const q = ctx.query.get('data');
  const day = isDay(q) ? q : todayIn(tz);
  let requestID = crypto.randomUUID(); // one per appointment: a double tap creates it once
  const name = field('Nome do cliente', h('input', { id: 'new-name', name: 'client_name', autocomplete: 'off', required: true, maxlength: 100 }));
  const phone = field(
    'WhatsApp do cliente',
    h('input', { id: 'new-phone', name: 'client_phone', type: 'tel', inputmode: 'tel', autocomplete: 'off', required: true, placeholder: '11 98765-4321' }),
    'Com DDD; outro país: comece com + e o código.',
  );
  const service = field('Serviço', h('input', { id: 'new-service', name: 'service', required: true, maxlength: 100, placeholder: 'Design de sobrancelhas' }));
  const location = field('Local (opcional)', h('input', { id: 'new-location', name: 'location', maxlength: 200 }), 'Em branco: o endereço do estúdio.');
  const date = field('Data', h('input', { id: 'new-date', name: 'date', type: 'date', lang: 'pt-BR', value: day, required: true }));
  const hour = field('Horário', h('input', { id: 'new-time', name: 'time', type: 'time', lang: 'pt-BR', required: true }));
  const fields = { client_name: name, client_phone: phone, service, location, starts_at: hour };
  const result = h('p', { class: 'form-result', role: 'alert', 'data-testid': 'form-result' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Criar agendamento');
  const form = h(
    'form',
    { 'data-testid': 'appointment-form', 'data-mode': 'new', novalidate: true, 'aria-labelledby': 'new-title' },
    name.el,
    phone.el,
    service.el,
    h('div', { class: 'row2' }, date.el, hour.el),
    location.el,
    h('div', { class: 'form-actions' }, submit, h('a', { class: 'btn btn-quiet', href: `#/agenda/${day}` }, 'Voltar')),
    result,
  );
  main.append(h('section', { class: 'card narrow' }, h('h1', { id: 'new-title' }, 'Novo agendamento'), form));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    for (const f of [name, phone, service, location, date, hour]) setError(f, '');
    result.textContent = '';
    const body = {
      client_name: name.input.value.trim(),
      client_phone: normalizePhone(phone.input.value),
      service: service.input.value.trim(),
      starts_at: localToRFC3339(date.input.value, hour.input.value, tz),
      request_id: requestID,
    };
    if (location.input.value.trim()) body.location = location.input.value.trim();
    const problems = [];
    if (!body.client_name) problems.push([name, 'Digite o nome do cliente.']);
    if (!body.client_phone) problems.push([phone, 'Digite o WhatsApp com DDD, por exemplo 11 98765-4321.']);
    if (!body.service) problems.push([service, 'Digite o serviço.']);
    if (!date.input.value) problems.push([date, 'Escolha a data.']);
    if (!hour.input.value) problems.push([hour, 'Escolha o horário.']);
    if (problems.length) {
      for (const [f, text] of problems) setError(f, text);
      result.textContent = 'Confira os campos marcados.';
      problems[0][0].input.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Criando…';
    try {
      const data = await api('/v1/staff/appointments', { method: 'POST', body });
      ctx.navigate(`#/agendamento/${enc(data.agenda?.id || data.appointment.id)}?criado=1`);
    } catch (err) {
      if (err.status >= 400 && err.status < 500 && err.status !== 408) requestID = crypto.randomUUID(); // refused: nothing was created
      result.textContent = err.message;
      const f = fields[err.field];
      if (f) {
        setError(f, err.message);
        f.input.focus();
      }
      submit.disabled = false;
      submit.textContent = 'Criar agendamento';
    }
  });
}
