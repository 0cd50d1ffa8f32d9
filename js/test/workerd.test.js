// The package in Cloudflare's runtime: workerd (from npm) runs runtimes/workerd-worker.js, which
// signs inside the Worker and sends the request to this loopback server, which checks SigV4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { verifyingServer } from './helpers.js';

const workerd = fileURLToPath(new URL('../node_modules/.bin/workerd', import.meta.url));
const pkg = fileURLToPath(new URL('..', import.meta.url));

test('signs inside workerd, verified over loopback', { skip: !existsSync(workerd) && 'workerd is not installed (npm install in js/)' }, async () => {
  // The model `flaky` gets a 503 on its first request (the worker's retry path).
  let flaky = 0;
  const { server, port: verifierPort, verdicts: verified } = await verifyingServer('S', (req, res) => {
    if (!req.url.includes('/model/flaky/') || ++flaky > 1) return false;
    res.writeHead(503, { 'content-type': 'application/json', 'x-amzn-errortype': 'ServiceUnavailableException' });
    res.end('{"message":"try again"}');
    return true;
  });
  const workerPort = verifierPort + 1 + Math.floor(Math.random() * 1000);
  // workerd embeds files relative to its config: the worker, the package and its wasm beside it.
  const dir = mkdtempSync(join(tmpdir(), 'bedrock-request-workerd-'));
  copyFileSync(`${pkg}runtimes/workerd-worker.js`, join(dir, 'worker.js'));
  copyFileSync(`${pkg}dist/index.js`, join(dir, 'index.js'));
  copyFileSync(`${pkg}dist/bedrock_request.wasm`, join(dir, 'bedrock_request.wasm'));
  const config = join(dir, 'config.capnp');
  writeFileSync(config, `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "verifier", external = (address = "127.0.0.1:${verifierPort}", http = ())),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${workerPort}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "bedrock-request", esModule = embed "index.js"),
    (name = "bedrock_request.wasm", wasm = embed "bedrock_request.wasm"),
  ],
  compatibilityDate = "2024-09-01",
  bindings = [
    (name = "VERIFIER", service = "verifier"),
    (name = "ENDPOINT", text = "http://127.0.0.1:${verifierPort}"),
  ],
);
`);
  const child = spawn(workerd, ['serve', config], { stdio: ['ignore', 'inherit', 'inherit'] });
  try {
    let answer;
    for (let i = 0; i < 100 && !answer; i++) {
      await new Promise((r) => setTimeout(r, 100));
      answer = await fetch(`http://127.0.0.1:${workerPort}/?size=10`).catch(() => undefined);
    }
    assert.ok(answer, 'workerd did not start');
    assert.deepEqual(await answer.json(), { text: 'verified', value: { age: 7 } });
    const big = await fetch(`http://127.0.0.1:${workerPort}/?size=${300 * 1024}`);
    assert.deepEqual(await big.json(), { text: 'verified', value: { age: 7 } });
    const retried = await fetch(`http://127.0.0.1:${workerPort}/retry`);
    const { text, notes } = await retried.json();
    assert.equal(text, 'verified');
    assert.equal(flaky, 2);
    assert.equal(notes.length, 1);
    assert.match(notes[0], /attempt 2 of 3 .*503/);
    assert.deepEqual(verified, [true, true, true]);
  } finally {
    child.kill();
    server.close();
  }
});
