// Table tests of the dashboard's pure helpers: `npm test` in dashboard/ (node --test),
// also run by scripts/localstack's TestDashboardPureHelpers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addDays, apiErrorText, attemptLine, authErrorText, cancelResultText, chartAxisLabels, compactLocal, dayLocal, dayTitle,
  displayPhone, intBR, isDay, jobMessageState, jobStatusLabels, localToRFC3339, normalizePhone, noticeFinal, noticeOutcome,
  splitLocal, stateLabels, ticks, todayIn, waID,
} from '../src/format.js';

test('todayIn: the day in the studio zone, not the browser one', () => {
  const at = new Date('2026-12-03T01:30:00Z'); // 22:30 on the 2nd in São Paulo
  assert.equal(todayIn('America/Sao_Paulo', at), '2026-12-02');
  assert.equal(todayIn('UTC', at), '2026-12-03');
  assert.equal(todayIn('Asia/Tokyo', at), '2026-12-03');
});

test('addDays and isDay', () => {
  for (const [day, n, want] of [
    ['2026-12-31', 1, '2027-01-01'], ['2026-03-01', -1, '2026-02-28'], ['2028-02-28', 1, '2028-02-29'], ['2026-06-15', 0, '2026-06-15'],
  ]) assert.equal(addDays(day, n), want, `${day}+${n}`);
  for (const [s, want] of [['2026-02-29', false], ['2028-02-29', true], ['2026-13-01', false], ['26-01-01', false], ['', false], ['2026-01-01', true]]) {
    assert.equal(isDay(s), want, s);
  }
  assert.throws(() => addDays('amanhã', 1));
});

test('dayTitle and dayLocal in Portuguese', () => {
  assert.equal(dayTitle('2026-12-02'), 'quarta-feira, 2 de dezembro de 2026');
  assert.equal(dayLocal('2026-12-02'), '02/12/2026');
});

test('intBR writes thousands with dots', () => {
  for (const [n, want] of [[0, '0'], [250, '250'], [1000, '1.000'], [10000, '10.000'], [100000, '100.000'], [1234567, '1.234.567'], [-1500, '-1.500'], ['x', '0'], [undefined, '0']]) {
    assert.equal(intBR(n), want, String(n));
  }
});

test('localToRFC3339: wall time in the studio zone', () => {
  for (const [day, time, tz, want] of [
    ['2026-12-02', '14:00', 'America/Sao_Paulo', '2026-12-02T14:00:00-03:00'],
    ['2026-12-02', '00:05', 'America/Manaus', '2026-12-02T00:05:00-04:00'],
    ['2026-07-01', '09:30', 'Europe/Lisbon', '2026-07-01T09:30:00+01:00'],
    ['2026-01-15', '09:30', 'Europe/Lisbon', '2026-01-15T09:30:00+00:00'],
    ['2026-07-01', '09:30', 'Asia/Kolkata', '2026-07-01T09:30:00+05:30'],
    ['2026-02-30', '09:30', 'UTC', ''],
    ['2026-02-01', '24:00', 'UTC', ''],
    ['2026-02-01', '', 'UTC', ''],
  ]) assert.equal(localToRFC3339(day, time, tz), want, `${day} ${time} ${tz}`);
});

test('splitLocal', () => {
  assert.deepEqual(splitLocal('02/12/2026 14:00'), { day: '2026-12-02', time: '14:00' });
  assert.deepEqual(splitLocal('ontem'), { day: '', time: '' });
});

test('normalizePhone and waID', () => {
  for (const [typed, want] of [
    ['+55 11 98765-4321', '+5511987654321'],
    ['(11) 98765-4321', '+5511987654321'],
    ['11 3456-7890', '+551134567890'],
    ['5511987654321', '+5511987654321'],
    ['0055 11 98765 4321', '+5511987654321'],
    ['+1 (415) 555-0100', '+14155550100'],
    ['abc', ''],
    ['123', ''],
    ['', ''],
  ]) assert.equal(normalizePhone(typed), want, typed);
  assert.equal(waID('+55 11 98765-4321'), '5511987654321');
});

test('ticks of each state', () => {
  assert.deepEqual(ticks('sent'), { mark: '✓', tone: 'sent' });
  assert.deepEqual(ticks('delivered'), { mark: '✓✓', tone: 'delivered' });
  assert.deepEqual(ticks('read'), { mark: '✓✓', tone: 'read' });
  assert.equal(ticks('failed').tone, 'failed');
  assert.equal(ticks('not_sent').tone, 'not-sent');
  assert.equal(ticks('pending').tone, 'waiting');
});

