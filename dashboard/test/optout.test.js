// Table tests of the opt-out's pure helpers (src/optout.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keywordsText, optOutChanges, optOutState, parseKeywords } from '../src/optout.js';

test('optOutState: shown when the client ever opted out; the owner may resume an active one', () => {
  const active = { active: true, label: 'Não recebe mensagens automáticas: respondeu PARAR em 01/12/2026 12:04' };
  const resumed = { active: false, label: 'Mensagens automáticas retomadas: o cliente respondeu VOLTAR em 01/12/2026 13:00' };
  for (const [name, optOut, role, want] of [
    ['never opted out', undefined, 'owner', { show: false, active: false, canResume: false, text: '' }],
    ['opted out, owner', active, 'owner', { show: true, active: true, canResume: true, text: active.label }],
    ['opted out, staff', active, 'staff', { show: true, active: true, canResume: false, text: active.label }],
    ['resumed, owner', resumed, 'owner', { show: true, active: false, canResume: false, text: resumed.label }],
    ['no label', { active: true }, 'owner', { show: true, active: true, canResume: true, text: 'Não recebe mensagens automáticas.' }],
    ['not an object', 'x', 'owner', { show: false, active: false, canResume: false, text: '' }],
  ]) assert.deepEqual(optOutState(optOut, role), want, name);
});

test('parseKeywords and keywordsText: one per line or by commas, trimmed, empty dropped', () => {
  for (const [raw, want] of [
    ['PARAR\nSAIR', ['PARAR', 'SAIR']],
    [' chega , não quero mais ;stop', ['chega', 'não quero mais', 'stop']],
    ['\n\n', []],
    [undefined, []],
  ]) assert.deepEqual(parseKeywords(raw), want, JSON.stringify(raw));
  assert.equal(keywordsText(['PARAR', 'CANCELAR MENSAGENS']), 'PARAR\nCANCELAR MENSAGENS');
  assert.equal(keywordsText(null), '');
});

test('optOutChanges: only what changed; the defaults typed back are no change', () => {
  const defaults = { opt_out: { opt_out_keywords: ['PARAR', 'SAIR', 'CANCELAR MENSAGENS', 'STOP'], opt_out_keywords_default: true, strict_cancel_window: false } };
  const own = { opt_out: { opt_out_keywords: ['Chega'], opt_out_keywords_default: false, strict_cancel_window: true } };
  for (const [name, s, typed, want] of [
    ['defaults shown, untouched', defaults, { keywords: 'PARAR\nSAIR\nCANCELAR MENSAGENS\nSTOP', strict: false }, {}],
    ['defaults, field emptied', defaults, { keywords: '', strict: false }, {}],
    ['own word', defaults, { keywords: 'Chega', strict: false }, { opt_out_keywords: ['Chega'] }],
    ['strict on', defaults, { keywords: 'PARAR\nSAIR\nCANCELAR MENSAGENS\nSTOP', strict: true }, { strict_cancel_window: true }],
    ['own list kept', own, { keywords: 'Chega', strict: true }, {}],
    ['own list emptied: back to the defaults', own, { keywords: ' ', strict: false }, { opt_out_keywords: [], strict_cancel_window: false }],
  ]) assert.deepEqual(optOutChanges(s, typed), want, name);
});
