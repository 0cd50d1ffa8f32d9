import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import {
  init, signConverse, buildRequest, signRequest, parseResponse, structured, PartialValues,
  ConverseStreamDecoder, decodeStream, BedrockRequestError, resolveCredentials, CredentialChain,
  moduleMemoryBytes,
} from 'bedrock-request';
import { vectors, verifySigV4, verifyingServer, eventFrame, root } from './helpers.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const TIME = new Date(Date.UTC(2015, 7, 30, 12, 36, 0));
const text = (bytes) => new TextDecoder().decode(bytes);

test('init is idempotent', async () => {
  await init();
  await init();
});

test('every botocore vector is signed as botocore signs it', async () => {
  let checked = 0;
  for (const v of vectors()) {
    const op = v.input.operation;
    const signed = await signConverse({
      options: v.input.options, messages: v.input.messages, tools: v.input.tools, env: v.input.env,
      time: TIME, stream: op === 'converse-stream', countTokens: op === 'count-tokens',
    });
    assert.equal(signed.url, v.botocore.url, v.name);
    assert.equal(text(signed.body), v.botocore.body_text, v.name);
    assert.deepEqual(signed.headers, v.botocore.headers, v.name);
    checked++;
  }
  assert.ok(checked >= 18, `${checked}`);
});

test('a large prompt is spliced and hashed by the host, and the bytes are the crate\'s', async () => {
  await init();
  const big = `Résumé "quoted"\n\ttabbed ${'x'.repeat(200 * 1024)} 🎉 end`;
  const args = {
    options: { model: 'anthropic.claude-3-haiku-20240307-v1:0', region: 'us-east-1' },
    messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: [{ type: 'text', text: big }] }],
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET },
    time: TIME,
  };
  const request = buildRequest(args);
  assert.equal(request.spliced, true);
  const body = JSON.parse(text(request.body));
  assert.equal(body.messages[0].content[0].text, big);
  assert.deepEqual(body.system, [{ text: 'Be brief.' }]);
  // The crate escapes as JSON.stringify does: the same bytes as without splicing.
  const whole = JSON.stringify({ messages: [{ role: 'user', content: [{ text: big }] }], system: [{ text: 'Be brief.' }] });
  assert.equal(text(request.body), whole);
  const signed = await signRequest(request, args);
  const verdict = verifySigV4(signed, SECRET);
  assert.ok(verdict.valid, verdict.why);
});

test('a loopback server that checks SigV4 accepts the request fetch sends', async () => {
  const { server, port, verdicts } = await verifyingServer('S');
  try {
    for (const size of [10, 300 * 1024]) {
      const signed = await signConverse({
        options: { model: 'm', region: 'us-east-1', endpoint_url: `http://127.0.0.1:${port}` },
        messages: [{ role: 'user', content: 'y'.repeat(size) }],
        credentials: { accessKeyId: 'AKID', secretAccessKey: 'S' },
        time: new Date(),
      });
      const res = await fetch(signed.url, { method: signed.method, headers: signed.headers, body: signed.body });
      const parsed = parseResponse({ status: res.status, headers: res.headers, body: new Uint8Array(await res.arrayBuffer()) });
      assert.equal(parsed.completion.text, 'verified', `${size}`);
    }
    assert.deepEqual(verdicts, [true, true]);
  } finally {
    server.close();
  }
});

test('errors are BedrockRequestError with the crate\'s kind and message', async () => {
  await init();
  await assert.rejects(
    signConverse({ options: { region: 'us-east-1' }, messages: [{ role: 'user', content: 'hi' }], time: TIME }),
    (e) => e instanceof BedrockRequestError && e.kind === 'Config' && e.message === 'model_id is required',
  );
  assert.throws(
    () => parseResponse({ status: 429, headers: [['x-amzn-errortype', 'ThrottlingException']], body: '{"message":"slow down"}' }),
    (e) => e.kind === 'Aws' && e.aws.code === 'ThrottlingException' && e.aws.retryable === true,
  );
});

