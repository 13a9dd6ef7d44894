// A SPID-like OpenID Provider for pico-oidc's end-to-end tests, built on panva's oidc-provider.
//
//   node tests/oidc/provider.mjs --port P --client-jwks FILE_OR_JSON --client-id ID --redirect-uri URI
//
// Prints `READY http://127.0.0.1:P` once listening on 127.0.0.1. Two static clients are registered:
// ID (the RP under test) and `ID-short`, identical but with a 1-second authorization code, so a test
// can present an expired code. Login and consent are two plain HTML forms (own routes instead of
// devInteractions, because the login must set `acr`): POST `login=<fiscal code>` then POST consent.
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    'client-jwks': { type: 'string' },
    'client-id': { type: 'string' },
    'redirect-uri': { type: 'string' },
  },
});
for (const name of ['port', 'client-jwks', 'client-id', 'redirect-uri']) {
  if (!args[name]) {
    console.error(`provider.mjs: --${name} is required`);
    process.exit(2);
  }
}

const port = Number(args.port);
const clientJwks = JSON.parse(existsSync(args['client-jwks'])
  ? readFileSync(args['client-jwks'], 'utf8')
  : args['client-jwks']);

const SPID = 'https://www.spid.gov.it/';
const ACR_VALUES = [`${SPID}SpidL1`, `${SPID}SpidL2`, `${SPID}SpidL3`];
const FISCAL_NUMBER = 'https://attributes.eid.gov.it/fiscal_number';

// Test identities, keyed by fiscal code (what the user types as "login").
const ACCOUNTS = {
  RSSMRA80A01L219M: { given_name: 'Mario', family_name: 'Rossi', email: 'mario.rossi@example.it' },
  VRDGPP70B41F205X: { given_name: 'Giuseppina', family_name: 'Verdi', email: 'giuseppina.verdi@example.it' },
};

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const opKey = { ...privateKey.export({ format: 'jwk' }), kid: 'op-sig-1', use: 'sig', alg: 'RS256' };
const { d, p, q, dp, dq, qi, ...opPublicKey } = opKey;
const pairwiseSalt = randomBytes(16).toString('hex');

const client = (clientId) => ({
  client_id: clientId,
  redirect_uris: [args['redirect-uri']],
  response_types: ['code'],
  grant_types: ['authorization_code'],
  token_endpoint_auth_method: 'private_key_jwt',
  token_endpoint_auth_signing_alg: 'RS256',
  jwks: clientJwks,
  request_object_signing_alg: 'RS256',
  id_token_signed_response_alg: 'RS256',
  userinfo_signed_response_alg: 'RS256',
  userinfo_encrypted_response_alg: 'RSA-OAEP',
  userinfo_encrypted_response_enc: 'A256CBC-HS512',
  subject_type: 'pairwise',
});
const shortClientId = `${args['client-id']}-short`;

const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: [client(args['client-id']), client(shortClientId)],
  jwks: { keys: [opKey] },
  // SPID publishes the OP keys inline in its metadata rather than at jwks_uri.
  discovery: { jwks: { keys: [opPublicKey] } },
  acrValues: ACR_VALUES,
  subjectTypes: ['pairwise'],
  async pairwiseIdentifier(ctx, accountId, cl) {
    return createHash('sha256').update(`${cl.sectorIdentifier}|${accountId}|${pairwiseSalt}`).digest('hex');
  },
  pkce: { required: () => true },
  clientAuthMethods: ['private_key_jwt'],
  responseTypes: ['code'],
  scopes: ['openid', 'profile', 'email'],
  claims: {
    acr: null,
    iss: null,
    sid: null,
    auth_time: null,
    openid: ['sub'],
    profile: ['given_name', 'family_name', FISCAL_NUMBER],
    email: ['email'],
  },
  enabledJWA: {
    requestObjectSigningAlgValues: ['RS256', 'RS512'],
    clientAuthSigningAlgValues: ['RS256', 'RS512'],
  },
  features: {
    devInteractions: { enabled: false },
    requestObjects: { enabled: true, requireSignedRequestObject: true },
    encryption: { enabled: true },
    claimsParameter: { enabled: true },
    jwtUserinfo: { enabled: true },
  },
  ttl: {
    AuthorizationCode: (ctx, code, cl) => (cl.clientId === shortClientId ? 1 : 60),
    AccessToken: 600,
    IdToken: 600,
    Interaction: 600,
    Session: 600,
    Grant: 600,
  },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  async findAccount(ctx, accountId) {
    const person = ACCOUNTS[accountId];
    if (!person) return undefined;
    return {
      accountId,
      async claims() {
        return { sub: accountId, [FISCAL_NUMBER]: `TINIT-${accountId}`, ...person };
      },
    };
  },
  async renderError(ctx, out) {
    ctx.type = 'json';
    ctx.body = out;
  },
});

const page = (title, body) => `<!doctype html><html lang="en"><head><title>${title}</title></head>`
  + `<body><h1>${title}</h1>${body}</body></html>`;

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

async function interaction(req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  const { prompt, params, session, grantId } = details;

  if (req.method === 'GET') {
    const action = `/interaction/${uid}`;
    const html = prompt.name === 'login'
      ? page('Login', `<form method="post" action="${action}"><input type="hidden" name="prompt" value="login">`
        + '<label>Codice fiscale <input name="login" required></label><button>Entra</button></form>')
      : page('Consent', `<form method="post" action="${action}"><input type="hidden" name="prompt" value="consent">`
        + '<button>Acconsento</button></form>');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html);
    return;
  }

  const form = await readForm(req);
  if (form.get('prompt') === 'login' && prompt.name === 'login') {
    const accountId = (form.get('login') || '').trim().toUpperCase();
    if (!ACCOUNTS[accountId]) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('unknown account');
      return;
    }
    // The first requested level, as if the user authenticated exactly at the preferred one.
    const acr = (params.acr_values || ACR_VALUES[1]).split(' ')[0];
    await provider.interactionFinished(req, res, { login: { accountId, acr, remember: false } }, {
      mergeWithLastSubmission: false,
    });
  } else if (form.get('prompt') === 'consent' && prompt.name === 'consent') {
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, {
      mergeWithLastSubmission: true,
    });
  } else {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end(`unexpected submission for prompt ${prompt.name}`);
  }
}

const callback = provider.callback();
const server = createServer((req, res) => {
  const match = /^\/interaction\/([\w-]+)$/.exec(new URL(req.url, issuer).pathname);
  if (!match) {
    callback(req, res);
    return;
  }
  interaction(req, res, match[1]).catch((err) => {
    console.error(err);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(String(err));
  });
});

server.listen(port, '127.0.0.1', () => console.log(`READY ${issuer}`));
