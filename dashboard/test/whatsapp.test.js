// Table tests of the WhatsApp connection screen's pure helpers (src/whatsapp.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canDisconnect,
  capText,
  connectBody,
  connectLabel,
  connectOutcome,
  disconnectionText,
  endedText,
  historyProgress,
  limitView,
  isFinish,
  loginOptions,
  newAttemptID,
  outcomeText,
  proposalsPatch,
  signupEventBody,
  signupMessage,
  stepList,
} from '../src/whatsapp.js';

const origins = ['https://www.facebook.com', 'https://web.facebook.com'];
const finish = JSON.stringify({ data: { phone_number_id: '106540352242922', waba_id: '524126980791429', business_id: '2729063490586005' }, type: 'WA_EMBEDDED_SIGNUP', event: 'FINISH' });

test('signupMessage: only WA_EMBEDDED_SIGNUP events from the listed origins', () => {
  for (const [name, e, want] of [
    ['finish', { origin: 'https://www.facebook.com', data: finish }, { event: 'FINISH', data: { phone_number_id: '106540352242922', waba_id: '524126980791429', business_id: '2729063490586005' }, version: undefined }],
    ['coexistence finish', { origin: 'https://web.facebook.com', data: '{"data":{"waba_id":"1"},"type":"WA_EMBEDDED_SIGNUP","event":"FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING","version":3}' }, { event: 'FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING', data: { waba_id: '1' }, version: 3 }],
    ['cancel', { origin: 'https://www.facebook.com', data: '{"data":{"current_step":"PHONE_NUMBER_SETUP"},"type":"WA_EMBEDDED_SIGNUP","event":"CANCEL"}' }, { event: 'CANCEL', data: { current_step: 'PHONE_NUMBER_SETUP' }, version: undefined }],
    ['forged origin', { origin: 'https://evil.example', data: finish }, null],
    ['lookalike origin', { origin: 'https://www.facebook.com.evil.example', data: finish }, null],
    ['origin with a port', { origin: 'https://www.facebook.com:444', data: finish }, null],
    ['non-JSON', { origin: 'https://www.facebook.com', data: 'FINISH' }, null],
    ['JSON null', { origin: 'https://www.facebook.com', data: 'null' }, null],
    ['another type', { origin: 'https://www.facebook.com', data: '{"type":"STANDIN_LOGIN_RESULT","code":"x"}' }, null],
    ['unknown event', { origin: 'https://www.facebook.com', data: '{"type":"WA_EMBEDDED_SIGNUP","event":"DELETE_ALL"}' }, null],
    ['data not an object', { origin: 'https://www.facebook.com', data: '{"type":"WA_EMBEDDED_SIGNUP","event":"CANCEL","data":[1]}' }, { event: 'CANCEL', data: {}, version: undefined }],
    ['no event', null, null],
  ]) {
    assert.deepEqual(signupMessage(e, origins), want, name);
  }
  assert.equal(signupMessage({ origin: 'https://www.facebook.com', data: finish }, undefined), null, 'no origins: nothing accepted');
});

test('loginOptions: v4 extras, coexistence adds featureType and sessionInfoVersion', () => {
  const s = { config_id: 'cfg-1' };
  assert.deepEqual(loginOptions(s, false), { config_id: 'cfg-1', response_type: 'code', override_default_response_type: true, extras: { setup: {} } });
  assert.deepEqual(loginOptions(s, true), {
    config_id: 'cfg-1',
    response_type: 'code',
    override_default_response_type: true,
    extras: { setup: {}, featureType: 'whatsapp_business_app_onboarding', sessionInfoVersion: '3' },
  });
});

test('signupEventBody: the event with its fields, clipped', () => {
  for (const [name, msg, coex, want] of [
    ['finish', { event: 'FINISH', data: { phone_number_id: '2', waba_id: '1', business_id: '3' } }, false, { attempt_id: 'es_1', event: 'FINISH', coexistence: false, waba_id: '1', phone_number_id: '2' }],
    ['cancel step', { event: 'CANCEL', data: { current_step: 'X' } }, true, { attempt_id: 'es_1', event: 'CANCEL', coexistence: true, current_step: 'X' }],
    [
      'error',
      { event: 'CANCEL', data: { error_message: 'm', error_id: 524126, session_id: 's', timestamp: '1' } },
      false,
      { attempt_id: 'es_1', event: 'CANCEL', coexistence: false, error_message: 'm', error_id: '524126', session_id: 's' },
    ],
    ['login cancelled', { event: 'LOGIN_CANCELLED' }, false, { attempt_id: 'es_1', event: 'LOGIN_CANCELLED', coexistence: false }],
  ]) {
    assert.deepEqual(signupEventBody('es_1', msg, coex), want, name);
  }
  assert.equal(signupEventBody('es_1', { event: 'CANCEL', data: { error_message: 'x'.repeat(900) } }, false).error_message.length, 500);
});