test('a reply parses into the completion and the turn to append', async () => {
  await init();
  const body = readFileSync(new URL('vectors/responses/agent-loop-turn-1.json', root));
  const parsed = parseResponse({ status: 200, body });
  const reply = JSON.parse(text(body));
  assert.deepEqual(parsed.message, reply.output.message);
  assert.equal(parsed.completion.stop_reason, 'tool_use');
  assert.equal(parsed.completion.tool_calls[0].name, 'get_weather');
  assert.deepEqual(parseResponse({ status: 200, body: '{"inputTokens": 42}', countTokens: true }), { inputTokens: 42 });
});

test('a ConverseStream body decodes from ReadableStream chunks', async () => {
  await init();
  const events = JSON.parse(readFileSync(new URL('vectors/responses/agent-loop-turn-1.stream.json', root), 'utf8'));
  const bytes = Buffer.concat(events.map(([type, payload]) => eventFrame(type, payload)));
  const readable = new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 7) controller.enqueue(new Uint8Array(bytes.subarray(i, i + 7)));
      controller.close();
    },
  });
  const seen = [];
  const gen = decodeStream(readable);
  let step;
  while (!(step = await gen.next()).done) seen.push(step.value.type);
  const whole = JSON.parse(readFileSync(new URL('vectors/responses/agent-loop-turn-1.json', root), 'utf8'));
  assert.deepEqual(step.value.message, whole.output.message);
  assert.ok(seen.includes('text') && seen.includes('messageStop'));
  const d = new ConverseStreamDecoder();
  assert.throws(() => d.push(Uint8Array.of(0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4)), (e) => e instanceof BedrockRequestError);
});

test('every stream event reaches JS with its fields (the AWS-shaped recordings)', async () => {
  await init();
  for (const name of ['agent-loop-turn-1', 'grounded-answer']) {
    const frames = JSON.parse(readFileSync(new URL(`vectors/responses/${name}.stream.json`, root), 'utf8'));
    const d = new ConverseStreamDecoder();
    const events = d.push(new Uint8Array(Buffer.concat(frames.map(([type, payload]) => eventFrame(type, payload)))));
    d.finish();
    assert.equal(events.length, frames.length, name);
    frames.forEach(([type, payload], i) => {
      const e = events[i];
      assert.ok(!['other', 'unknown'].includes(e.type), `${name} frame ${i}: ${e.type}`);
      if ('contentBlockIndex' in payload) assert.equal(e.index, payload.contentBlockIndex);
      const delta = payload.delta ?? {};
      const start = payload.start ?? {};
      if (delta.text !== undefined) assert.deepEqual([e.type, e.text], ['text', delta.text]);
      if (delta.toolUse) assert.deepEqual([e.type, e.input], ['toolInput', delta.toolUse.input]);
      if (delta.toolResult) assert.deepEqual([e.type, e.content], ['toolResult', delta.toolResult]);
      if (delta.citation) assert.deepEqual([e.type, e.citation], ['citation', delta.citation]);
      const r = delta.reasoningContent;
      if (r?.text !== undefined) assert.deepEqual([e.type, e.text], ['reasoning', r.text]);
      if (r?.signature) assert.deepEqual([e.type, e.signature], ['reasoningSignature', r.signature]);
      if (r?.redactedContent) {
        assert.equal(e.type, 'reasoningRedacted');
        assert.deepEqual(e.data, new Uint8Array(Buffer.from(r.redactedContent, 'base64')));
      }
      if (start.toolUse) assert.deepEqual([e.type, e.id, e.name], ['toolUseStart', start.toolUse.toolUseId, start.toolUse.name]);
      if (start.toolResult) assert.deepEqual([e.type, e.toolUseId, e.status], ['toolResultStart', start.toolResult.toolUseId, start.toolResult.status]);
      if (type === 'messageStop') assert.deepEqual([e.type, e.stopReason], ['messageStop', payload.stopReason]);
      if (type === 'metadata') {
        assert.equal(e.type, 'metadata');
        // camelCase, as every event field and as Bedrock's wire names it.
        assert.equal(e.usage.inputTokens, payload.usage.inputTokens);
        assert.equal(e.usage.outputTokens, payload.usage.outputTokens);
        assert.equal(e.usage.totalTokens, payload.usage.totalTokens);
        assert.equal(e.usage.cacheReadInputTokens, payload.usage.cacheReadInputTokens ?? null);
        assert.ok(!('input_tokens' in e.usage));
        assert.equal(e.latencyMs, payload.metrics?.latencyMs ?? null);
        assert.equal(e.serviceTier, payload.serviceTier?.type ?? null);
        assert.equal(e.performanceLatency, payload.performanceConfig?.latency ?? null);
      }
    });
  }
});

