// Browser tests of Pi.Co.'s pages, run with `node --test` (see scripts/browser-tests).
//
// The suite starts `pico serve --demo` on a free loopback port with a fresh data directory,
// opens every page type in Debian's Chromium (through playwright-core) at a desktop and a
// phone viewport, and checks what a person and an assistive technology get: the HTTP status,
// no console errors or page errors (which is where Content-Security-Policy violations and
// broken assets show up), no WCAG 2.1 A/AA violation found by axe-core, Bootstrap Italia's CSS
// and the Titillium Web font really loaded, one <h1>, `lang="it"`. Every page is saved as a
// full-page screenshot under target/browser-screenshots/ for a person to look at. Forms sent
// with errors get the same checks on the page answered, and their invalid fields must be
// marked aria-invalid and point at a visible message.
//
// Environment: PICO_BIN (the server binary, default target/debug/pico of this repository),
// CHROMIUM (default /usr/bin/chromium).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const picoBin = path.resolve(repoRoot, process.env.PICO_BIN || path.join(repoRoot, 'target/debug/pico'));
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const screenshotDir = path.join(repoRoot, 'target/browser-screenshots');
const axeSource = await fs.readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const READY_TIMEOUT_MS = 60_000;
const TEST_TIMEOUT_MS = 90_000;

const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 375, height: 812 },
];