test('connectBody and isFinish', () => {
  const f = { event: 'FINISH', data: { phone_number_id: '2', waba_id: '1' } };
  assert.deepEqual(connectBody('es_1', 'AQx', f, false), { attempt_id: 'es_1', coexistence: false, code: 'AQx', waba_id: '1', phone_number_id: '2' });
  assert.deepEqual(connectBody('es_1', '', f, false), { attempt_id: 'es_1', coexistence: false, waba_id: '1', phone_number_id: '2' }, 'retry: no code');
  assert.deepEqual(connectBody('es_1', 'AQx', { event: 'FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING', data: { waba_id: '1' } }, true), { attempt_id: 'es_1', coexistence: true, code: 'AQx', waba_id: '1' });
  assert.deepEqual(connectBody('es_1', 'AQx', null, false), { attempt_id: 'es_1', coexistence: false, code: 'AQx' });
  assert.equal(isFinish(f), true);
  assert.equal(isFinish({ event: 'FINISH_ONLY_WABA' }), true);
  assert.equal(isFinish({ event: 'CANCEL' }), false);
  assert.equal(isFinish(null), false);
});

test('newAttemptID: the api accepts it', () => {
  const id = newAttemptID(new Uint8Array([0, 1, 254, 255]));
  assert.equal(id, 'es_0001feff');
  assert.match(newAttemptID(), /^[A-Za-z0-9_-]{8,64}$/);
  assert.notEqual(newAttemptID(), newAttemptID());
});

test('stepList: in order, pending until recorded, not-applicable steps skipped', () => {
  const normal = stepList({ coexistence: false, steps: { exchange_code: { status: 'done' }, store_token: { status: 'failed', error: 'Secret Manager indisponível' } } });
  assert.deepEqual(
    normal.map((s) => [s.name, s.status]),
    [
      ['exchange_code', 'done'],
      ['store_token', 'failed'],
      ['find_assets', 'pending'],
      ['index', 'pending'],
      ['subscribe_app', 'pending'],
      ['register', 'pending'],
      ['sync_contacts', 'skipped'],
      ['sync_history', 'skipped'],
      ['templates', 'pending'],
      ['activate', 'pending'],
    ],
  );
  assert.equal(normal[1].error, 'Secret Manager indisponível');
  const coex = stepList({ coexistence: true, steps: {} });
  assert.equal(coex.find((s) => s.name === 'register').status, 'skipped');
  assert.equal(coex.find((s) => s.name === 'sync_history').status, 'pending');
  assert.equal(stepList(null).every((s) => s.status === 'pending'), true);
  assert.equal(stepList({ steps: { index: { status: 'weird' } } }).find((s) => s.name === 'index').status, 'pending');
  const unknown = stepList({ steps: { a_new_step: { status: 'done' } } }).at(-1);
  assert.deepEqual([unknown.name, unknown.label, unknown.status], ['a_new_step', 'a_new_step', 'done'], 'a step the dashboard does not know is still shown');
});

test('connectOutcome and outcomeText', () => {
  for (const [status, resp, want] of [
    [200, { outcome: 'complete' }, 'complete'],
    [502, { outcome: 'failed' }, 'failed'],
    [502, null, 'failed'],
    [409, { outcome: 'stopped', reason: 'r' }, 'stopped'],
    [409, { outcome: 'running' }, 'running'],
    [409, null, 'stopped'],
    [200, {}, 'complete'],
  ]) {
    assert.equal(connectOutcome(status, resp), want, `${status} ${JSON.stringify(resp)}`);
  }
  assert.match(outcomeText('complete', { display_phone_number: '+55 11 4000-1234' }), /conectado: \+55 11 4000-1234/);
  const failed = outcomeText('failed', { next: 'subscribe_app', steps: { subscribe_app: { status: 'failed', error: 'a Meta não respondeu' } } });
  assert.match(failed, /Receber os avisos da Meta/);
  assert.match(failed, /Tentar de novo/);
  assert.match(outcomeText('stopped', { reason: 'este número já é de outro estúdio' }), /este número já é de outro estúdio/);
  assert.equal(outcomeText('other'), '');
});

