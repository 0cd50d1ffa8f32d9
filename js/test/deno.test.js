// The package under Deno (its npm package ships the binary): runtimes/deno-check.js signs
// inside Deno and sends to this loopback server, which checks SigV4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { verifyingServer } from './helpers.js';

const deno = fileURLToPath(new URL('../node_modules/.bin/deno', import.meta.url));
const script = fileURLToPath(new URL('../runtimes/deno-check.js', import.meta.url));

test('signs inside Deno, verified over loopback', { skip: !existsSync(deno) && 'deno is not installed (npm install in js/)' }, async () => {
  const { server, port, verdicts } = await verifyingServer('S');
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    const out = await new Promise((resolve, reject) => {
      execFile(deno, ['run', '--no-prompt', '--allow-read', `--allow-net=127.0.0.1`, script, endpoint],
        { env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
    });
    assert.deepEqual(JSON.parse(out), ['verified', 'verified']);
    assert.deepEqual(verdicts, [true, true]);
  } finally {
    server.close();
  }
});