test('structured parsing matches BAML on its own cases', async () => {
  await init();
  const doc = JSON.parse(readFileSync(new URL('vectors/structured/cases.json', root), 'utf8'));
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b) || (typeof a === 'number' && a === b)
    || (a && b && typeof a === 'object' && typeof b === 'object' && Object.keys(a).length === Object.keys(b).length
      && Object.keys(a).every((k) => same(a[k], b[k])));
  for (const c of doc.cases) {
    const schema = doc.schemas[c.type];
    const want = c.ours ? c.ours.value : c.value;
    if (want === undefined) {
      assert.throws(() => structured(c.text, schema, { partial: c.partial }), (e) => e.kind === 'StructuredOutput', c.text);
    } else {
      assert.ok(same(structured(c.text, schema, { partial: c.partial }), want), `${c.type} ${JSON.stringify(c.text)}`);
    }
  }
  const values = new PartialValues(doc.schemas.Ints);
  assert.deepEqual(values.push('[1, 2'), [1]);
  assert.deepEqual(values.push(', 3]'), [1, 2, 3]);
  // A long stream is not parsed again at every delta: the work stays linear.
  const long = new PartialValues(doc.schemas.Ints);
  let computed = 0;
  long.push('[');
  for (let i = 0; i < 20000; i++) if (long.push(`${i}, `) !== undefined) computed++;
  assert.ok(computed < 3000, `${computed}`);
  assert.equal(long.finish().length, 20000);
});

test('the credential chain runs with the host\'s I/O: environment, profiles, a container endpoint', async () => {
  const options = { model: 'm', region: 'us-east-1' };
  const quiet = { AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/fake/config', AWS_SHARED_CREDENTIALS_FILE: '/fake/credentials' };
  const fromEnv = await resolveCredentials({ options, env: { ...quiet, AWS_ACCESS_KEY_ID: 'AKENV', AWS_SECRET_ACCESS_KEY: 'SENV' } });
  assert.equal(fromEnv.source, 'environment');
  assert.equal(fromEnv.credentials.accessKeyId, 'AKENV');
  // A profile from files the host reads (here a map; Node would use fs).
  const files = {
    '/fake/credentials': '[work]\naws_access_key_id = AKWORK\naws_secret_access_key = SWORK\n',
    '/fake/config': '[profile work]\nregion = eu-west-3\n',
  };
  const read = [];
  const fromProfile = await resolveCredentials({ options, env: quiet, profile: 'work', readFile: (p) => { read.push(p); return files[p] ?? null; } });
  assert.deepEqual([fromProfile.source, fromProfile.profile, fromProfile.region, fromProfile.credentials.accessKeyId],
    ['profile', 'work', 'eu-west-3', 'AKWORK']);
  assert.ok(read.includes('/fake/credentials'));
  // A container endpoint over loopback, through the host's fetch; then the credentials sign.
  const { server, port } = await verifyingServer('SCONTAINER', (req, res) => {
    if (req.url !== '/creds') return false;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ AccessKeyId: 'ASIACONTAINER', SecretAccessKey: 'SCONTAINER', Token: 'TOKEN', Expiration: '2030-01-01T00:00:00Z' }));
    return true;
  });
  try {
    const env = { ...quiet, AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${port}/creds` };
    const fromContainer = await resolveCredentials({ options, env, readFile: () => null });
    assert.equal(fromContainer.source, 'container');
    assert.equal(fromContainer.credentials.sessionToken, 'TOKEN');
    assert.equal(fromContainer.credentials.expiresAt, Date.UTC(2030, 0, 1));
    const signed = await signConverse({
      options: { ...options, endpoint_url: `http://127.0.0.1:${port}` },
      messages: [{ role: 'user', content: 'hi' }],
      credentials: fromContainer.credentials,
      time: new Date(),
    });
    assert.ok(signed.headers.some(([k, v]) => k === 'x-amz-security-token' && v === 'TOKEN'));
    const res = await fetch(signed.url, { method: signed.method, headers: signed.headers, body: signed.body });
    assert.equal(parseResponse({ status: res.status, body: new Uint8Array(await res.arrayBuffer()) }).completion.text, 'verified');
  } finally {
    server.close();
  }
  await assert.rejects(resolveCredentials({ options, env: quiet, readFile: () => null }), (e) => e.kind === 'Credentials');
});

