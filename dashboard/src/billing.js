// The cost panel's pure rules (#/custos): the months offered, their names, money in
// pt-BR, the rows of GET /v1/staff/billing and the CSV's file name.
import { dayLocal, intBR, todayIn } from './format.js';

const monthNames = ['janeiro', 'fevereiro', 'março', 'abril', 'maio', 'junho', 'julho', 'agosto', 'setembro', 'outubro', 'novembro', 'dezembro'];

/** isMonth: "yyyy-mm" with a month 01 to 12. */
export function isMonth(s) {
  return typeof s === 'string' && /^\d{4}-(0[1-9]|1[0-2])$/.test(s);
}

/** monthLabel('2026-12') → 'dezembro de 2026'. */
export function monthLabel(m) {
  if (!isMonth(m)) return String(m ?? '');
  const [y, mo] = m.split('-');
  return `${monthNames[Number(mo) - 1]} de ${y}`;
}

/** currentMonth: the month of now in the studio's zone, "yyyy-mm". */
export function currentMonth(tz, now = new Date()) {
  return todayIn(tz || 'America/Sao_Paulo', now).slice(0, 7);
}

/** monthOptions: the current month and the n−1 before it, newest first. */
export function monthOptions(current, n = 12) {
  if (!isMonth(current)) return [];
  let [y, m] = current.split('-').map(Number);
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m -= 1;
    if (m === 0) {
      m = 12;
      y -= 1;
    }
  }
  return out;
}

/** chosenMonth: the month the address asks for when it is one offered, else the current one. */
export function chosenMonth(asked, current) {
  return isMonth(asked) && asked <= current ? asked : current;
}

/** money(12.5, 'BRL') → 'R$ 12,50'; rates keep up to 4 decimals (money(0.0068, 'USD', 4) → 'US$ 0,0068'). */
export function money(amount, currency = 'BRL', maxDecimals = 2) {
  const n = Number(amount);
  if (!Number.isFinite(n)) return '—';
  const s = new Intl.NumberFormat('pt-BR', { style: 'currency', currency: currency || 'BRL', minimumFractionDigits: 2, maximumFractionDigits: maxDecimals }).format(n);
  return s.replace(/\u00a0/g, ' ');
}

/**
 * billingRows: the table of a month, one row per category (most charged first), with
 * the price and the cost as the panel shows them; a category without a rate says so.
 */
export function billingRows(b) {
  const cur = b?.currency || 'BRL';
  const cats = Array.isArray(b?.categories) ? [...b.categories] : [];
  cats.sort((x, y) => (y.billable || 0) - (x.billable || 0) || (y.free || 0) - (x.free || 0) || String(x.category).localeCompare(String(y.category)));
  return cats.map((c) => ({
    category: c.category,
    label: c.label || c.category,
    billable: intBR(c.billable),
    free: intBR(c.free),
    rate: c.priced ? money(c.rate, cur, 4) : 'sem preço na tabela',
    cost: c.priced ? money(c.estimate, cur) : '—',
    priced: !!c.priced,
  }));
}

/** tableNote: which price table the estimate used, in Portuguese. */
export function tableNote(b) {
  const t = b?.price_table || {};
  const d = dayLocal(t.effective || '');
  let s = `Estimativa pela tabela de preços da Meta de ${d} (${b?.currency || ''}).`;
  if (!t.confirmed) s += ' Valores não confirmados na tabela oficial da Meta: confira antes de faturar.';
  if (b?.unpriced > 0) s += ` ${intBR(b.unpriced)} mensagens cobradas de categorias sem preço na tabela não entram na estimativa.`;
  return s;
}

/** csvFileName: the name the export is saved under. */
export function csvFileName(month) {
  return `lembra-custos-${isMonth(month) ? month : 'mes'}.csv`;
}
