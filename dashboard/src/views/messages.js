// The Mensagens panel: the last 14 days' chart, the queue and the history with their
// filters and cursor paging, and one message's timeline.
import { api } from '../api.js';
import { fill, h, refill } from '../dom.js';
import {
  attemptLine, chartAxisLabels, formatInstant, jobStatusLabels, jobTypeLabels, normalizePhone, todayIn, viewStatuses, waID,
} from '../format.js';
import { errorBox, loading, pollStatus } from '../ui.js';
import { actionResult, jobActionsSection } from './ops.js';

const enc = encodeURIComponent;
const filterNames = ['view', 'status', 'type', 'from', 'to', 'q'];
const series = [
  ['sent', 'Enviadas'],
  ['delivered', 'Entregues'],
  ['read', 'Lidas'],
  ['failed', 'Falharam'],
];
const providerLabels = { sent: 'enviada', delivered: 'entregue', read: 'lida', failed: 'falhou' };

export async function messagesView(ctx, main) {
  ctx.title('Mensagens');
  const q = ctx.query;
  const view = q.get('view') === 'history' ? 'history' : 'queue';
  const chart = h('section', { class: 'card chart-card', 'data-testid': 'messages-chart', 'aria-labelledby': 'chart-title' }, h('h2', { id: 'chart-title' }, 'Últimos 14 dias'), loading());
  const list = h('div', { class: 'cards' }, loading());
  const more = h('button', { type: 'button', class: 'btn', 'data-testid': 'load-more', hidden: true }, 'Carregar mais');
  const listStatus = h('p', { class: 'poll-status', role: 'status' });
  const owner = ctx.me.role === 'owner';
  main.append(
    h(
      'div',
      { class: 'view-head' },
      h('h1', {}, 'Mensagens'),
      owner && h('nav', { class: 'head-links', 'aria-label': 'Operações' }, h('a', { class: 'btn btn-quiet', href: '#/numeros' }, 'Números'), h('a', { class: 'btn btn-quiet', href: '#/custos' }, 'Custos'), h('a', { class: 'btn btn-quiet', href: '#/fila' }, 'Limpar a fila')),
    ),
    chart,
    filtersForm(ctx, view),
    h('h2', { class: 'list-title' }, view === 'history' ? 'Histórico' : 'Fila de envio'),
    list,
    listStatus,
    h('div', { class: 'more' }, more),
  );

  api('/v1/staff/messages/daily?days=14', { signal: ctx.signal })
    .then((d) => ctx.alive() && fill(chart, h('h2', { id: 'chart-title' }, 'Últimos 14 dias'), drawChart(d.days || [], todayIn(ctx.me.tenant.time_zone))))
    .catch((e) => ctx.alive() && fill(chart, h('h2', { id: 'chart-title' }, 'Últimos 14 dias'), h('p', { class: 'muted' }, `Gráfico indisponível: ${e.message}`)));

  const params = new URLSearchParams();
  for (const n of filterNames) if (q.get(n)) params.set(n, q.get(n));
  params.set('view', view);
  let cursor = '';
  let first = true;
  const page = async () => {
    const p = new URLSearchParams(params);
    if (cursor) p.set('cursor', cursor);
    more.disabled = true;
    listStatus.textContent = first ? '' : 'Carregando mais…';
    let data;
    try {
      data = await api(`/v1/staff/messages?${p}`, { signal: ctx.signal });
    } catch (e) {
      if (!ctx.alive()) return;
      if (first) fill(list, errorBox(e.message));
      else listStatus.textContent = e.message;
      more.disabled = false;
      return;
    }
    if (!ctx.alive()) return;
    const cards = (data.messages || []).map(messageCard);
    if (first) {
      fill(list, cards.length ? cards : h('p', { class: 'empty' }, 'Nenhuma mensagem com estes filtros.'));
    } else {
      list.append(...cards);
      listStatus.textContent = `${cards.length} mensagens a mais.`;
      cards[0]?.querySelector('a')?.focus();
    }
    first = false;
    cursor = data.next_cursor || '';
    more.hidden = !cursor;
    more.disabled = false;
  };
  more.addEventListener('click', page);
  await page();
}