test('cancel notice outcomes and texts', () => {
  for (const [state, outcome, final] of [
    ['none', 'none', true], [undefined, 'none', true], ['pending', 'pending', false], ['scheduled', 'pending', false],
    ['sent', 'sent', true], ['delivered', 'sent', true], ['read', 'sent', true], ['failed', 'failed', true], ['not_sent', 'not_sent', true],
  ]) {
    assert.equal(noticeOutcome(state), outcome, String(state));
    assert.equal(noticeFinal(state), final, String(state));
  }
  assert.equal(cancelResultText('sent'), 'Agendamento cancelado. Aviso enviado.');
  assert.equal(cancelResultText('none'), 'Agendamento cancelado. Cliente não avisado.');
  assert.equal(cancelResultText('not_sent', 'Janela de 24 horas fechada.'), 'Agendamento cancelado. Aviso não enviado: Janela de 24 horas fechada.');
  assert.match(cancelResultText('failed', ''), /motivo não informado/);
  assert.equal(
    cancelResultText('not_sent', 'Aviso de cancelamento não enviado: o cliente não respondeu, então a janela está fechada.'),
    'Agendamento cancelado. Aviso não enviado: o cliente não respondeu, então a janela está fechada.',
  );
});

test('API errors in Portuguese, never the API message', () => {
  for (const [status, code, field, want] of [
    [0, '', '', /Sem conexão/],
    [401, 'unauthenticated', '', /Entre novamente/],
    [403, 'forbidden', '', /permissão/],
    [404, 'not_found', '', /Não encontrado/],
    [409, 'member_of_another_studio', '', /outro estúdio/],
    [409, 'appointment_canceled', '', /está cancelado/],
    [400, 'in_past', 'starts_at', /^Confira o campo data e horário: este horário já passou\.$/],
    [409, 'conflict', '', /Recarregue/],
    [400, 'required', 'client_name', /^Confira o campo nome do cliente: preencha este campo\.$/],
    [400, 'invalid_time', 'to', /data final/],
    [400, 'weird', 'weird_field', /Pedido recusado/],
    [500, 'internal', '', /servidor/],
    [503, '', '', /servidor/],
  ]) assert.match(apiErrorText(status, code, field), want, `${status} ${code} ${field}`);
});

test('Firebase sign-in errors in Portuguese', () => {
  assert.equal(authErrorText('auth/invalid-credential'), 'E-mail ou senha incorretos.');
  assert.match(authErrorText('auth/too-many-requests'), /Muitas tentativas/);
  assert.match(authErrorText('auth/something-new'), /Não foi possível entrar/);
});

test('formatInstant in the studio zone', async () => {
  const { formatInstant } = await import('../src/format.js');
  assert.equal(formatInstant('2026-12-02T17:00:00Z', 'America/Sao_Paulo'), '02/12/2026 14:00');
  assert.equal(formatInstant('2026-12-03T02:59:00Z', 'America/Sao_Paulo'), '02/12/2026 23:59');
  assert.equal(formatInstant('', 'UTC'), '');
  assert.equal(formatInstant('never', 'UTC'), '');
});

test('displayPhone: Brazilian numbers grouped, others as + and digits', () => {
  for (const [phone, want] of [
    ['+5511987650103', '+55 11 98765-0103'],
    ['5511987650103', '+55 11 98765-0103'],
    ['+551134567890', '+55 11 3456-7890'],
    ['+14155550100', '+14155550100'],
    ['+55119876', '+55119876'],
    ['', ''],
  ]) assert.equal(displayPhone(phone), want, phone);
});

test('compactLocal: today and this year shortened', () => {
  for (const [local, today, want] of [
    ['01/12/2026 10:39', '01/12/2026', 'hoje 10:39'],
    ['03/12/2026 14:00', '01/12/2026', '03/12 14:00'],
    ['03/01/2027 09:00', '01/12/2026', '03/01/2027 09:00'],
    ['03/12/2026 14:00', '', '03/12/2026 14:00'],
    ['amanhã', '01/12/2026', 'amanhã'],
    [undefined, '01/12/2026', ''],
  ]) assert.equal(compactLocal(local, today), want, `${local} ${today}`);
});

