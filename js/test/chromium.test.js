// The package in a real browser: Debian's headless Chromium loads runtimes/browser.html from
// this loopback server, which also checks the SigV4 of what the page sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

import { verifyingServer } from './helpers.js';

const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const pkg = new URL('..', import.meta.url);
const types = { '.js': 'text/javascript', '.html': 'text/html', '.wasm': 'application/wasm' };

test('signs inside headless Chromium, verified over loopback', { skip: !chromium && 'Chromium is not installed (apt-get install chromium)' }, async () => {
  let resolveResult;
  const result = new Promise((r) => { resolveResult = r; });
  // The page and the package's files, and the page's report, beside the checked requests.
  const files = (req, res, body) => {
    if (req.method === 'GET') {
      const path = new URL(req.url, 'http://x').pathname;
      const allowed = path.startsWith('/src/') || path.startsWith('/dist/') || path === '/runtimes/browser.html';
      if (!allowed || path.includes('..')) {
        res.writeHead(404).end();
      } else {
        res.writeHead(200, { 'content-type': types[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream' });
        res.end(readFileSync(new URL(`.${path}`, pkg)));
      }
      return true;
    }
    if (req.url === '/result') {
      resolveResult(JSON.parse(body));
      res.end();
      return true;
    }
    return false;
  };
  const { server, port, verdicts: verified } = await verifyingServer('S', files);
  const page = `http://127.0.0.1:${port}/runtimes/browser.html`;
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