const PAGES = [
  { name: 'home', title: 'home nazionale', path: '/', status: 200 },
  { name: 'spazi', title: 'elenco degli spazi', path: '/spazi', status: 200 },
  { name: 'treviso', title: 'home della Provincia', path: '/treviso', status: 200 },
  { name: 'treviso-comuni', title: 'Comuni della Provincia', path: '/treviso/comuni', status: 200 },
  { name: 'accedi', title: 'accesso', path: '/accedi', status: 200 },
  { name: '404', title: 'pagina non trovata', path: '/pagina-che-non-esiste', status: 404 },
  { name: 'registrati', title: 'registrazione', path: '/registrati', status: 200 },
  { name: 'password-dimenticata', title: 'password dimenticata', path: '/password-dimenticata', status: 200 },
  { name: 'notizie', title: 'elenco delle notizie', path: '/treviso/notizie', status: 200 },
  { name: 'notizia', title: 'una notizia', path: '/treviso/notizie/lavori-di-manutenzione-sulla-strada-provinciale-102', status: 200 },
  { name: 'notizia-condivisa', title: 'una notizia condivisa da UPI', path: '/treviso/notizie/le-province-in-rete-su-pi-co', status: 200 },
  { name: 'eventi', title: 'eventi del mese', path: '/treviso/eventi', status: 200 },
  { name: 'evento', title: 'un evento', path: '/treviso/eventi/incontro-con-i-comuni-sui-fondi-europei', status: 200 },
  { name: 'pagina', title: 'una pagina', path: '/treviso/pagine/uffici-e-orari', status: 200 },
  { name: 'cerca', title: 'risultati della ricerca', path: '/cerca?q=strade', status: 200 },
  { name: 'contenuti', title: 'contenuti della redazione', path: '/treviso/gestione/contenuti', status: 200, login: 'admin.treviso@demo.pico.localhost' },
  { name: 'nuova-notizia', title: 'nuova notizia', path: '/treviso/gestione/contenuti/nuovo/news', status: 200, login: 'admin.treviso@demo.pico.localhost' },
  { name: 'nuovo-evento', title: 'nuovo evento', path: '/treviso/gestione/contenuti/nuovo/event', status: 200, login: 'admin.treviso@demo.pico.localhost' },
  { name: 'condivisi', title: 'contenuti condivisi', path: '/treviso/gestione/condivisi', status: 200, login: 'admin.treviso@demo.pico.localhost' },
  { name: 'link-utili', title: 'link utili', path: '/treviso/gestione/link', status: 200, login: 'admin.treviso@demo.pico.localhost' },
  { name: 'newsletter', title: 'iscrizione alla newsletter', path: '/treviso/newsletter', status: 200 },
  { name: 'newsletter-gestione', title: 'newsletter della redazione', path: '/treviso/newsletter/gestione', status: 200, login: 'admin.treviso@demo.pico.localhost' },
  { name: 'nuova-campagna', title: 'nuova campagna', path: '/treviso/newsletter/gestione/nuova', status: 200, login: 'admin.treviso@demo.pico.localhost' },
  { name: 'campagna', title: 'una campagna in bozza', path: '/treviso/newsletter/gestione/1', status: 200, login: 'admin.treviso@demo.pico.localhost' },
  { name: 'assistenza', title: 'le mie richieste di assistenza', path: '/treviso/helpdesk', status: 200, login: 'cittadino@demo.pico.localhost' },
  { name: 'assistenza-nuova', title: 'nuova richiesta di assistenza', path: '/treviso/helpdesk/nuovo?modulo=newsletter', status: 200, login: 'cittadino@demo.pico.localhost' },
  { name: 'assistenza-ticket', title: 'un ticket visto dal richiedente', path: '/treviso/helpdesk/ticket/1', status: 200, login: 'cittadino@demo.pico.localhost' },
  { name: 'assistenza-ticket-operatore', title: 'un ticket visto dall\'operatore', path: '/treviso/helpdesk/ticket/1', status: 200, login: 'helpdesk.treviso@demo.pico.localhost' },
  { name: 'assistenza-ticket-predefinita', title: 'un ticket con una risposta predefinita inserita', path: '/treviso/helpdesk/ticket/1?risposta=1', status: 200, login: 'helpdesk.treviso@demo.pico.localhost' },
  { name: 'assistenza-risposte', title: 'risposte predefinite', path: '/treviso/helpdesk/risposte', status: 200, login: 'helpdesk.treviso@demo.pico.localhost' },
  { name: 'assistenza-coda', title: 'coda dei ticket', path: '/treviso/helpdesk/coda', status: 200, login: 'helpdesk.treviso@demo.pico.localhost' },
  { name: 'assistenza-valutazione', title: 'un ticket risolto con la valutazione del richiedente', path: '/treviso/helpdesk/ticket/3', status: 200, login: 'cittadino@demo.pico.localhost' },
  { name: 'assistenza-rapporti', title: 'rapporti dell\'assistenza', path: '/treviso/helpdesk/rapporti', status: 200, login: 'helpdesk.treviso@demo.pico.localhost' },
  { name: 'assistenza-gestione', title: 'impostazioni dell\'assistenza', path: '/treviso/helpdesk/gestione', status: 200, login: 'admin.treviso@demo.pico.localhost' },
  { name: 'media', title: 'libreria dei media', path: '/treviso/gestione/media', status: 200, login: 'admin.treviso@demo.pico.localhost' },
  { name: 'media-carica', title: 'caricamento di un file', path: '/treviso/gestione/media/carica', status: 200, login: 'admin.treviso@demo.pico.localhost' },
  // Signed in with a demo account (`serve --demo`): a Province's administrator.
  { name: 'gestione', title: 'gestione dello spazio', path: '/treviso/gestione', status: 200, login: 'admin.treviso@demo.pico.localhost' },
  { name: 'profilo', title: 'profilo', path: '/profilo', status: 200, login: 'admin.treviso@demo.pico.localhost' },
  { name: 'enti', title: 'i miei Enti', path: '/profilo/enti?provincia=026', status: 200, login: 'cittadino@demo.pico.localhost' },
  { name: 'token', title: 'token per le API', path: '/profilo/token', status: 200, login: 'admin.treviso@demo.pico.localhost' },
  { name: 'dati', title: 'i miei dati', path: '/profilo/dati', status: 200, login: 'admin.treviso@demo.pico.localhost' },
  { name: 'lavori', title: 'lavori in background', path: '/gestione/lavori', status: 200, login: 'piattaforma@demo.pico.localhost' },
  { name: 'registro-piattaforma', title: 'registro della piattaforma', path: '/gestione/registro', status: 200, login: 'piattaforma@demo.pico.localhost' },
  { name: 'ruoli', title: 'ruoli e permessi', path: '/treviso/gestione/ruoli', status: 200, login: 'admin.treviso@demo.pico.localhost' },
  { name: 'richieste', title: 'richieste di adesione', path: '/treviso/gestione/richieste', status: 200, login: 'admin.treviso@demo.pico.localhost' },
  { name: 'registro', title: 'registro delle attività', path: '/treviso/gestione/registro', status: 200, login: 'admin.treviso@demo.pico.localhost' },
  // The SUA of Treviso (demo: four tenders in several phases, request n. 5 waiting).
  { name: 'convenzioni', title: 'convenzioni con gli Enti', path: '/treviso/gestione/convenzioni', status: 200, login: 'admin.treviso@demo.pico.localhost' },
  { name: 'sua', title: 'gare della SUA', path: '/treviso/sua', status: 200, login: 'sua.treviso@demo.pico.localhost' },
  { name: 'sua-richiesta-nuova', title: 'richiesta di gara su delega', path: '/treviso/sua/richieste/nuova', status: 200, login: 'ente.castelfranco@demo.pico.localhost' },
  { name: 'sua-richiesta', title: 'richiesta in attesa di decisione', path: '/treviso/sua/richieste/8', status: 200, login: 'sua.treviso@demo.pico.localhost' },
  { name: 'sua-gara', title: 'gara con le sue fasi', path: '/treviso/sua/gare/2', status: 200, login: 'sua.treviso@demo.pico.localhost' },
  { name: 'sua-gara-ente', title: 'gara vista dall\'Ente', path: '/treviso/sua/gare/4', status: 200, login: 'ente.castelfranco@demo.pico.localhost' },
  { name: 'sua-gara-aggiudicazione', title: 'gara con aggiudicatario e verifiche', path: '/treviso/sua/gare/5', status: 200, login: 'sua.treviso@demo.pico.localhost' },
  { name: 'sua-gara-lotti', title: 'gara aggregata in lotti', path: '/treviso/sua/gare/8', status: 200, login: 'sua.treviso@demo.pico.localhost' },
  { name: 'sua-rup', title: 'albo dei RUP', path: '/treviso/sua/rup', status: 200, login: 'sua.treviso@demo.pico.localhost' },
  { name: 'sua-campagne', title: 'campagne di raccolta dei fabbisogni', path: '/treviso/sua/campagne', status: 200, login: 'sua.treviso@demo.pico.localhost' },
  { name: 'sua-campagna', title: 'una campagna aperta', path: '/treviso/sua/campagne/2', status: 200, login: 'sua.treviso@demo.pico.localhost' },
  { name: 'sua-campagna-risposta', title: 'risposta di un Ente a una campagna', path: '/treviso/sua/campagne/2/risposta', status: 200, login: 'ente.castelfranco@demo.pico.localhost' },
  { name: 'sua-campagna-aggregato', title: 'aggregazione dei fabbisogni', path: '/treviso/sua/campagne/2/aggregato', status: 200, login: 'sua.treviso@demo.pico.localhost' },
  { name: 'assistenza-aiuto', title: 'richiesta di aiuto senza account', path: '/treviso/helpdesk/aiuto', status: 200 },
  { name: 'assistenza-faq', title: 'domande frequenti', path: '/treviso/helpdesk/faq', status: 200 },
  // Forms sent with errors: the page answered must tell every person, with any technology, what
  // is wrong and where. `submit` is done after opening `path`, and the checks run on the page it
  // leads to; `invalid` maps each field that must be marked invalid to the id of its message.
  {
    name: 'registrati-errori', title: 'registrazione inviata vuota', path: '/registrati', status: 422,
    submit: (page) => submitForm(page, 'form[action="/registrati"]'),
    invalid: { name: 'name-error', email: 'email-error', password: 'password-error', privacy: 'privacy-error' },
  },
  {
    name: 'newsletter-errori', title: 'iscrizione alla newsletter inviata vuota', path: '/treviso/newsletter', status: 422,
    submit: (page) => submitForm(page, 'form[action="/treviso/newsletter"]'),
    invalid: { email: 'email-error', privacy: 'privacy-error' },
  },
  {
    name: 'media-carica-errori', title: 'caricamento inviato senza file', path: '/treviso/gestione/media/carica', status: 422,
    login: 'admin.treviso@demo.pico.localhost',
    submit: (page) => submitForm(page, 'form[action="/treviso/gestione/media/carica"]'),
    invalid: { file: 'file-help' },
  },
  {
    name: 'assistenza-errori', title: 'richiesta di assistenza inviata vuota', path: '/treviso/helpdesk/nuovo', status: 422,
    login: 'cittadino@demo.pico.localhost',
    submit: (page) => submitForm(page, 'form[action="/treviso/helpdesk/nuovo"]'),
    invalid: { categoria: 'categoria-errore', oggetto: 'oggetto-errore', descrizione: 'descrizione-errore' },
  },
  {
    // The demo's category «Gare e appalti» asks for the tender's CIG (the first extra field).
    name: 'assistenza-cig-errato', title: 'richiesta di assistenza su una gara con un CIG errato', path: '/treviso/helpdesk/nuovo?modulo=sua', status: 422,
    login: 'ente.castelfranco@demo.pico.localhost',
    submit: async (page) => {
      await page.selectOption('#categoria', { label: 'Gare e appalti' });
      await page.fill('#campo_1', '12345');
      await page.fill('#oggetto', 'Offerta non caricata');
      await page.fill('#descrizione', 'Il portale rifiuta il file dell\'offerta.');
      return submitForm(page, 'form[action="/treviso/helpdesk/nuovo"]');
    },
    invalid: { campo_1: 'campo_1-errore' },
  },
  {
    name: 'profilo-codice-fiscale-errato', title: 'profilo con un codice fiscale errato', path: '/profilo', status: 422,
    login: 'cittadino@demo.pico.localhost',
    submit: async (page) => {
      await page.fill('#fiscal_code', 'RSSMRA80A01L219A');
      return submitForm(page, 'form[action="/profilo"]');
    },
    invalid: { fiscal_code: 'fiscal_code-error' },
  },
  {
    name: 'sua-richiesta-errori', title: 'richiesta di gara con un importo negativo', path: '/treviso/sua/richieste/nuova', status: 422,
    login: 'ente.castelfranco@demo.pico.localhost',
    submit: async (page) => {
      await page.fill('#object', 'Manutenzione delle strade comunali');
      await page.click('label[for="tipo-lavori"]');
      await page.fill('#amount', '-5.000,00');
      await page.fill('#cpv', '45233141-9');
      await page.selectOption('#procedure', 'negoziata');
      return submitForm(page, 'form[action="/treviso/sua/richieste/nuova"]');
    },
    invalid: { amount: 'amount-error' },
  },
];

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  // Nothing but the server under test can be reached: a page that loads anything from
  // elsewhere gets an error in the console, and so fails.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
];