test('the module\'s allocator keeps blocks apart, aligned, and reuses what is freed', async () => {
  // A fresh instance of the packaged module, driven through its raw exports.
  const bytes = readFileSync(new URL('../dist/bedrock_request.wasm', import.meta.url));
  const { instance: { exports: ex } } = await WebAssembly.instantiate(bytes, {});
  // A deterministic generator (xorshift), restarted each round: every round makes the same
  // requests in the same order.
  let seed;
  const next = () => ((seed ^= seed << 13), (seed ^= seed >>> 17), (seed ^= seed << 5), seed >>> 0);
  const size = () => [1, 7, 16, 17, 100, 4096, 70_000, 1 << 20][next() % 8] + (next() % 3);
  const round = () => {
    seed = 0x9e3779b9;
    const live = [];
    for (let i = 0; i < 300; i++) {
      const len = size();
      const ptr = ex.alloc(len);
      assert.ok(ptr !== 0, `alloc(${len}) failed`);
      assert.equal(ptr % 8, 0, `alloc(${len}) gave ${ptr}, not word-aligned`);
      const tag = i & 0xff;
      new Uint8Array(ex.memory.buffer, ptr, len).fill(tag);
      live.push({ ptr, len, tag });
      // Free about a third at random, so freed blocks are reused among live ones.
      if (next() % 3 === 0) {
        const [gone] = live.splice(next() % live.length, 1);
        ex.dealloc(gone.ptr, gone.len);
      }
    }
    // No block was written by another: each still holds its own tag, start to end.
    for (const { ptr, len, tag } of live) {
      const view = new Uint8Array(ex.memory.buffer, ptr, len);
      assert.ok(view[0] === tag && view[len - 1] === tag && view.every((b) => b === tag), `block at ${ptr} (${len} bytes) was overwritten`);
    }
    for (const { ptr, len } of live) ex.dealloc(ptr, len);
  };
  round();
  const grown = ex.memory.buffer.byteLength;
  // The same requests again fit in what the first round made: freed blocks are reused.
  for (let i = 0; i < 5; i++) round();
  assert.equal(ex.memory.buffer.byteLength, grown);
});

