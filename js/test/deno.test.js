// The package under Deno (its npm package ships the binary): runtimes/deno-check.js signs
// inside Deno and sends to this loopback server, which checks SigV4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { verifySigV4 } from './helpers.js';

const deno = fileURLToPath(new URL('../node_modules/.bin/deno', import.meta.url));
const script = fileURLToPath(new URL('../runtimes/deno-check.js', import.meta.url));

test('signs inside Deno, verified over loopback', { skip: !existsSync(deno) && 'deno is not installed (npm install in js/)' }, async () => {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const headers = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i].toLowerCase(), req.rawHeaders[i + 1]]);
      const verdict = verifySigV4({ method: req.method, url: `http://${req.headers.host}${req.url}`, headers, body: Buffer.concat(chunks) }, 'S');
      res.writeHead(verdict.valid ? 200 : 403, { 'content-type': 'application/json' });
      res.end(verdict.valid
        ? JSON.stringify({ output: { message: { role: 'assistant', content: [{ text: 'verified' }] } }, stopReason: 'end_turn' })
        : JSON.stringify({ message: verdict.why }));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${server.address().port}`;
  try {
    const out = await new Promise((resolve, reject) => {
      execFile(deno, ['run', '--no-prompt', '--allow-read', `--allow-net=127.0.0.1`, script, endpoint],
        { env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
    });
    assert.deepEqual(JSON.parse(out), ['verified', 'verified']);
  } finally {
    server.close();
  }
});
