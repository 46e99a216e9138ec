// #/custos (the owner): the month's WhatsApp messages Meta priced, by category, and their
// estimated cost (GET /v1/staff/billing), a month selector and the CSV for billing.
import { api, apiFile } from '../api.js';
import { billingRows, chosenMonth, csvFileName, currentMonth, money, monthLabel, monthOptions, tableNote } from '../billing.js';
import { fill, h } from '../dom.js';
import { intBR } from '../format.js';
import { errorBox, loading } from '../ui.js';

export async function billingView(ctx, main) {
  ctx.title('Custos');
  main.append(h('a', { class: 'back', href: '#/mensagens' }, '‹ Mensagens'), h('h1', {}, 'Custos do WhatsApp'));
  if (ctx.me.role !== 'owner') {
    main.append(errorBox('Só o responsável pelo estúdio vê os custos.'));
    return;
  }
  const current = currentMonth(ctx.me.tenant.time_zone);
  const month = chosenMonth(ctx.query.get('mes'), current);
  const select = h(
    'select',
    { id: 'billing-month', 'data-testid': 'billing-month' },
    monthOptions(current).map((m) => h('option', { value: m, selected: m === month ? true : undefined }, monthLabel(m))),
  );
  select.value = month;
  select.addEventListener('change', () => ctx.navigate(`#/custos?mes=${select.value}`));
  const download = h('button', { type: 'button', class: 'btn', 'data-testid': 'billing-csv' }, 'Baixar CSV para faturamento');
  const downloadStatus = h('p', { class: 'poll-status', role: 'status', 'data-testid': 'billing-csv-status' });
  main.append(h('div', { class: 'field' }, h('label', { for: 'billing-month' }, 'Mês'), select));
  const box = h('section', { class: 'card', 'data-testid': 'billing', 'data-month': month, 'aria-labelledby': 'billing-title' }, loading());
  main.append(box);

  let b;
  try {
    b = await api(`/v1/staff/billing?month=${month}`, { signal: ctx.signal });
  } catch (e) {
    if (ctx.alive()) fill(box, errorBox(e.message));
    return;
  }
  if (!ctx.alive()) return;
  const rows = billingRows(b);
  const stat = (key, label, value, wide = false) =>
    h('div', { class: 'stat', 'data-key': key, style: wide ? 'grid-column: span 2' : undefined }, h('dt', {}, label), h('dd', { style: 'white-space: nowrap' }, value));
  download.addEventListener('click', async () => {
    download.disabled = true;
    downloadStatus.textContent = 'Preparando o arquivo…';
    try {
      const blob = await apiFile(`/v1/staff/billing?month=${month}&format=csv`, { signal: ctx.signal });
      const url = URL.createObjectURL(blob);
      const a = h('a', { href: url, download: csvFileName(month), hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      downloadStatus.textContent = `Arquivo ${csvFileName(month)} baixado.`;
    } catch (e) {
      downloadStatus.textContent = `Não foi possível baixar: ${e.message}`;
    } finally {
      download.disabled = false;
    }
  });
  fill(
    box,
    h('h2', { id: 'billing-title' }, monthLabel(b.month)),
    h(
      'dl',
      { class: 'stats' },
      stat('estimate', 'Custo estimado', money(b.estimate, b.currency), true),
      stat('billable', 'Mensagens cobradas', intBR(b.billable)),
      stat('free', 'Mensagens gratuitas', intBR(b.free)),
    ),
    rows.length
      ? h(
          'div',
          { style: 'overflow-x:auto' },
          h(
            'table',
            { 'data-testid': 'billing-table' },
            h('caption', { class: 'muted' }, 'Por categoria da Meta'),
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Categoria'), h('th', { scope: 'col' }, 'Cobradas / gratuitas'), h('th', { scope: 'col' }, 'Custo'))),
            h(
              'tbody',
              {},
              rows.map((r) =>
                h(
                  'tr',
                  { 'data-category': r.category },
                  h('th', { scope: 'row' }, r.label, h('br'), h('small', { class: 'muted', style: 'font-weight: normal' }, r.priced ? `${r.rate} cada` : r.rate)),
                  h('td', {}, h('span', { 'data-key': 'billable' }, r.billable), ' / ', h('span', { 'data-key': 'free' }, r.free)),
                  h('td', { 'data-key': 'cost', style: 'white-space: nowrap' }, r.cost),
                ),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted', 'data-testid': 'billing-empty' }, 'Nenhuma mensagem cobrada ou gratuita neste mês.'),
    b.conversations > 0 && h('p', { class: 'muted' }, `Inclui ${intBR(b.conversations)} conversas cobradas pelo modelo antigo da Meta (por conversa).`),
    h('p', { class: 'muted', 'data-testid': 'billing-note' }, tableNote(b)),
    h('p', {}, download),
    downloadStatus,
  );
}
