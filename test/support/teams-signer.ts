// Signs activities as the Bot Framework Connector does (an RS256 JWT in the Authorization header),
// with a key of its own that it publishes as OpenID metadata on 127.0.0.1. Start leadrelay with
// `teamsAuth: signer.auth` and the real botbuilder checks these tokens exactly as Microsoft's:
// issuer, audience (the app id), the serviceurl claim against the activity, the key's endorsement
// for the channel, expiry.
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TeamsSigner {
  /** For startApp({ teamsAuth }): botbuilder's public-cloud settings, with these keys. */
  auth: Record<string, string | boolean>;
  /** `Bearer …` for an activity with this serviceUrl, to an app; `key: 'other'` signs with a key nobody published. */
  authorization(serviceUrl: string, appId: string, opts?: { key?: 'other'; issuer?: string }): string;
  close(): Promise<void>;
}

const ISSUER = 'https://api.botframework.com';
const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

function jwt(claims: object, key: KeyObject, kid: string): string {
  const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const body = b64url(JSON.stringify(claims));
  return `${head}.${body}.${b64url(sign('sha256', Buffer.from(`${head}.${body}`), key))}`;
}

export async function startTeamsSigner(): Promise<TeamsSigner> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const kid = `leadrelay-test-${Date.now()}`;
  const jwk = publicKey.export({ format: 'jwk' });
  let base = '';
  const server = http.createServer((req, res) => {
    const body = req.url === '/keys'
      ? { keys: [{ kty: 'RSA', use: 'sig', kid, n: jwk.n, e: jwk.e, endorsements: ['msteams'] }] }
      : { issuer: ISSUER, jwks_uri: `${base}/keys`, id_token_signing_alg_values_supported: ['RS256'] };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    // Any of these set makes botbuilder take all of them as given (the public cloud's values).
    auth: {
      ValidateAuthority: true,
      ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
      ToChannelFromBotOAuthScope: 'https://api.botframework.com',
      ToBotFromChannelTokenIssuer: ISSUER,
      OAuthUrl: 'https://api.botframework.com',
      ToBotFromChannelOpenIdMetadataUrl: `${base}/openid-configuration`,
      ToBotFromEmulatorOpenIdMetadataUrl: `${base}/openid-configuration`,
      CallerId: 'urn:botframework:azure',
    },
    authorization(serviceUrl, appId, opts = {}) {
      const now = Math.floor(Date.now() / 1000);
      const claims = { iss: opts.issuer ?? ISSUER, aud: appId, serviceurl: serviceUrl, nbf: now - 60, iat: now - 60, exp: now + 3600 };
      return `Bearer ${jwt(claims, opts.key === 'other' ? other : privateKey, kid)}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
