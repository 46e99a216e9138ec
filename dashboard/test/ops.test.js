// Table tests of the owner's operations' pure helpers (src/ops.js) and of the refusals
// shown in the API's Portuguese words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiErrorText, normalizePhone } from '../src/format.js';
import { checkReason, countText, drainResultText, drainSelector, drainSummary, newDrainID, offeredActions } from '../src/ops.js';


test('offeredActions: what the API allows, in its order, nothing unknown', () => {
  for (const [name, data, want] of [
    ['a waiting reminder', { actions: ['send_now', 'fail', 'discard'] }, ['fail', 'discard', 'send_now']],
    ['a failed notice', { actions: ['retry'] }, ['retry']],
    ['a sent notice', { actions: [] }, []],
    ['staff (no actions)', { card: { job_id: 'j1' } }, []],
    ['an unknown action', { actions: ['delete', 'fail'] }, ['fail']],
    ['no answer', null, []],
  ]) assert.deepEqual(offeredActions(data), want, name);
});

test('checkReason: required, 3 to 500 letters, one line', () => {
  for (const [raw, reason, problem] of [
    ['  job antigo  ', 'job antigo', ''],
    ['', '', /Escreva o motivo/],
    ['   ', '', /Escreva o motivo/],
    ['ok', '', /pelo menos 3/],
    ['ção', 'ção', ''],
    ['a'.repeat(501), '', /no máximo 500/],
    ['linha 1\nlinha 2', '', /uma linha/],
  ]) {
    const got = checkReason(raw);
    assert.equal(got.reason, reason, JSON.stringify(raw));
    if (problem) assert.match(got.problem, problem, JSON.stringify(raw));
    else assert.equal(got.problem, '', JSON.stringify(raw));
  }
});

test('drainSelector and drainSummary', () => {
  for (const [name, input, sel, summary, problem] of [
    ['everything', {}, {}, 'Todos os tipos', ''],
    ['types and days', { types: ['appointment_reminder', 'nope'], days: '7' }, { types: ['appointment_reminder'], older_than_days: 7 }, 'Lembrete, com horário há mais de 7 dias', ''],
    ['one day', { days: '1' }, { older_than_days: 1 }, 'Todos os tipos, com horário há mais de 1 dia', ''],
    ['past', { days: ' 0 ' }, { older_than_days: 0 }, 'Todos os tipos, com horário já passado', ''],
    ['phone', { phone: '(11) 98765-4321' }, { client_phone: '+5511987654321' }, 'Todos os tipos, do cliente +5511987654321', ''],
    ['bad days', { days: '-2' }, null, '', /dias inválido/],
    ['too many days', { days: '4000' }, null, '', /dias inválido/],
    ['bad phone', { phone: '123' }, null, '', /Telefone/],
  ]) {
    const got = drainSelector(input, normalizePhone);
    assert.deepEqual(got.selector, sel, name);
    if (problem) assert.match(got.problem, problem, name);
    else {
      assert.equal(got.problem, '', name);
      assert.equal(drainSummary(got.selector), summary, name);
    }
  }
});

test('countText and drainResultText in Portuguese', () => {
  assert.equal(countText(1), '1 mensagem');
  assert.equal(countText(5000), '5.000 mensagens');
  assert.equal(countText(10000, true), 'mais de 10.000 mensagens');
  for (const [r, action, want] of [
    [{ marked: 5000, batches: 25 }, 'fail', '5.000 mensagens marcadas como falha.'],
    [{ marked: 1, batches: 1 }, 'skip', '1 mensagem descartada.'],
    [{ marked: 0, already: 3, batches: 1 }, 'skip', '0 mensagens descartadas. 3 mensagens já tinham sido descartadas por esta limpeza.'],
    [{ marked: 2, refused: 1, more: true }, 'fail', '2 mensagens marcadas como falha. 1 mensagem mudou enquanto isso e ficou como estava. Ainda há mensagens: confirme de novo para continuar.'],
  ]) assert.equal(drainResultText(r, action), want, JSON.stringify(r));
});

test('newDrainID: the API pattern, a new one each time', () => {
  const a = newDrainID();
  assert.match(a, /^[A-Za-z0-9_-]{8,64}$/);
  assert.notEqual(a, newDrainID());
  assert.equal(newDrainID(() => 'x/y'), 'drain-xy');
});

test('apiErrorText: a refusal in the API Portuguese words, English messages never', () => {
  const why = 'Esta mensagem já foi aceita pela Meta (enviada, entregue ou lida): uma nova tentativa mandaria uma segunda mensagem ao cliente.';
  assert.equal(apiErrorText(409, 'action_refused', '', why), why);
  assert.equal(apiErrorText(503, 'queue_unavailable', '', 'Fila de envio indisponível.'), 'Fila de envio indisponível.');
  assert.doesNotMatch(apiErrorText(409, 'drain_id_conflict', '', 'this drain_id already names a drain'), /drain_id/);
  assert.equal(apiErrorText(400, 'too_short', 'reason', 'reason must be at least 3 characters'), 'Confira o campo motivo: texto curto demais.');
});