test('endedText, proposalsPatch, capText, canDisconnect, connectLabel, historyProgress', () => {
  assert.equal(endedText({ ended: 'cancel', ended_label: 'Cadastro na Meta cancelado antes de terminar (tela da Meta: X)' }), 'Cadastro na Meta cancelado antes de terminar (tela da Meta: X)');
  assert.equal(endedText({ ended: 'login_cancelled' }), 'Janela da Meta fechada sem concluir');
  assert.equal(endedText({ ended: 'new_thing' }), 'new_thing');
  assert.deepEqual(
    proposalsPatch([
      { job_type: 'appointment_created', name: 'aviso', language: 'pt_BR' },
      { job_type: 'reminder', name: 'lembrete' },
      { job_type: '', name: 'x' },
    ]),
    { templates: { appointment_created: { name: 'aviso', language: 'pt_BR' }, reminder: { name: 'lembrete', language: 'pt_BR' } } },
  );
  assert.deepEqual(proposalsPatch([]), {});
  assert.deepEqual(proposalsPatch(undefined), {});
  assert.equal(capText(20), 'até 20 mensagens por segundo');
  assert.equal(capText(0), '');
  for (const [s, want] of [['connected', true], ['syncing_history', true], ['restricted', true], ['token_invalid', true], ['banned', false], ['disconnected', false], ['not_connected', false], ['deleted', false]]) {
    assert.equal(canDisconnect(s), want, s);
  }
  assert.equal(canDisconnect('disconnected', true), true, 'the unsubscription failed: again retries it');
  assert.equal(connectLabel('not_connected'), 'Conectar WhatsApp');
  assert.equal(connectLabel(undefined), 'Conectar WhatsApp');
  assert.equal(connectLabel('disconnected'), 'Reconectar');
  assert.equal(connectLabel('connecting'), 'Conectar WhatsApp', 'a first connection not finished yet');
  for (const [sync, want] of [
    [undefined, 0],
    [{ history: { state: 'done' } }, 100],
    [{ history: { state: 'in_progress', progress: 45.4 } }, 45],
    [{ history: { state: 'in_progress', progress: 140 } }, 100],
    [{ history: { state: 'requested' } }, 0],
  ]) {
    assert.equal(historyProgress(sync), want, JSON.stringify(sync));
  }
});

test('disconnectionText: who and when, the reason and who once', () => {
  const d = { at_local: '01/12/2026 13:00', by: 'flor@studio-flor.example', reason: 'vamos trocar de número.' };
  assert.equal(disconnectionText(d, ''), 'Desconectado em 01/12/2026 13:00 por flor@studio-flor.example: vamos trocar de número.');
  assert.equal(disconnectionText(d, 'Conta desconectada, motivo: vamos trocar de número. Reconecte.'), 'Desconectado em 01/12/2026 13:00 por flor@studio-flor.example.');
  assert.equal(disconnectionText({ at_local: '01/12/2026 13:00' }, ''), 'Desconectado em 01/12/2026 13:00.');
  // Meta's side is already a phrase: never "por pela Meta".
  assert.equal(disconnectionText({ at_local: '01/12/2026 13:00', by: 'pela Meta' }, ''), 'Desconectado em 01/12/2026 13:00 pela Meta.');
  assert.equal(disconnectionText({ at_local: '01/12/2026 13:00', by: 'pelo aplicativo WhatsApp Business' }, ''), 'Desconectado em 01/12/2026 13:00 pelo aplicativo WhatsApp Business.');
  // The state's detail already says who: said once.
  assert.equal(disconnectionText(d, 'Desconectada pelo estúdio (flor@studio-flor.example), motivo: vamos trocar de número.'), 'Desconectado em 01/12/2026 13:00.');
});

test('limitView: the messaging limit\'s use, level and note', () => {
  const cases = [
    [{ limit: 250, counted: true, used: 180, reminder_threshold: 225, label: 'Limite da Meta: 180 de 250 clientes nas últimas 24 h' },
      { text: 'Limite da Meta: 180 de 250 clientes nas últimas 24 h', share: 72, level: 'ok', note: '' }],
    [{ limit: 250, counted: true, used: 230, reminder_threshold: 225 },
      { text: 'Limite da Meta: 230 de 250 clientes nas últimas 24 h', share: 92, level: 'near',
        note: 'Perto do limite: lembretes a clientes novos aguardam (a partir de 225); avisos de agendamento e respostas continuam.' }],
    [{ limit: 250, counted: true, used: 250, reminder_threshold: 225 },
      { text: 'Limite da Meta: 250 de 250 clientes nas últimas 24 h', share: 100, level: 'full',
        note: 'Limite atingido: lembretes e avisos a clientes novos aguardam até clientes saírem da janela de 24 h; respostas a quem escreveu continuam.' }],
    [{ limit: -1, unlimited: true, counted: false }, { text: 'Limite da Meta: sem limite de clientes nas últimas 24 h', share: null, level: '', note: '' }],
    [{ limit: 0, unlimited: false, counted: false }, { text: 'Limite da Meta: ainda não informado pela Meta', share: null, level: '', note: '' }],
    [undefined, { text: '', share: null, level: '', note: '' }],
  ];
  for (const [ml, want] of cases) assert.deepEqual(limitView(ml), want, JSON.stringify(ml));
});

test('limitView writes thousands with dots', () => {
  assert.equal(limitView({ limit: 10000, counted: true, used: 9500, reminder_threshold: 9000 }).text, 'Limite da Meta: 9.500 de 10.000 clientes nas últimas 24 h');
});