test('attemptLine: local time and Portuguese outcome, the API labels first', () => {
  const tz = 'America/Sao_Paulo';
  for (const [at, want] of [
    [{ n: 1, at: '2026-12-01T13:21:28.803917Z', outcome: 'sent' }, '1ª tentativa · 01/12/2026 10:21 · Enviada'],
    [{ n: 2, at: '2026-12-01T13:21:28Z', outcome: 'retry' }, '2ª tentativa · 01/12/2026 10:21 · Falhou; nova tentativa agendada'],
    [{ n: 3, at: '2026-12-01T13:21:28Z', outcome: 'unknown' }, '3ª tentativa · 01/12/2026 10:21 · Sem confirmação da Meta'],
    [{ n: 1, at: '2026-12-01T13:21:28Z', at_local: '01/12/2026 10:21', outcome: 'sent', outcome_label: 'Enviada à Meta' }, '1ª tentativa · 01/12/2026 10:21 · Enviada à Meta'],
    [{ n: 1, at: '2026-12-01T13:21:28Z', outcome: 'novo' }, '1ª tentativa · 01/12/2026 10:21 · Resultado: novo'],
    [{ at: 'nunca' }, 'Tentativa · Resultado não registrado'],
  ]) {
    const line = attemptLine(at, tz);
    assert.equal(line, want, JSON.stringify(at));
    assert.doesNotMatch(line, /\d{4}-\d{2}-\d{2}T|\bsent\b/);
  }
});

test('jobMessageState: the agenda row\'s state for its jobs, the same words for others', () => {
  const tz = 'America/Sao_Paulo';
  const reminder = { state: 'scheduled', label: 'agendada', job_id: 'r1', at_local: '03/12/2026 14:00' };
  assert.equal(jobMessageState({ id: 'r1', status: 'pending' }, [null, reminder], tz), reminder);
  for (const [job, want] of [
    [{ id: 'x', status: 'pending', attempt_count: 0, scheduled_for: '2026-12-03T17:00:00Z' }, { state: 'scheduled', label: 'agendada', job_id: 'x', at_local: '03/12/2026 14:00' }],
    [{ id: 'x', status: 'pending', attempt_count: 1, next_retry_at: '2026-12-03T17:05:00Z', scheduled_for: '2026-12-03T17:00:00Z' }, { state: 'pending', label: 'aguardando nova tentativa', job_id: 'x', at_local: '03/12/2026 14:05' }],
    [{ id: 'x', status: 'read', provider_status_times: { read: '2026-12-01T13:46:00Z' }, sent_at: '2026-12-01T13:38:00Z' }, { state: 'read', label: 'lida', job_id: 'x', at_local: '01/12/2026 10:46' }],
    [{ id: 'x', status: 'sent', sent_at: '2026-12-01T13:38:00Z', updated_at: '2026-12-01T13:39:00Z' }, { state: 'sent', label: 'enviada', job_id: 'x', at_local: '01/12/2026 10:38' }],
    [{ id: 'x', status: 'failed', reason: 'Número sem WhatsApp.', updated_at: '2026-12-01T13:39:00Z' }, { state: 'failed', label: 'falhou', job_id: 'x', at_local: '01/12/2026 10:39', reason: 'Número sem WhatsApp.' }],
    [{ id: 'x', status: 'skipped', reason: 'Agendamento cancelado.' }, { state: 'not_sent', label: 'não enviada', job_id: 'x', reason: 'Agendamento cancelado.' }],
    [{ id: 'x', status: 'weird' }, { state: 'not_sent', label: 'não enviada', job_id: 'x', reason: 'Situação da mensagem desconhecida (registro antigo ou com defeito).' }],
  ]) assert.deepEqual(jobMessageState(job, [], tz), want, JSON.stringify(job));
  // The filter's words are the states' words: a pending job is "agendada" everywhere.
  assert.equal(jobStatusLabels.pending, stateLabels.scheduled);
  assert.equal(jobStatusLabels.queued, stateLabels.pending);
});

test('chartAxisLabels: today is "hoje", every other day minor over a week', () => {
  const days = Array.from({ length: 14 }, (_, i) => ({ date: addDays('2026-11-18', i), date_local: dayLocal(addDays('2026-11-18', i)) }));
  const labels = chartAxisLabels(days, '2026-12-01');
  assert.equal(labels.length, 14);
  assert.deepEqual(labels[13], { text: 'hoje', today: true, minor: false });
  assert.deepEqual(labels[12], { text: '30/11', today: false, minor: true });
  assert.deepEqual(labels[11], { text: '29/11', today: false, minor: false });
  assert.equal(labels[0].text, '18/11');
  assert.equal(labels.filter((l) => !l.minor).length, 7);
  assert.ok(chartAxisLabels(days.slice(0, 5), '2026-12-01').every((l) => !l.minor && !l.today), 'a short chart shows every day');
});