// ---------------------------------------------------------------------------------------------
// The server and the browser, shared by every test of this file.

let server; // { child, baseUrl, dataDir, output() }
let browser;

before(async () => {
  await fs.access(picoBin).catch(() => {
    throw new Error(`server binary not found: ${picoBin} (build it, or set PICO_BIN)`);
  });
  await fs.access(chromiumPath).catch(() => {
    throw new Error(`Chromium not found: ${chromiumPath} (apt-get install chromium, or set CHROMIUM)`);
  });
  server = await startServer();
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS });
  await fs.mkdir(screenshotDir, { recursive: true });
}, { timeout: READY_TIMEOUT_MS + 30_000 });

after(async () => {
  await browser?.close().catch(() => {});
  if (server) {
    await stopServer(server.child);
    await fs.rm(server.dataDir, { recursive: true, force: true });
  }
});

async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function startServer() {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'pico-browser-'));
  // The server reads every PICO_* variable as configuration and refuses unknown ones (PICO_BIN
  // among them), so it gets only the three it needs from here.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PICO_')));
  Object.assign(env, { PICO_BIND: `127.0.0.1:${port}`, PICO_DATA_DIR: dataDir, PICO_BASE_URL: baseUrl, NO_COLOR: '1' });
  // Run in the data directory so that no pico.toml lying around in the work tree is read.
  // In a process group of its own, so that stopping it also stops anything it started.
  const child = spawn(picoBin, ['serve', '--demo'], { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  process.once('exit', () => { if (!child.stopped) signalGroup(child, 'SIGKILL'); });
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      if (!child.stopped) signalGroup(child, 'SIGTERM');
      process.exit(128 + os.constants.signals[signal]);
    });
  }
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  let exited = null;
  let spawnError = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });
  child.on('error', (e) => { spawnError = e; });
  const output = () => log.trim() || '(nothing)';
  const logLength = () => log.length;
  const logSince = (start) => log.slice(start);

  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer yet';
  while (true) {
    if (spawnError) throw new Error(`could not start ${picoBin}: ${spawnError.message}`);
    if (exited) {
      await stopServer(child);
      await fs.rm(dataDir, { recursive: true, force: true });
      throw new Error(`\`${picoBin} serve --demo\` exited (code ${exited.code}, signal ${exited.signal}) `
        + `before it was ready. Its output:\n${output()}`);
    }
    try {
      const res = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) break;
      last = `GET /readyz answered ${res.status}`;
    } catch (e) {
      last = `GET /readyz failed: ${e.cause?.code ?? e.message}`;
    }
    if (Date.now() > deadline) {
      await stopServer(child);
      await fs.rm(dataDir, { recursive: true, force: true });
      throw new Error(`the server was not ready after ${READY_TIMEOUT_MS / 1000} s (${last}). Its output:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { child, baseUrl, dataDir, output, logLength, logSince, exited: () => exited };
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

async function stopServer(child) {
  if (child.exitCode === null && child.signalCode === null) {
    const gone = new Promise((r) => child.once('exit', r));
    signalGroup(child, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  }
  signalGroup(child, 'SIGKILL'); // whatever it left behind
  child.stopped = true;
  child.stdout.destroy();
  child.stderr.destroy();
}

// ---------------------------------------------------------------------------------------------
// One page in one viewport.

/** Opens a page that records console errors (CSP violations among them), page errors and failed loads. */
async function openPage(viewport, { javaScriptEnabled = true } = {}) {
  const context = await browser.newContext({ viewport, locale: 'it-IT', javaScriptEnabled });
  const page = await context.newPage();
  const seen = { console: [], pageErrors: [], failedRequests: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') seen.console.push({ text: msg.text(), url: msg.location()?.url ?? '' });
  });
  page.on('pageerror', (err) => seen.pageErrors.push(err.stack || String(err)));
  const answeredWithError = new Set();
  page.on('response', (res) => {
    if (res.status() >= 400 && res.request().resourceType() !== 'document') {
      answeredWithError.add(res.url());
      seen.failedRequests.push(`${res.request().method()} ${res.url()}: HTTP ${res.status()}`);
    }
  });
  page.on('requestfailed', (req) => {
    // Chromium aborts the body of a resource answered with an error status: reported above.
    if (answeredWithError.has(req.url())) return;
    // ERR_ABORTED is the browser cancelling a load itself, e.g. the favicon of a page left by the
    // next navigation; a server failure shows as an error status or a connection error instead.
    if (req.failure()?.errorText === 'net::ERR_ABORTED') return;
    seen.failedRequests.push(`${req.method()} ${req.url()}: ${req.failure()?.errorText}`);
  });
  return { context, page, seen };
}

/** The console errors that are problems: all but the 404 page's own "Failed to load resource". */
function consoleProblems(seen, { expectedStatus, documentUrl }) {
  return seen.console
    .filter((m) => !(expectedStatus >= 400
      && m.url === documentUrl
      && m.text.startsWith('Failed to load resource: the server responded with a status of')))
    .map((m) => `console error: ${shorten(m.text)}${m.url ? ` (${shorten(m.url)})` : ''}`);
}

/** Cuts the long data: URLs that some messages quote. */
function shorten(text) {
  return text.replace(/data:[^\s'"()]{80,}/g, (d) => `${d.slice(0, 60)}…(${d.length} characters)`);
}

async function axeViolations(page) {
  // axe-core goes in through the DevTools protocol too, so the page's CSP does not stop it.
  await page.evaluate(axeSource);
  return page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return result.violations.map(({ id, impact, help, helpUrl, nodes }) => ({
      id, impact, help, helpUrl,
      nodes: nodes.map(({ target, html, failureSummary }) => ({ target, html, failureSummary })),
    }));
  }, AXE_TAGS);
}

function describeAxeViolations(violations) {
  return violations.map((v) => [
    `axe ${v.id} [${v.impact}] ${v.help} (${v.helpUrl})`,
    ...v.nodes.map((n) => `    target: ${JSON.stringify(n.target)}\n    html:   ${n.html}`
      + (n.failureSummary ? `\n    ${n.failureSummary.replace(/\n/g, '\n    ')}` : '')),
  ].join('\n'));
}

/** What the server logged since `start` that looks like an error, and whether it died. */
function serverProblems(start) {
  const problems = server.logSince(start).split('\n')
    .filter((line) => /\bERROR\b|panicked/.test(line))
    .map((line) => `server log: ${line.trim()}`);
  const exited = server.exited();
  if (exited) problems.push(`the server exited (code ${exited.code}, signal ${exited.signal}). Its output:\n${server.output()}`);
  return problems;
}

/** Each account's session cookies: it signs in through the form once, so that the login rate
 * limit per address (20, then one every 6 s) does not decide how many pages can be tested. */
const sessions = new Map();

/** Signs in through the login form, as a person would (once per account). */
async function signIn(page, email) {
  if (sessions.has(email)) {
    await page.context().addCookies(sessions.get(email));
    return;
  }
  await page.goto(`${server.baseUrl}/accedi`);
  await page.fill('#email', email);
  await page.fill('#password', 'demo-pico-2026');
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/accedi')), page.click('form[action="/accedi"] button[type=submit]')]);
  sessions.set(email, await page.context().cookies());
}

/** Presses the submit button of the form and returns the response to the page it posts. */
async function submitForm(page, formSelector) {
  const mainFrame = page.mainFrame();
  const responded = page.waitForResponse((r) => r.request().isNavigationRequest() && r.frame() === mainFrame);
  const navigated = page.waitForEvent('framenavigated', (f) => f === mainFrame);
  await page.click(`${formSelector} button[type=submit]`);
  const response = await responded;
  await navigated;
  await page.waitForLoadState('load');
  return response;
}

/**
 * `expected` maps the id of each field that must be marked aria-invalid="true" to the id of its
 * message: no other field may be marked, each must name its message in aria-describedby, and
 * the message must be there, visible, not empty and styled as an error (Bootstrap Italia's
 * .invalid-feedback).
 */
async function invalidFieldProblems(page, expected) {
  const found = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[aria-invalid="true"]')]
    .map((field) => [field.id || field.outerHTML.slice(0, 80), (field.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean)])));
  const messages = await page.evaluate((ids) => Object.fromEntries(ids.map((id) => {
    const el = document.getElementById(id);
    return [id, el && {
      text: el.textContent.trim(),
      visible: el.checkVisibility() && el.offsetHeight > 0,
      feedback: el.classList.contains('invalid-feedback'),
    }];
  })), Object.values(expected));
  const problems = [];
  for (const field of Object.keys(found)) {
    if (!(field in expected)) problems.push(`#${field} is marked aria-invalid="true", but only ${Object.keys(expected).map((i) => `#${i}`).join(', ')} should be`);
  }
  for (const [field, messageId] of Object.entries(expected)) {
    const describedBy = found[field];
    if (!describedBy) {
      problems.push(`#${field} is not marked aria-invalid="true"`);
    } else if (!describedBy.includes(messageId)) {
      problems.push(`#${field}: aria-describedby="${describedBy.join(' ')}" does not name its message #${messageId}`);
    }
    const message = messages[messageId];
    if (!message) problems.push(`#${field}: its message #${messageId} does not exist`);
    else if (!message.text) problems.push(`#${field}: its message #${messageId} is empty`);
    else if (!message.visible) problems.push(`#${field}: its message #${messageId} ("${message.text}") is not visible`);
    else if (!message.feedback) problems.push(`#${field}: #${messageId} ("${message.text}") is not an error message (class invalid-feedback)`);
  }
  return problems;
}