test('building and signing a large request again does not grow the module\'s memory', async () => {
  // The raw `call` export of a fresh instance: the body grows through many reallocations.
  const bytes = readFileSync(new URL('../dist/bedrock_request.wasm', import.meta.url));
  const { instance: { exports: ex } } = await WebAssembly.instantiate(bytes, {});
  const enc = new TextEncoder();
  const put = (b) => {
    const ptr = ex.alloc(b.length);
    new Uint8Array(ex.memory.buffer, ptr, b.length).set(b);
    return ptr;
  };
  const input = enc.encode(JSON.stringify({
    options: { model: 'anthropic.claude-3-haiku-20240307-v1:0', region: 'us-east-1' },
    messages: [{ role: 'user', content: [{ type: 'text', text: 'x'.repeat(1 << 20) }, { type: 'text', text: 'é"\n'.repeat(40_000) }] }],
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET },
    unixTimeMs: TIME.getTime(),
  }));
  const op = enc.encode('signConverse');
  const signOnce = () => {
    const [p1, p2] = [put(op), put(input)];
    const packed = ex.call(p1, op.length, p2, input.length, 0, 0);
    ex.dealloc(p1, op.length);
    ex.dealloc(p2, input.length);
    const [ptr, len] = [Number(packed >> 32n), Number(packed & 0xffffffffn)];
    const out = JSON.parse(new TextDecoder().decode(new Uint8Array(ex.memory.buffer, ptr, len)));
    ex.dealloc(ptr, len);
    assert.ok(out.ok, JSON.stringify(out.error));
    return out.ok;
  };
  // Rust's default allocator (dlmalloc) settles after the second round: from then on the
  // same request needs no new pages (a leak would grow it every round).
  const first = signOnce();
  assert.deepEqual(signOnce(), first);
  const grown = ex.memory.buffer.byteLength;
  for (let i = 0; i < 6; i++) assert.deepEqual(signOnce(), first);
  assert.equal(ex.memory.buffer.byteLength, grown);
});

test('signRequest refuses a region that is no region name (no header injection)', async () => {
  await init();
  const request = {
    method: 'POST',
    url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse',
    headers: [['content-type', 'application/json'], ['host', 'bedrock-runtime.us-east-1.amazonaws.com']],
    body: new TextEncoder().encode('{}'),
    region: 'us-east-1\r\nX-Injected: yes',
  };
  const args = { credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET }, time: TIME };
  await assert.rejects(signRequest(request, args), (e) => e.kind === 'Signing' && /region/.test(e.message));
  const signed = await signRequest({ ...request, region: 'us-east-1' }, args);
  const verdict = verifySigV4(signed, SECRET);
  assert.ok(verdict.valid, verdict.why);
});

test('an API key or a session token is not signed for plain HTTP off this machine unless allowed', async () => {
  await init();
  const options = { model: 'm', region: 'us-east-1', endpoint_url: 'http://proxy.example:8080' };
  const messages = [{ role: 'user', content: 'hi' }];
  const withToken = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET, sessionToken: 'TOKEN' };
  for (const auth of [{ apiKey: 'ABSKkey' }, { credentials: withToken }]) {
    await assert.rejects(
      signConverse({ options, messages, time: TIME, ...auth }),
      (e) => e.kind === 'Config' && /clear text to http:\/\/proxy\.example:8080/.test(e.message),
    );
    const allowed = await signConverse({ options, messages, time: TIME, ...auth, allowInsecureHttp: true });
    assert.ok(allowed.headers.some(([k]) => k === 'authorization'));
    const loopback = { ...options, endpoint_url: 'http://127.0.0.1:9' };
    await signConverse({ options: loopback, messages, time: TIME, ...auth });
    const request = { method: 'POST', url: 'http://proxy.example/x', headers: [['host', 'proxy.example']], body: new Uint8Array(0), region: 'us-east-1' };
    await assert.rejects(signRequest(request, { time: TIME, ...auth }), /clear text/);
  }
});

test('chains and stream decoders give their module memory back, however they end', async () => {
  await init();
  const env = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: SECRET, AWS_EC2_METADATA_DISABLED: 'true' };
  const chains = (n) => {
    for (let i = 0; i < n; i++) {
      const chain = new CredentialChain({ options: { model: 'm', region: 'us-east-1' }, env });
      assert.equal(chain.poll(TIME).type, 'done');
      chain.free();
      chain.free(); // a second free does nothing
    }
  };
  const frame = eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'x'.repeat(4096) } });
  const body = () => new ReadableStream({
    pull(controller) {
      controller.enqueue(frame); // never ends: the consumer gives up
    },
  });
  const abandoned = async (n) => {
    for (let i = 0; i < n; i++) {
      for await (const event of decodeStream(body())) {
        assert.equal(event.type, 'text');
        break;
      }
      const decoder = new ConverseStreamDecoder();
      decoder.push(frame.subarray(0, 100));
      decoder.free();
      assert.throws(() => decoder.push(frame), /finished or freed/);
    }
  };
  chains(2_000);
  await abandoned(100);
  const before = moduleMemoryBytes();
  chains(50_000);
  await abandoned(1_000);
  assert.equal(moduleMemoryBytes(), before, 'the module grew for the same workload');
  // A freed slot is reused, and an old id does not reach the new value.
  const a = new ConverseStreamDecoder();
  a.free();
  const b = new ConverseStreamDecoder();
  assert.throws(() => a.finish(), /finished or freed/);
  assert.equal(b.push(frame)[0].type, 'text');
  b.free();
});

