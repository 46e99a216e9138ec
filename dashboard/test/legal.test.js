// Table test of the public pages' links: `npm test` in dashboard/ (node --test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { legalLinks } from '../src/legal.js';

test('legalLinks: the policy and the terms under the configured base', () => {
  for (const [base, want] of [
    ['https://voucher.example.com', ['https://voucher.example.com/privacidade', 'https://voucher.example.com/termos']],
    ['https://voucher.example.com/', ['https://voucher.example.com/privacidade', 'https://voucher.example.com/termos']],
    ['http://127.0.0.1:8080/voucher', ['http://127.0.0.1:8080/voucher/privacidade', 'http://127.0.0.1:8080/voucher/termos']],
    [' https://v-123.southamerica-east1.run.app ', ['https://v-123.southamerica-east1.run.app/privacidade', 'https://v-123.southamerica-east1.run.app/termos']],
    [undefined, []], ['', []], ['voucher.example.com', []], ['javascript:alert(1)', []], ['https://', []],
    ['https://x.example.com?a=1', []], [42, []],
  ]) {
    assert.deepEqual(legalLinks(base).map((l) => l.href), want, String(base));
  }
  assert.deepEqual(legalLinks('https://v.example.com').map((l) => l.label), ['Política de Privacidade', 'Termos de Uso']);
});