function filtersForm(ctx, view) {
  const q = ctx.query;
  const opt = (value, label, cur) => h('option', { value, selected: value === cur }, label);
  const sel = (id, name, label, options) => h('div', { class: 'field' }, h('label', { for: id }, label), h('select', { id, name }, options));
  const inp = (id, name, label, attrs) => h('div', { class: 'field' }, h('label', { for: id }, label), h('input', { id, name, value: q.get(name) || '', ...attrs }));
  const status = q.get('status') || '';
  const form = h(
    'form',
    { class: 'filters card', 'data-testid': 'message-filters', role: 'search', 'aria-label': 'Filtrar mensagens' },
    h(
      'div',
      { class: 'filters-grid' },
      sel('f-view', 'view', 'Lista', [opt('queue', 'Fila de envio', view), opt('history', 'Histórico', view)]),
      sel('f-status', 'status', 'Situação', [opt('', 'Todas', status), ...viewStatuses[view].map((s) => opt(s, jobStatusLabels[s], status))]),
      sel('f-type', 'type', 'Tipo', [opt('', 'Todos', q.get('type') || ''), ...Object.entries(jobTypeLabels).map(([k, v]) => opt(k, v, q.get('type') || ''))]),
      inp('f-from', 'from', 'De', { type: 'date', lang: 'pt-BR' }),
      inp('f-to', 'to', 'Até', { type: 'date', lang: 'pt-BR' }),
      inp('f-q', 'q', 'Cliente (nome ou telefone)', { type: 'search', maxlength: 100, autocomplete: 'off' }),
    ),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Filtrar'), h('a', { class: 'btn btn-quiet', href: '#/mensagens' }, 'Limpar')),
  );
  // The statuses offered follow the chosen list.
  form.elements.view.addEventListener('change', () => {
    const v = form.elements.view.value;
    fill(form.elements.status, opt('', 'Todas', ''), viewStatuses[v].map((s) => opt(s, jobStatusLabels[s], '')));
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    for (const n of filterNames) {
      let v = String(form.elements[n].value || '').trim();
      if (n === 'q' && /^[\d\s()+.-]{8,}$/.test(v)) v = normalizePhone(v) || v; // a phone: E.164, as stored
      if (v) p.set(n, v);
    }
    ctx.navigate(`#/mensagens?${p}`);
  });
  return form;
}

/**
 * The chart: per day, four bars (sent, delivered, read, failed) in an SVG stretched to
 * the card's width, the days' labels under it in HTML (so their size is the page's, not
 * scaled down with the drawing on a phone), and a table of the numbers.
 */
function drawChart(days, today) {
  if (!days.length) return h('p', { class: 'muted' }, 'Sem dados nos últimos 14 dias.');
  const max = Math.max(1, ...days.flatMap((d) => series.map(([k]) => d[k] || 0)));
  const ns = 'http://www.w3.org/2000/svg';
  const W = 700;
  const H = 160;
  const groupW = W / days.length;
  const barW = Math.max(2, (groupW - 6) / series.length);
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('class', 'chart');
  svg.setAttribute('role', 'img');
  const totals = series.map(([k, label]) => `${days.reduce((n, d) => n + (d[k] || 0), 0)} ${label.toLowerCase()}`);
  svg.setAttribute('aria-label', `Mensagens por dia, de ${days[0].date_local} a ${days[days.length - 1].date_local}: ${totals.join(', ')}. A tabela abaixo tem os números de cada dia.`);
  const el = (tag, attrs, text) => {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text) e.textContent = text;
    return e;
  };
  svg.append(el('line', { x1: 0, y1: H - 0.5, x2: W, y2: H - 0.5, class: 'axis', 'vector-effect': 'non-scaling-stroke' }));
  days.forEach((d, i) => {
    series.forEach(([k], j) => {
      const v = d[k] || 0;
      const bh = Math.round((v / max) * (H - 10));
      const r = el('rect', { x: i * groupW + 3 + j * barW, y: H - bh, width: barW - 1, height: Math.max(bh, v ? 1 : 0), class: `bar bar-${k}` });
      r.append(el('title', {}, `${d.date_local}: ${v} ${series[j][1].toLowerCase()}`));
      svg.append(r);
    });
  });
  const axis = h(
    'ol',
    { class: 'chart-axis', 'aria-hidden': 'true', style: `grid-template-columns: repeat(${days.length}, 1fr)` },
    chartAxisLabels(days, today).map((l) =>
      h('li', { class: [l.minor && 'tick-minor', l.today && 'tick-today'].filter(Boolean).join(' ') || undefined, 'data-testid': 'chart-day', 'data-today': l.today || undefined }, l.text),
    ),
  );
  const legend = h('ul', { class: 'legend', role: 'list' }, series.map(([k, label]) => h('li', {}, h('span', { class: `swatch bar-${k}`, 'aria-hidden': 'true' }), label)));
  const table = h(
    'details',
    { class: 'chart-table' },
    h('summary', {}, 'Ver os números de cada dia'),
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Dia'), series.map(([, label]) => h('th', { scope: 'col' }, label)))),
      h('tbody', {}, days.map((d) => h('tr', {}, h('th', { scope: 'row' }, d.date_local), series.map(([k]) => h('td', {}, String(d[k] || 0)))))),
    ),
  );
  return [svg, axis, legend, table];
}