test('parseResponse applies the finish-reason policy of a BAML client', async () => {
  await init();
  const baml = `client<llm> Strict {
  provider aws-bedrock
  options {
    model m
    region us-east-1
    finish_reason_allow_list ["end_turn"]
  }
}`;
  const reply = (stop) => JSON.stringify({ output: { message: { role: 'assistant', content: [{ text: 'hi' }] } }, stopReason: stop, usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } });
  assert.equal(parseResponse({ status: 200, body: reply('end_turn'), baml, client: 'Strict' }).completion.text, 'hi');
  assert.throws(() => parseResponse({ status: 200, body: reply('max_tokens'), baml, client: 'Strict' }), (e) => e instanceof BedrockRequestError && /max_tokens/.test(e.message));
  // Without the client, any finish reason is accepted.
  assert.equal(parseResponse({ status: 200, body: reply('max_tokens') }).completion.text, 'hi');
});

test('structured takes BAML types as written, with baml-py\'s answers', async () => {
  await init();
  // Cases of vectors/jsonish/cases.json (BAML's own parser tests, answered by baml-py 0.226.3).
  const { cases } = JSON.parse(readFileSync(new URL('vectors/jsonish/cases.json', root), 'utf8'));
  const known = JSON.parse(readFileSync(new URL('vectors/jsonish/differences.json', root), 'utf8')).differ;
  let agreed = 0;
  for (const c of cases) {
    if (`${c.file} ${c.name}` in known) continue;
    const schema = { baml: c.baml, type: c.type };
    let ours;
    try {
      ours = { value: structured(c.text, schema, { partial: c.mode === 'partial' }) };
    } catch (e) {
      assert.ok(e instanceof BedrockRequestError, `${c.name}: ${e}`);
      if (/is not supported/.test(e.message)) continue;
      ours = { error: e.kind };
    }
    if ('value' in c.baml_py) {
      assert.deepEqual(ours.value, c.baml_py.value, `${c.file} ${c.name}`);
    } else {
      assert.ok('error' in ours, `${c.file} ${c.name}: ours ${JSON.stringify(ours.value)}, baml-py fails`);
    }
    agreed++;
  }
  assert.ok(agreed >= 400, `${agreed}`);
  assert.throws(() => structured('1', { baml: 'class A {\n  x int\n}' }), /type/);
});

test('what resolveCredentials gives signs as it is: an API key too; no null sessionToken', async () => {
  await init();
  const options = { model: 'm', region: 'us-east-1' };
  const messages = [{ role: 'user', content: 'Hi' }];
  // The chain finds a Bedrock API key in the environment.
  const resolved = await resolveCredentials({ options, env: { AWS_BEARER_TOKEN_BEDROCK: 'bedrock-api-key-abc', AWS_EC2_METADATA_DISABLED: 'true' } });
  assert.deepEqual(resolved.credentials, { apiKey: 'bedrock-api-key-abc' });
  const signed = await signConverse({ options, messages, credentials: resolved.credentials, time: TIME });
  assert.ok(signed.headers.some(([k, v]) => k === 'authorization' && v === 'Bearer bedrock-api-key-abc'));
  // Keys without a session token: no sessionToken field at all.
  const keys = await resolveCredentials({ options, env: { AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'S', AWS_EC2_METADATA_DISABLED: 'true' } });
  assert.ok(!('sessionToken' in keys.credentials), JSON.stringify(Object.keys(keys.credentials)));
  // process.env's undefined values are left out.
  const env = { AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: undefined };
  const fromEnv = await signConverse({ options, messages, env, time: TIME });
  assert.ok(fromEnv.headers.some(([k]) => k === 'authorization'));
  assert.ok(!fromEnv.headers.some(([k]) => k === 'x-amz-security-token'));
  // A stream decoder given no body says so.
  await assert.rejects(async () => { for await (const e of decodeStream(null)) void e; }, /no body/);
});

