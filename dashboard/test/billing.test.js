// Table tests of the cost panel's pure rules (src/billing.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { billingRows, chosenMonth, csvFileName, currentMonth, isMonth, money, monthLabel, monthOptions, tableNote } from '../src/billing.js';

test('months: names, the current one in the studio zone, the offered ones', () => {
  assert.equal(monthLabel('2026-12'), 'dezembro de 2026');
  assert.equal(monthLabel('2026-03'), 'março de 2026');
  assert.equal(monthLabel('2026-13'), '2026-13');
  for (const [s, ok] of [['2026-01', true], ['2026-12', true], ['2026-00', false], ['2026-13', false], ['26-01', false], ['', false], [undefined, false]]) {
    assert.equal(isMonth(s), ok, String(s));
  }
  // 01:30 UTC on December 1 is still November 30 in São Paulo (UTC−3).
  const now = new Date('2026-12-01T01:30:00Z');
  assert.equal(currentMonth('America/Sao_Paulo', now), '2026-11');
  assert.equal(currentMonth('UTC', now), '2026-12');
  assert.deepEqual(monthOptions('2026-02', 4), ['2026-02', '2026-01', '2025-12', '2025-11']);
  assert.deepEqual(monthOptions('bad'), []);
  assert.equal(monthOptions('2026-12').length, 12);
  for (const [asked, want] of [['2026-10', '2026-10'], ['2027-01', '2026-12'], ['x', '2026-12'], [null, '2026-12']]) {
    assert.equal(chosenMonth(asked, '2026-12'), want, String(asked));
  }
});

test('money in pt-BR', () => {
  for (const [args, want] of [
    [[12.5, 'BRL'], 'R$ 12,50'],
    [[1234.567, 'BRL'], 'R$ 1.234,57'],
    [[0, 'BRL'], 'R$ 0,00'],
    [[0.0068, 'USD', 4], 'US$ 0,0068'],
    [[0.35, 'BRL', 4], 'R$ 0,35'],
    [['x', 'BRL'], '—'],
  ]) assert.equal(money(...args), want, JSON.stringify(args));
});

test('billingRows: most charged first, prices and costs, a category without a rate', () => {
  const rows = billingRows({
    currency: 'BRL',
    categories: [
      { category: 'service', label: 'Serviço', billable: 0, free: 40, priced: true, rate: 0, estimate: 0 },
      { category: 'utility', label: 'Utilidade', billable: 1200, free: 3, priced: true, rate: 0.04, estimate: 48 },
      { category: 'authentication_international', label: 'Autenticação internacional', billable: 2, free: 0, priced: false },
    ],
  });
  assert.deepEqual(rows.map((r) => r.category), ['utility', 'authentication_international', 'service']);
  assert.deepEqual(rows[0], { category: 'utility', label: 'Utilidade', billable: '1.200', free: '3', rate: 'R$ 0,04', cost: 'R$ 48,00', priced: true });
  assert.equal(rows[1].rate, 'sem preço na tabela');
  assert.equal(rows[1].cost, '—');
  assert.deepEqual(billingRows(null), []);
});

test('tableNote and the file name', () => {
  assert.equal(
    tableNote({ currency: 'USD', price_table: { effective: '2026-01-01', confirmed: false }, unpriced: 2 }),
    'Estimativa pela tabela de preços da Meta de 01/01/2026 (USD). Valores não confirmados na tabela oficial da Meta: confira antes de faturar. 2 mensagens cobradas de categorias sem preço na tabela não entram na estimativa.',
  );
  assert.equal(tableNote({ currency: 'BRL', price_table: { effective: '2026-07-01', confirmed: true }, unpriced: 0 }), 'Estimativa pela tabela de preços da Meta de 01/07/2026 (BRL).');
  assert.equal(csvFileName('2026-12'), 'lembra-custos-2026-12.csv');
  assert.equal(csvFileName('../x'), 'lembra-custos-mes.csv');
});