/** One message's card; open: false leaves out the link to its timeline (on that page). */
function messageCard(c, { open = true } = {}) {
  const when = [
    ['Agendada para', c.scheduled_for_local],
    ['Enviada', c.sent_at_local],
    ['Nova tentativa', c.next_retry_at_local],
    ['Atualizada', c.updated_at_local],
  ].filter(([, v]) => v);
  const wa = waID(c.client_phone);
  return h(
    'article',
    { class: `msg-card status-${c.status}`, 'data-testid': 'message-card', 'data-job-id': c.job_id, 'data-status': c.status },
    h(
      'div',
      { class: 'msg-head' },
      h('h3', { class: 'msg-client' }, wa ? h('a', { href: `#/conversa/${wa}` }, c.client_name) : c.client_name),
      h('span', { class: `badge badge-job-${c.status}` }, c.status_label || jobStatusLabels[c.status] || c.status),
    ),
    h('p', { class: 'msg-type' }, c.type_label || jobTypeLabels[c.type] || c.type, c.malformed && h('span', { class: 'badge badge-warn' }, ' registro incompleto')),
    c.template_name && h('p', { class: 'msg-template' }, 'Modelo ', h('code', {}, c.template_name), c.template_language && ` (${c.template_language})`),
    c.text && h('p', { class: 'msg-text' }, `“${c.text}”`),
    c.provider_status && h('p', { class: 'muted' }, `Status na Meta: ${providerLabels[c.provider_status] || c.provider_status}`),
    c.reason && h('p', { class: 'ms-reason' }, c.reason),
    when.length > 0 && h('dl', { class: 'times' }, when.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    open && h('a', { class: 'msg-open', href: `#/mensagem/${enc(c.job_id)}` }, 'Ver linha do tempo'),
  );
}

/** #/mensagem/<job id>: one message's card and its timeline, refreshed every 5 s. */
export async function jobView(ctx, main, id) {
  ctx.title('Mensagem');
  const tz = ctx.me.tenant.time_zone;
  const body = h('div', {}, loading());
  const status = pollStatus();
  main.append(h('a', { class: 'back', href: '#/mensagens' }, '‹ Mensagens'), status.el, body);
  let last = '';
  let result = null; // the last action's result, shown above the timeline
  // After an action: its result, and the job (status, timeline) as it is now.
  const acted = async (r) => {
    if (r.ok) result = r;
    last = '';
    await load().catch(() => {});
    if (r.ok) body.querySelector('[data-testid=action-result]')?.focus();
  };
  const load = async () => {
    let data;
    try {
      data = await api(`/v1/staff/jobs/${enc(id)}`, { signal: ctx.signal });
    } catch (e) {
      if (!ctx.alive()) return;
      if (!last) fill(body, h('h1', {}, 'Mensagem'), errorBox(e.message));
      else status.failed(e);
      throw e;
    }
    if (!ctx.alive()) return;
    status.ok();
    const json = JSON.stringify(data);
    if (json === last) return;
    last = json;
    const card = data.card || data;
    const timeline = data.timeline || [];
    const attempts = data.attempts || card.attempts || [];
    refill(
      body,
      h('h1', {}, capitalize(card.type_label || jobTypeLabels[card.type] || 'Mensagem')),
      card.client_name && h('p', { class: 'sub' }, card.client_name),
      messageCard(card, { open: false }),
      actionResult(result),
      jobActionsSection(ctx, data, acted),
      card.appointment_id && h('p', {}, h('a', { href: `#/agendamento/${enc(card.appointment_id)}` }, 'Abrir o agendamento')),
      h('h2', {}, 'Linha do tempo'),
      timeline.length
        ? h(
            'ol',
            { class: 'timeline', 'data-testid': 'timeline' },
            timeline.map((ev) =>
              h(
                'li',
                { 'data-kind': ev.kind },
                h('span', { class: 'tl-when' }, ev.at_local || formatInstant(ev.at, tz)),
                h('span', { class: 'tl-label' }, ev.label || ev.kind),
                ev.detail && h('span', { class: 'tl-detail' }, ev.detail),
              ),
            ),
          )
        : h('ol', { class: 'timeline', 'data-testid': 'timeline' }, h('li', { class: 'muted' }, card.malformed ? 'Registro incompleto: sem linha do tempo.' : 'Nenhum evento ainda.')),
      attempts.length > 0 && [
        h('h2', {}, 'Tentativas de envio'),
        h(
          'ol',
          { class: 'attempts' },
          attempts.map((at) =>
            h('li', {}, attemptLine(at, tz), at.error && h('span', { class: 'tl-detail' }, ` · ${at.error}`)),
          ),
        ),
      ],
    );
  };
  await load().catch(() => {});
  ctx.poll(load);
}

function capitalize(s) {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}
