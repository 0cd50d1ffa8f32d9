// The package in a real browser: Debian's headless Chromium loads runtimes/browser.html from
// this loopback server, which also checks the SigV4 of what the page sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

import { verifySigV4 } from './helpers.js';

const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const pkg = new URL('..', import.meta.url);
const types = { '.js': 'text/javascript', '.html': 'text/html', '.wasm': 'application/wasm' };

test('signs inside headless Chromium, verified over loopback', { skip: !chromium && 'Chromium is not installed (apt-get install chromium)' }, async () => {
  let resolveResult;
  const result = new Promise((r) => { resolveResult = r; });
  const verified = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method === 'GET') {
        const path = new URL(req.url, 'http://x').pathname;
        const allowed = path.startsWith('/src/') || path.startsWith('/dist/') || path === '/runtimes/browser.html';
        if (!allowed || path.includes('..')) { res.writeHead(404).end(); return; }
        res.writeHead(200, { 'content-type': types[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream' });
        res.end(readFileSync(new URL(`.${path}`, pkg)));
        return;
      }
      if (req.url === '/result') { resolveResult(JSON.parse(body)); res.end(); return; }
      const headers = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i].toLowerCase(), req.rawHeaders[i + 1]]);
      const verdict = verifySigV4({ method: req.method, url: `http://${req.headers.host}${req.url}`, headers, body }, 'S');
      verified.push(verdict.valid || verdict.why);
      res.writeHead(verdict.valid ? 200 : 403, { 'content-type': 'application/json' });
      res.end(verdict.valid
        ? JSON.stringify({ output: { message: { role: 'assistant', content: [{ text: 'verified' }] } }, stopReason: 'end_turn' })
        : JSON.stringify({ message: verdict.why }));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const page = `http://127.0.0.1:${server.address().port}/runtimes/browser.html`;
  const browser = spawn(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--user-data-dir=' + `/tmp/bedrock-request-chromium-${process.pid}`, page], { stdio: 'ignore' });
  try {
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('no result from the page in 60 s')), 60_000));
    const got = await Promise.race([result, timeout]);
    assert.deepEqual(got, { texts: ['verified', 'verified'], value: { age: 7 } });
    assert.deepEqual(verified, [true, true]);
  } finally {
    browser.kill();
    server.close();
  }
});
