// Table tests of the settings form's PATCH body (src/settings.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settingsChanges } from '../src/settings.js';

const s = {
  mode: 'dry_run', kill_switch: { on: false }, studio_test_recipient: '+5511912345678', location_line: 'Rua A, 1', time_zone: 'America/Sao_Paulo', staff_label: 'Falar com a Jana',
  reschedule_text: '', templates: [{ job_type: 'appointment_created', name: 'aviso', language: 'pt_BR' }],
  opening_hours: [
    { weekday: 'monday', set: true, closed: false, open: '09:00', close: '18:00' },
    { weekday: 'sunday', set: true, closed: true },
    { weekday: 'tuesday', set: false, closed: false },
  ],
};
const same = {
  mode: 'dry_run', kill_switch: false, studio_test_recipient: ' +5511912345678', location_line: ' Rua A, 1 ', time_zone: 'America/Sao_Paulo', staff_label: 'Falar com a Jana', reschedule_text: '',
  templates: { appointment_created: { name: 'aviso', language: 'pt_BR' } },
  opening_hours: { monday: { closed: false, open: '09:00', close: '18:00' }, sunday: { closed: true, open: '', close: '' }, tuesday: { closed: false, open: '', close: '' } },
};

test('settingsChanges: only what changed', () => {
  for (const [name, change, want] of [
    ['nothing', {}, {}],
    ['contact label', { staff_label: 'Falar com o estúdio ' }, { staff_label: 'Falar com o estúdio' }],
    ['mode and kill switch', { mode: 'enabled', kill_switch: true }, { mode: 'enabled', kill_switch: true }],
    ['test number changed', { studio_test_recipient: '(11) 98765-4321 ' }, { studio_test_recipient: '(11) 98765-4321' }],
    ['test number cleared', { studio_test_recipient: '  ' }, { studio_test_recipient: '' }],
    ['reschedule text set', { reschedule_text: 'Responda com o novo horário.' }, { reschedule_text: 'Responda com o novo horário.' }],
    ['template', { templates: { appointment_created: { name: 'aviso_v2', language: 'pt_BR' } } }, { templates: { appointment_created: { name: 'aviso_v2', language: 'pt_BR' } } }],
    ['a day closes', { opening_hours: { ...same.opening_hours, monday: { closed: true, open: '09:00', close: '18:00' } } }, { opening_hours: { monday: { closed: true } } }],
    ['a day never told gets hours', { opening_hours: { ...same.opening_hours, tuesday: { closed: false, open: '10:00', close: '19:00' } } }, { opening_hours: { tuesday: { open: '10:00', close: '19:00' } } }],
    ['sunday opens', { opening_hours: { ...same.opening_hours, sunday: { closed: false, open: '09:00', close: '13:00' } } }, { opening_hours: { sunday: { open: '09:00', close: '13:00' } } }],
  ]) assert.deepEqual(settingsChanges(s, { ...same, ...change }), want, name);
});
