// The CRM client libraries as pinned (their next releases need Node 22), working on this Node;
// and leadrelay's own check of HubSpot's v3 webhook signature against the library's signer.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { Client, Signature } from '@hubspot/api-client';
import jsforce from 'jsforce';
import { describe, expect, it } from 'vitest';
import { MAX_AGE_MS, signV3, verifyV3 } from '../src/http/hubspot-signature.ts';

const require = createRequire(import.meta.url);
const installed = (name: string) => (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string; engines?: { node?: string } });
const pinned = JSON.parse(readFileSync('package.json', 'utf8')).dependencies as Record<string, string>;

describe('the CRM libraries', () => {
  it('are the pinned versions, installed, for Node 20', () => {
    expect(pinned['@hubspot/api-client']).toBe('13.5.0');
    expect(pinned.jsforce).toBe('3.10.16');
    expect(installed('@hubspot/api-client').version).toBe('13.5.0');
    expect(installed('jsforce').version).toBe('3.10.16');
    for (const name of ['@hubspot/api-client', 'jsforce']) expect(installed(name).engines?.node).toMatch(/^>=18/);
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(20);
  });

  it('load and build their clients on this Node', () => {
    const hubspot = new Client({ accessToken: 'x', basePath: 'http://127.0.0.1:9' });
    expect(typeof hubspot.crm.contacts.searchApi.doSearch).toBe('function');
    const conn = new jsforce.Connection({ oauth2: { loginUrl: 'http://127.0.0.1:9', clientId: 'a', clientSecret: 'b' }, version: '62.0' });
    expect(conn.version).toBe('62.0');
    expect(jsforce.VERSION).toBe('3.10.16');
  });
});

describe('HubSpot webhook signature v3', () => {
  const secret = 'hubspot-client-secret-0123';
  const cases = [
    { method: 'POST', url: 'https://leads.example.com/hubspot/webhook', body: '[{"objectId":1,"subscriptionType":"contact.creation"}]', timestamp: 1700000000000 },
    { method: 'POST', url: 'http://127.0.0.1:3000/hubspot/webhook?portal=42', body: '[]', timestamp: 1764400000123 },
    { method: 'GET', url: 'https://leads.example.com/hubspot/webhook', body: '', timestamp: 1 },
    { method: 'POST', url: 'https://leads.example.com/hubspot/webhook', body: '[{"propertyValue":"Müller & Söhne ✓"}]', timestamp: 1764400000999 },
  ];

  it.each(cases)('is what the library signs: $method $url', ({ method, url, body, timestamp }) => {
    const theirs = Signature.getSignature(method, 'v3', { clientSecret: secret, requestBody: body, url, timestamp, signature: '' });
    expect(signV3(secret, method, url, body, String(timestamp))).toBe(theirs);
  });

  it('decodes the characters HubSpot decodes in the URI before signing', () => {
    const raw = 'https://leads.example.com/hubspot/webhook?next=%2Fa%3Fb%3Ac%40d';
    const decoded = 'https://leads.example.com/hubspot/webhook?next=/a?b:c@d';
    expect(signV3(secret, 'POST', raw, '[]', '5')).toBe(Signature.getSignature('POST', 'v3', { clientSecret: secret, requestBody: '[]', url: decoded, timestamp: 5, signature: '' }));
  });

  const now = new Date(1764400000000);
  const request = (over: Partial<Parameters<typeof verifyV3>[0]> = {}) => {
    const base = { secret, method: 'POST', uri: 'https://x.example/hubspot/webhook', body: '[]', timestamp: String(now.getTime() - 1000), now };
    const signature = signV3(base.secret, base.method, base.uri, base.body, base.timestamp);
    return { ...base, signature, ...over };
  };

  it('takes a fresh request with the right signature', () => {
    expect(verifyV3(request())).toBe('ok');
  });

  it('refuses another body, another secret, another URI, or no signature', () => {
    expect(verifyV3({ ...request(), body: '[{}]' })).toBe('bad');
    expect(verifyV3({ ...request(), secret: 'another-secret-0000000' })).toBe('bad');
    expect(verifyV3({ ...request(), uri: 'https://evil.example/hubspot/webhook' })).toBe('bad');
    expect(verifyV3(request({ signature: undefined }))).toBe('missing');
    expect(verifyV3(request({ signature: 'short' }))).toBe('bad');
  });

  it('refuses a request older than five minutes, even signed right', () => {
    const old = String(now.getTime() - MAX_AGE_MS - 1);
    expect(verifyV3({ ...request({ timestamp: old }), signature: signV3(secret, 'POST', 'https://x.example/hubspot/webhook', '[]', old) })).toBe('stale');
    const fresh = String(now.getTime() - MAX_AGE_MS + 1000);
    expect(verifyV3({ ...request({ timestamp: fresh }), signature: signV3(secret, 'POST', 'https://x.example/hubspot/webhook', '[]', fresh) })).toBe('ok');
    expect(verifyV3(request({ timestamp: 'yesterday' }))).toBe('stale');
  });
});