async function checkPage(spec, viewport) {
  const url = server.baseUrl + spec.path;
  const logStart = server.logLength();
  const { context, page, seen } = await openPage(viewport);
  const problems = [];
  try {
    if (spec.login) await signIn(page, spec.login);
    let response = await page.goto(url, { waitUntil: 'load' });
    if (spec.submit) {
      if (response?.status() !== 200) throw new Error(`GET ${spec.path} answered ${response?.status()}, expected 200 before submitting`);
      response = await spec.submit(page);
    }
    const status = response?.status();
    if (status !== spec.status) problems.push(`HTTP status ${status}, expected ${spec.status}`);

    // Lay the page out so that the fonts it uses start loading, then wait for them.
    const fonts = await page.evaluate(async () => {
      void document.body?.offsetHeight;
      await document.fonts.ready;
      const titillium = [...document.fonts].filter((f) => f.family.replace(/["']/g, '') === 'Titillium Web');
      return {
        check: document.fonts.check('16px "Titillium Web"'),
        loaded: titillium.filter((f) => f.status === 'loaded').map((f) => `${f.weight} ${f.style}`),
        failed: titillium.filter((f) => f.status === 'error').map((f) => `${f.weight} ${f.style}`),
        declared: titillium.length,
      };
    });
    await page.screenshot({ path: path.join(screenshotDir, `${spec.name}-${viewport.width}.png`), fullPage: true });

    const facts = await page.evaluate(() => ({
      biVersion: getComputedStyle(document.documentElement).getPropertyValue('--bootstrap-italia-version').trim(),
      h1: [...document.querySelectorAll('h1')].map((h) => h.textContent.trim().replace(/\s+/g, ' ')),
      lang: document.documentElement.getAttribute('lang'),
    }));

    const axe = await axeViolations(page);

    problems.push(...consoleProblems(seen, { expectedStatus: spec.status, documentUrl: response?.url() ?? url }));
    problems.push(...seen.pageErrors.map((e) => `page error: ${e}`));
    problems.push(...seen.failedRequests.map((r) => `failed request: ${shorten(r)}`));
    problems.push(...describeAxeViolations(axe));
    if (!facts.biVersion) problems.push('--bootstrap-italia-version is not set on <html>: Bootstrap Italia\'s CSS did not load');
    if (!fonts.check) problems.push('document.fonts.check(\'16px "Titillium Web"\') is false after document.fonts.ready');
    if (fonts.loaded.length === 0) {
      problems.push(`no Titillium Web face loaded (${fonts.declared} declared`
        + `${fonts.failed.length ? `, failed: ${fonts.failed.join(', ')}` : ''})`);
    } else if (fonts.failed.length) {
      problems.push(`Titillium Web faces failed to load: ${fonts.failed.join(', ')}`);
    }
    if (facts.h1.length !== 1) problems.push(`${facts.h1.length} <h1> elements, expected exactly one: ${JSON.stringify(facts.h1)}`);
    if (facts.lang !== 'it') problems.push(`<html lang="${facts.lang}">, expected lang="it"`);
    if (spec.invalid) problems.push(...await invalidFieldProblems(page, spec.invalid));
  } catch (e) {
    problems.push(`${e.stack || e}`);
  } finally {
    await context.close();
  }
  problems.push(...serverProblems(logStart));
  if (problems.length) {
    assert.fail(`${spec.submit ? 'submitted ' : ''}${spec.path} at ${viewport.width}×${viewport.height}: ${problems.length} problem(s)\n\n${problems.join('\n\n')}\n`);
  }
}

for (const spec of PAGES) {
  describe(`${spec.path} (${spec.title})`, () => {
    for (const viewport of VIEWPORTS) {
      test(`${spec.name} ${viewport.width}×${viewport.height}`, { timeout: TEST_TIMEOUT_MS }, () => checkPage(spec, viewport));
    }
  });
}

// ---------------------------------------------------------------------------------------------
// The filter of the directory of spaces: a plain form, so it must work without JavaScript too.

async function filterSpaces({ javaScriptEnabled }) {
  const logStart = server.logLength();
  const { context, page, seen } = await openPage({ width: 1280, height: 800 }, { javaScriptEnabled });
  try {
    const response = await page.goto(`${server.baseUrl}/spazi`, { waitUntil: 'load' });
    assert.equal(response?.status(), 200, 'GET /spazi');
    // The page's own filter, not the site search in the header.
    const form = page.locator('main form:has(input[name="q"])');
    assert.equal(await form.count(), 1, 'one form with an input named q in the main content of /spazi');
    await form.locator('input[name="q"]').fill('trev');
    const submit = form.locator('button[type="submit"], button:not([type]), input[type="submit"]');
    assert.ok(await submit.count() >= 1, 'the filter form has a submit button');
    await submit.first().click();
    await page.waitForLoadState('load');

    // Wait briefly for the result, whether it comes from a new page or from a script.
    const listing = () => page.evaluate(() => (document.querySelector('main') ?? document.body).innerText);
    const deadline = Date.now() + 5_000;
    let text = await listing();
    while (!(text.includes('Treviso') && !text.includes('Brescia')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      text = await listing();
    }
    assert.ok(text.includes('Treviso'), `"Treviso" is listed after filtering by "trev" (${page.url()}):\n${text}`);
    assert.ok(!text.includes('Brescia'), `"Brescia" is not listed after filtering by "trev" (${page.url()}):\n${text}`);

    const problems = [
      ...consoleProblems(seen, { expectedStatus: 200, documentUrl: '' }),
      ...seen.pageErrors.map((e) => `page error: ${e}`),
      ...seen.failedRequests.map((r) => `failed request: ${shorten(r)}`),
      ...serverProblems(logStart),
    ];
    if (problems.length) assert.fail(`errors while filtering /spazi:\n\n${problems.join('\n\n')}\n`);
  } finally {
    await context.close();
  }
}

describe('/spazi filtro "trev"', () => {
  test('spazi filtro con JavaScript', { timeout: TEST_TIMEOUT_MS }, () => filterSpaces({ javaScriptEnabled: true }));
  test('spazi filtro senza JavaScript', { timeout: TEST_TIMEOUT_MS }, () => filterSpaces({ javaScriptEnabled: false }));
});

// ---------------------------------------------------------------------------------------------
// The editor of a content's text (decision 0009): what a clerk does with its toolbar is what is
// stored, and without JavaScript the same field takes HTML.

async function writeNews({ javaScriptEnabled }) {
  const logStart = server.logLength();
  const { context, page, seen } = await openPage({ width: 1280, height: 800 }, { javaScriptEnabled });
  const problems = [];
  try {
    await signIn(page, 'admin.treviso@demo.pico.localhost');
    await page.goto(`${server.baseUrl}/treviso/gestione/contenuti/nuovo/news`, { waitUntil: 'load' });
    await page.fill('#title', `Orari estivi degli uffici ${javaScriptEnabled ? 'con' : 'senza'} JavaScript`);
    await page.fill('#summary', 'Gli orari di luglio e agosto.');
    if (javaScriptEnabled) {
      const text = page.getByRole('textbox', { name: 'Testo', exact: true });
      await text.click();
      await page.keyboard.type('Gli uffici restano aperti al mattino.');
      // Select "aperti" from the keyboard, then press the toolbar's bold button.
      await page.keyboard.press('Home');
      for (let i = 0; i < 'Gli uffici restano '.length; i++) await page.keyboard.press('ArrowRight');
      for (let i = 0; i < 'aperti'.length; i++) await page.keyboard.press('Shift+ArrowRight');
      await page.getByRole('button', { name: 'Grassetto' }).click();
      assert.equal(await page.getByRole('button', { name: 'Grassetto' }).getAttribute('aria-pressed'), 'true', 'the bold button shows it is on');
      await page.keyboard.press('End');
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: 'Tabella', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Inserisci una tabella' });
      await dialog.getByLabel('Righe, compresa quella di intestazione').fill('2');
      await dialog.getByLabel('Colonne').fill('2');
      await dialog.getByRole('button', { name: 'Inserisci' }).click();
      await page.keyboard.type('Giorno');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.type('Orario');
      await page.getByRole('button', { name: 'Aggiungi riga' }).click();
      await page.screenshot({ path: path.join(screenshotDir, 'editor-modulo.png'), fullPage: true });
      problems.push(...describeAxeViolations(await axeViolations(page)));
    } else {
      await page.fill('#body', '<p>Gli uffici restano <strong>aperti</strong> al mattino.</p>'
        + '<table><thead><tr><th>Giorno</th><th>Orario</th></tr></thead><tbody><tr><td></td><td></td></tr></tbody></table>');
    }
    await submitForm(page, 'main form:has(#title)');
    const refused = await page.locator('.alert-danger').allInnerTexts();
    assert.match(new URL(page.url()).pathname, /^\/treviso\/gestione\/contenuti\/\d+$/, `the draft is created ${refused}`);
    await page.getByRole('link', { name: 'Anteprima' }).click();
    await page.waitForLoadState('load');
    const stored = await page.evaluate(() => {
      const body = document.querySelector('.article-body');
      return {
        strong: [...body.querySelectorAll('strong')].map((e) => e.textContent),
        headers: [...body.querySelectorAll('table thead th')].map((e) => e.textContent),
        rows: body.querySelectorAll('table tbody tr').length,
        text: body.textContent,
      };
    });
    assert.deepEqual(stored.strong, ['aperti'], `one bold word in the stored text: ${stored.text}`);
    assert.deepEqual(stored.headers, ['Giorno', 'Orario'], 'the table\'s first row is its header');
    assert.equal(stored.rows, javaScriptEnabled ? 2 : 1, 'rows below the header');
    assert.ok(stored.text.includes('Gli uffici restano aperti al mattino.'), stored.text);
    await page.screenshot({ path: path.join(screenshotDir, `editor-anteprima-${javaScriptEnabled ? 'js' : 'nojs'}.png`), fullPage: true });
  } finally {
    await context.close();
  }
  problems.push(...journeyProblems(seen, logStart));
  if (problems.length) assert.fail(`problems while writing a news item:\n\n${problems.join('\n\n')}\n`);
}

// What went wrong along a journey through several pages: console, page and request errors,
// and the server's log since `logStart`.
function journeyProblems(seen, logStart) {
  return [
    ...consoleProblems(seen, { expectedStatus: 200, documentUrl: '' }),
    ...seen.pageErrors.map((e) => `page error: ${e}`),
    ...seen.failedRequests.map((r) => `failed request: ${shorten(r)}`),
    ...serverProblems(logStart),
  ];
}

// An image of the space's media library, chosen in the editor's dialog, goes into the text
// with the alternative text kept in the library.
async function imageFromLibrary() {
  const logStart = server.logLength();
  const { context, page, seen } = await openPage({ width: 1280, height: 800 });
  const problems = [];
  try {
    await signIn(page, 'admin.treviso@demo.pico.localhost');
    await page.goto(`${server.baseUrl}/treviso/gestione/media/carica`, { waitUntil: 'load' });
    // Any real PNG will do: a picture of the page itself.
    const png = await page.screenshot();
    await page.setInputFiles('#file', { name: 'sala-consiliare.png', mimeType: 'image/png', buffer: png });
    await page.fill('#alt', 'La sala del consiglio provinciale');
    await submitForm(page, 'main form[enctype="multipart/form-data"]');
    assert.equal(new URL(page.url()).pathname, '/treviso/gestione/media', 'the image is in the library');

    await page.goto(`${server.baseUrl}/treviso/gestione/contenuti/nuovo/news`, { waitUntil: 'load' });
    await page.fill('#title', 'Il consiglio si riunisce in sala');
    await page.fill('#summary', 'La seduta è pubblica.');
    await page.getByRole('textbox', { name: 'Testo', exact: true }).click();
    await page.getByRole('button', { name: 'Immagine', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Immagine' });
    // Bootstrap Italia draws the radio button on its label, which is what people click.
    await dialog.locator('label', { hasText: 'sala-consiliare.png' }).click();
    assert.ok(await dialog.getByRole('radio', { name: 'sala-consiliare.png' }).isChecked());
    assert.equal(await dialog.getByLabel('Testo alternativo').inputValue(), 'La sala del consiglio provinciale');
    assert.match(await dialog.getByLabel('Indirizzo dell\'immagine').inputValue(), /^\/media\/library\//);
    problems.push(...describeAxeViolations(await axeViolations(page)));
    await page.screenshot({ path: path.join(screenshotDir, 'editor-immagine-libreria.png'), fullPage: true });
    await dialog.getByRole('button', { name: 'Inserisci' }).click();
    await submitForm(page, 'main form:has(#title)');
    assert.match(new URL(page.url()).pathname, /^\/treviso\/gestione\/contenuti\/\d+$/, 'the draft is created');
    await page.getByRole('link', { name: 'Anteprima' }).click();
    await page.waitForLoadState('load');
    const image = page.locator('.article-body img');
    assert.equal(await image.getAttribute('alt'), 'La sala del consiglio provinciale');
    assert.ok(await image.evaluate((img) => img.complete && img.naturalWidth > 0), 'the image is shown');
  } finally {
    await context.close();
  }
  problems.push(...journeyProblems(seen, logStart));
  if (problems.length) assert.fail(`problems while choosing an image from the library:\n\n${problems.join('\n\n')}\n`);
}

describe('editor del testo di una notizia', () => {
  test('notizia scritta con l\'editor', { timeout: TEST_TIMEOUT_MS }, () => writeNews({ javaScriptEnabled: true }));
  test('notizia scritta in HTML senza JavaScript', { timeout: TEST_TIMEOUT_MS }, () => writeNews({ javaScriptEnabled: false }));
  test('immagine scelta dalla libreria dei media', { timeout: TEST_TIMEOUT_MS }, imageFromLibrary);
});

// ---------------------------------------------------------------------------------------------
// The public help form (no account): typing the subject suggests the FAQ entries that may
// already answer, and the request sent gives the private link to follow it.

async function helpWithoutAccount() {
  const logStart = server.logLength();
  const { context, page, seen } = await openPage({ width: 1280, height: 800 });
  const problems = [];
  try {
    await page.goto(`${server.baseUrl}/treviso/helpdesk/aiuto`, { waitUntil: 'load' });
    await page.fill('#oggetto', 'Non riesco a entrare con SPID');
    const suggestion = page.getByRole('link', { name: /Posso entrare con SPID o CIE\?/ });
    await suggestion.waitFor({ state: 'visible', timeout: 5_000 });
    assert.match(await suggestion.getAttribute('href'), /\/treviso\/helpdesk\/faq/);
    assert.match(await page.getByRole('status').filter({ hasText: 'domand' }).innerText(), /^1 domanda frequente/);
    problems.push(...describeAxeViolations(await axeViolations(page)));
    await page.screenshot({ path: path.join(screenshotDir, 'assistenza-aiuto-suggerimenti.png'), fullPage: true });

    await page.fill('#nome', 'Lucia Ferraro');
    await page.fill('#email', 'lucia.ferraro@example.it');
    const tenderFields = page.locator('fieldset[data-category-fields]', { hasText: 'Gare e appalti' });
    await page.selectOption('#categoria', { label: 'Gare e appalti' });
    assert.ok(await tenderFields.isVisible(), 'the chosen category\'s extra fields are shown');
    await page.selectOption('#categoria', { label: 'Accesso e registrazione' });
    assert.ok(await tenderFields.isHidden(), 'another category\'s extra fields are hidden');
    await page.fill('#descrizione', 'Dopo l\'accesso con SPID torno alla pagina di accesso.');
    await submitForm(page, 'main form[action="/treviso/helpdesk/aiuto"]');
    const text = await page.locator('main').innerText();
    assert.match(text, /Richiesta inviata/, `the request is confirmed:\n${text}`);
    problems.push(...describeAxeViolations(await axeViolations(page)));
  } finally {
    await context.close();
  }
  problems.push(...journeyProblems(seen, logStart));
  if (problems.length) assert.fail(`problems with the public help form:\n\n${problems.join('\n\n')}\n`);
}

// An Ente answers a needs-collection campaign: its draft comes back, a quantity in Italian
// format is saved, and the operator's aggregation counts only what was sent.

async function answerCampaign() {
  const logStart = server.logLength();
  const { context, page, seen } = await openPage({ width: 1280, height: 800 });
  const problems = [];
  try {
    await signIn(page, 'ente.castelfranco@demo.pico.localhost');
    await page.goto(`${server.baseUrl}/treviso/sua/campagne/2/risposta`, { waitUntil: 'load' });
    const first = page.locator('main input[name^="quantita-"]').first();
    assert.equal(await first.inputValue(), '600', 'the saved draft is shown');
    await first.fill('-3');
    await page.getByRole('button', { name: /bozza/i }).click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('main').innerText(), /non può essere negativa/, 'a negative quantity is refused');
    assert.equal(await first.getAttribute('aria-invalid'), 'true');
    problems.push(...describeAxeViolations(await axeViolations(page)));
    await page.screenshot({ path: path.join(screenshotDir, 'sua-campagna-risposta-errore.png'), fullPage: true });
  } finally {
    await context.close();
  }
  // The form sent with a negative quantity is answered 422, on purpose.
  problems.push(
    ...consoleProblems(seen, { expectedStatus: 422, documentUrl: `${server.baseUrl}/treviso/sua/campagne/2/risposta` }),
    ...seen.pageErrors.map((e) => `page error: ${e}`),
    ...seen.failedRequests.map((r) => `failed request: ${shorten(r)}`),
    ...serverProblems(logStart),
  );
  if (problems.length) assert.fail(`problems answering a campaign:\n\n${problems.join('\n\n')}\n`);
}

describe('moduli dell\'assistenza e della SUA', () => {
  test('richiesta di aiuto senza account con le domande frequenti suggerite', { timeout: TEST_TIMEOUT_MS }, helpWithoutAccount);
  test('risposta di un Ente a una campagna con una quantità sbagliata', { timeout: TEST_TIMEOUT_MS }, answerCampaign);
});
