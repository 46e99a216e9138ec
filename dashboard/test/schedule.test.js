// Table tests of the quiet hours and the reminders in the settings (src/schedule.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkOffsets, checkQuiet, offsetLabel, parseOffset, parseServiceOffsets, scheduleChanges, serviceOffsetsText } from '../src/schedule.js';

test('parseOffset reads what an owner types', () => {
  const cases = [
    ['48 h', 2880], ['48h', 2880], ['2 horas', 120], ['1 hora', 60], ['24', 1440], ['1 h 30 min', 90], ['1h30', 90], ['90 min', 90], ['45m', 45],
    ['2 dias', 2880], ['1 dia', 1440], [' 3H ', 180],
  ];
  for (const [raw, minutes] of cases) assert.deepEqual(parseOffset(raw), { minutes }, raw);
  for (const raw of ['', 'amanhã', '10 min', '8 dias', 'h', '2 semanas']) {
    const r = parseOffset(raw);
    assert.ok(r.error && /^[A-ZÁÉÍÓÚÂÊÔÃÕÇ]/.test(r.error), `${raw}: ${JSON.stringify(r)}`);
  }
});

test('offsetLabel names the minutes', () => {
  assert.equal(offsetLabel(1440), '24 horas');
  assert.equal(offsetLabel(60), '1 hora');
  assert.equal(offsetLabel(90), '1 h 30 min');
  assert.equal(offsetLabel(45), '45 minutos');
});

test('checkQuiet: boundaries and messages', () => {
  assert.deepEqual(checkQuiet({ start: '21:00', end: '08:00', lead_minutes: '60' }), { value: { off: false, start: '21:00', end: '08:00', lead_minutes: 60 } });
  assert.deepEqual(checkQuiet({ off: true, start: '12:00', end: '14:00', lead_minutes: 0 }).value, { off: true, start: '12:00', end: '14:00', lead_minutes: 0 });
  const bad = [
    [{ start: '', end: '08:00', lead_minutes: 60 }, 'start', 'Informe o início'],
    [{ start: '21:00', end: '24:00', lead_minutes: 60 }, 'end', 'HH:MM'],
    [{ start: '21:00', end: '21:00', lead_minutes: 60 }, 'end', 'diferentes'],
    [{ start: '21:00', end: '08:00', lead_minutes: -5 }, 'lead_minutes', '0 a 1440'],
    [{ start: '21:00', end: '08:00', lead_minutes: 1441 }, 'lead_minutes', '0 a 1440'],
    [{ start: '21:00', end: '08:00', lead_minutes: '1,5' }, 'lead_minutes', '0 a 1440'],
  ];
  for (const [v, field, says] of bad) {
    const r = checkQuiet(v);
    assert.equal(r.field, field, JSON.stringify(v));
    assert.match(r.error, new RegExp(says));
  }
});

test('checkOffsets: each with its template, earliest first', () => {
  const ok = checkOffsets([
    { offset: '2 h', name: 'lembrete_2h', language: 'pt_BR' },
    { offset: '48 h', name: 'lembrete_48h', language: 'pt_BR' },
  ]);
  assert.deepEqual(ok.value, [
    { minutes: 2880, template: { name: 'lembrete_48h', language: 'pt_BR' } },
    { minutes: 120, template: { name: 'lembrete_2h', language: 'pt_BR' } },
  ]);
  const bad = [
    [[], -1, 'ao menos um'],
    [[{ offset: '2 h', name: '', language: 'pt_BR' }], 0, 'modelo aprovado do lembrete de 2 horas'],
    [[{ offset: '2 h', name: 'a', language: 'pt_BR' }, { offset: '120 min', name: 'b', language: 'pt_BR' }], 1, 'duas vezes'],
    [[{ offset: '2 h', name: 'Lembrete', language: 'pt_BR' }], 0, 'minúsculas'],
    [[{ offset: '2 h', name: 'a', language: 'portugues' }], 0, 'pt_BR'],
    [Array.from({ length: 6 }, (_, i) => ({ offset: `${i + 1} h`, name: 'a', language: 'pt_BR' })), -1, 'No máximo 5'],
  ];
  for (const [rows, row, says] of bad) {
    const r = checkOffsets(rows);
    assert.equal(r.row, row, JSON.stringify(rows));
    assert.match(r.error, new RegExp(says));
  }
});

test('parseServiceOffsets: one service a line', () => {
  assert.deepEqual(parseServiceOffsets('Coloração: 72 h, 2 h\n\n  Design de sobrancelhas :24h'), {
    value: [{ service: 'Coloração', minutes: [4320, 120] }, { service: 'Design de sobrancelhas', minutes: [1440] }],
  });
  assert.deepEqual(parseServiceOffsets(''), { value: [] });
  assert.equal(parseServiceOffsets('Coloração 72 h').line, 1);
  assert.match(parseServiceOffsets('A: 2 h\na: 3 h').error, /aparece duas vezes/);
  assert.match(parseServiceOffsets('A: 2 h, 2h').error, /Linha 1: o lembrete de 2 horas aparece duas vezes/);
  assert.match(parseServiceOffsets('A:').error, /Linha 1/);
  assert.equal(serviceOffsetsText([{ service: 'Coloração', minutes: [4320, 90] }]), 'Coloração: 72 h, 1 h 30 min');
});

test('scheduleChanges sends only what changed', () => {
  const s = {
    quiet_hours: { off: false, start: '21:00', end: '08:00', lead_minutes: 60 },
    reminder_offsets: [{ minutes: 1440, name: 'lembrete_24h', language: 'pt_BR' }],
    service_reminder_offsets: [],
  };
  const same = { quiet: { start: '21:00', end: '08:00', lead_minutes: '60' }, offsets: [{ offset: '24 h', name: 'lembrete_24h', language: 'pt_BR' }], services: '' };
  assert.deepEqual(scheduleChanges(s, same), { patch: {} });
  const changed = scheduleChanges(s, {
    quiet: { start: '22:00', end: '07:00', lead_minutes: '90' },
    offsets: [{ offset: '48 h', name: 'lembrete_48h', language: 'pt_BR' }, { offset: '2 h', name: 'lembrete_2h', language: 'pt_BR' }],
    services: 'Coloração: 72 h',
  });
  assert.deepEqual(changed.patch, {
    quiet_hours: { off: false, start: '22:00', end: '07:00', lead_minutes: 90 },
    reminder_offsets: [
      { minutes: 2880, template: { name: 'lembrete_48h', language: 'pt_BR' } },
      { minutes: 120, template: { name: 'lembrete_2h', language: 'pt_BR' } },
    ],
    service_reminder_offsets: [{ service: 'Coloração', minutes: [4320] }],
  });
  assert.deepEqual(scheduleChanges(s, { ...same, quiet: { ...same.quiet, off: true } }).patch, { quiet_hours: { off: true, start: '21:00', end: '08:00', lead_minutes: 60 } });
  assert.deepEqual(scheduleChanges(s, { ...same, offsets: [{ offset: '2 h', name: '', language: 'pt_BR' }] }), {
    error: 'Escolha o modelo aprovado do lembrete de 2 horas.', where: 'offsets.0.name',
  });
  assert.equal(scheduleChanges(s, { ...same, quiet: { start: '21:00', end: '21:00', lead_minutes: 60 } }).where, 'quiet.end');
});