test('an agent loop with toolResult: the tool call answered in the next request, as Converse takes it', async () => {
  await init();
  const { toolResult } = await import('bedrock-request');
  const options = { model: 'm', region: 'us-east-1' };
  const tools = { tools: [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object' } }] };
  const reply = JSON.stringify({ output: { message: { role: 'assistant', content: [{ text: 'Let me check.' }, { toolUse: { toolUseId: 't1', name: 'get_weather', input: { city: 'Paris' } } }, { toolUse: { toolUseId: 't2', name: 'get_weather', input: { city: 'Atlantis' } } }] } }, stopReason: 'tool_use' });
  const { completion, message } = parseResponse({ status: 200, body: reply });
  assert.equal(completion.tool_calls[0].id, 't1');
  const messages = [
    { role: 'user', content: 'Weather in Paris?' },
    message,
    { role: 'user', content: [toolResult(completion.tool_calls[0].id, { temperature_c: 18 }), toolResult(completion.tool_calls[1].id, 'no such city', 'error')] },
  ];
  const signed = await signConverse({ options, messages, tools, credentials: { accessKeyId: 'AKID', secretAccessKey: SECRET }, time: TIME });
  const body = JSON.parse(text(signed.body));
  assert.deepEqual(body.messages[2].content[0], { toolResult: { toolUseId: 't1', content: [{ json: { temperature_c: 18 } }] } });
  assert.deepEqual(body.messages[2].content[1], { toolResult: { toolUseId: 't2', content: [{ text: 'no such city' }], status: 'error' } });
});

test('CredentialResolver resolves once per expiry, as the crate\'s blocking::Resolver', async () => {
  await init();
  const { CredentialResolver } = await import('bedrock-request');
  let calls = 0;
  const expiration = new Date(Date.UTC(2030, 0, 1, 12, 0, 0));
  // The container credentials endpoint, played by a fake fetch (nothing leaves the process).
  const fetch = async (url) => {
    calls += 1;
    assert.equal(url, 'http://127.0.0.1:9911/creds');
    return new Response(JSON.stringify({ AccessKeyId: `AKID${calls}`, SecretAccessKey: 'S', Token: 'T', Expiration: expiration.toISOString() }), { status: 200 });
  };
  const resolver = new CredentialResolver({
    options: { model: 'm', region: 'us-east-1' },
    env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:9911/creds', AWS_EC2_METADATA_DISABLED: 'true' },
    fetch,
  });
  const early = new Date(expiration.getTime() - 60 * 60 * 1000);
  const [a, b] = await Promise.all([resolver.resolve(early), resolver.resolve(early)]);
  assert.equal(calls, 1);
  assert.equal(a.credentials.accessKeyId, 'AKID1');
  assert.equal(b.credentials.accessKeyId, 'AKID1');
  assert.equal((await resolver.resolve(new Date(expiration.getTime() - 10 * 60 * 1000))).credentials.accessKeyId, 'AKID1');
  assert.equal(calls, 1);
  // Within 5 minutes of expiring: resolved again.
  assert.equal((await resolver.resolve(new Date(expiration.getTime() - 4 * 60 * 1000))).credentials.accessKeyId, 'AKID2');
  assert.equal(calls, 2);
  // Nothing found says what to do, from the chain.
  await assert.rejects(resolveCredentials({ options: { model: 'm', region: 'us-east-1' }, env: { AWS_EC2_METADATA_DISABLED: 'true' } }), /no credentials found: set access_key_id/);
});
