// The retry planner in the package: botocore's standard-mode decisions replayed through
// RetryPlan, and sendWithRetries against a scripted loopback Bedrock that checks every
// attempt's SigV4, on a virtual clock (the test's own sleep and randomness).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';

import { init, RetryPlan, sendWithRetries, BedrockRequestError } from 'bedrock-request';
import { verifyIncoming, root } from './helpers.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET };
const messages = [{ role: 'user', content: 'Hello' }];

/** An answer of vectors/retry/botocore.json as the outcome of an attempt. */
function outcomeOf(a) {
  if (a === 'connection') return { type: 'transport', why: 'connection refused' };
  if (a === 200) return { type: 'success' };
  const [status, code, retryAfter] = a;
  const headers = [];
  if (code) headers.push(['x-amzn-errortype', code]);
  if (retryAfter !== null && retryAfter !== undefined) headers.push(['x-amz-retry-after', String(retryAfter)]);
  return { type: 'response', status, headers, bodyText: '{"message":"m"}' };
}

test('RetryPlan decides as botocore\'s standard mode, quota carried from call to call', async () => {
  await init();
  const { cases } = JSON.parse(readFileSync(new URL('vectors/retry/botocore.json', root), 'utf8'));
  assert.ok(cases.length >= 18);
  for (const c of cases) {
    let quota = 500;
    for (const [n, call] of c.calls.entries()) {
      const plan = new RetryPlan({ options: { model: 'm', region: 'us-east-1' }, maxAttempts: c.max_attempts, quota });
      assert.equal(plan.start().type, 'send');
      call.answers.forEach((answer, i) => {
        const decision = call.decisions[i];
        const step = plan.next(outcomeOf(answer), decision.random ?? 0);
        const where = `${c.name}, call ${n}, answer ${i}`;
        if (decision.success) {
          assert.deepEqual([step.type, step.ok], ['done', true], where);
        } else if (decision.retry) {
          assert.equal(step.type, 'send', where);
          assert.ok(Math.abs(step.waitMs - decision.delay * 1000) < 1, `${where}: waits ${step.waitMs} ms, botocore ${decision.delay} s`);
        } else {
          assert.deepEqual([step.type, step.ok], ['done', false], where);
        }
      });
      quota = plan.quota;
      plan.free();
      assert.equal(quota, call.quota_after, `${c.name}, call ${n}: the quota`);
    }
  }
});

test('a freed plan says so; a plan without a client is an error that says what to give', async () => {
  await init();
  const plan = new RetryPlan({ options: { model: 'm', region: 'us-east-1' } });
  plan.free();
  plan.free();
  assert.throws(() => plan.next({ type: 'success' }), /freed/);
  assert.throws(() => new RetryPlan({}), (e) => e instanceof BedrockRequestError && /options|baml/.test(e.message));
  assert.throws(() => new RetryPlan({ options: { model: 'm', region: 'us-east-1' }, maxAttempts: 0 }), /maxAttempts/);
});

/**
 * A loopback Bedrock answering by script: `script(model, n)` (n counts that model's requests
 * from 1) gives `[status, errorType?, body?]`, or undefined for a verified Converse reply.
 * Every request's SigV4 is checked; `seen` lists `[model, verdict]`.
 */
async function scriptedBedrock(script) {
  const seen = [];
  const counts = new Map();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const verdict = verifyIncoming(req, Buffer.concat(chunks), SECRET);
      const model = decodeURIComponent(req.url.split('/')[2]);
      const n = (counts.get(model) ?? 0) + 1;
      counts.set(model, n);
      seen.push([model, verdict.valid || verdict.why]);
      const [status, code, body] = script(model, n) ?? [200];
      const headers = { 'content-type': 'application/json' };
      if (code) headers['x-amzn-errortype'] = code;
      res.writeHead(status, headers);
      res.end(body ?? (status === 200
        ? JSON.stringify({ output: { message: { role: 'assistant', content: [{ text: `from ${model}` }] } }, stopReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } })
        : JSON.stringify({ message: `scripted ${status}` })));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${server.address().port}`, seen };
}

/** A virtual clock: sleeps are recorded, not waited. */
function virtualClock() {
  const slept = [];
  return { slept, sleep: async (ms) => { slept.push(ms); } };
}

test('sendWithRetries: AWS\'s default mode through throttling and a 503, each attempt signed anew', async () => {
  const bedrock = await scriptedBedrock((model, n) => (n === 1 ? [429, 'ThrottlingException'] : n === 2 ? [503, 'ServiceUnavailableException'] : undefined));
  const clock = virtualClock();
  const notes = [];
  const quota = { available: 500 };
  try {
    const result = await sendWithRetries({
      options: { model: 'm1', region: 'us-east-1', endpoint_url: bedrock.url }, messages, credentials,
      fetch, sleep: clock.sleep, random: () => 0.5, onRetry: (n) => notes.push(n), quota,
    });
    assert.equal(result.completion.text, 'from m1');
    assert.equal(result.client, 'options');
    // Full jitter: 0.5 × min(1 s × 2⁰, 20 s) after the throttle; 0.5 × min(50 ms × 2¹, 20 s) after the 503.
    assert.deepEqual(clock.slept, [500, 50]);
    assert.deepEqual(bedrock.seen, [['m1', true], ['m1', true], ['m1', true]]);
    assert.equal(notes.length, 2);
    assert.match(notes[0], /attempt 2 of 3 .*ThrottlingException \(429\)/);
    assert.match(notes[1], /attempt 3 of 3 .*503/);
    // 5 for the throttle, 14 for the 503, 14 back for the success.
    assert.equal(quota.available, 500 - 5 - 14 + 14);
  } finally {
    bedrock.server.close();
  }
});

test('sendWithRetries: AWS_MAX_ATTEMPTS, and no retry on a 400', async () => {
  const bedrock = await scriptedBedrock((model) => (model === 'bad' ? [400, 'ValidationException'] : [503, 'ServiceUnavailableException']));
  const clock = virtualClock();
  try {
    const args = { messages, credentials, fetch, sleep: clock.sleep, random: () => 0.5 };
    await assert.rejects(
      sendWithRetries({ ...args, options: { model: 'down', region: 'us-east-1', endpoint_url: bedrock.url }, env: { AWS_MAX_ATTEMPTS: '5' } }),
      (e) => e instanceof BedrockRequestError && e.aws?.status === 503,
    );
    assert.equal(bedrock.seen.filter(([m]) => m === 'down').length, 5);
    await assert.rejects(
      sendWithRetries({ ...args, options: { model: 'bad', region: 'us-east-1', endpoint_url: bedrock.url } }),
      (e) => e.aws?.code === 'ValidationException',
    );
    assert.equal(bedrock.seen.filter(([m]) => m === 'bad').length, 1);
    assert.ok(bedrock.seen.every(([, v]) => v === true));
  } finally {
    bedrock.server.close();
  }
});

test('sendWithRetries: a transport failure is retried', async () => {
  const bedrock = await scriptedBedrock(() => undefined);
  let calls = 0;
  const flaky = async (url, init) => {
    calls += 1;
    if (calls === 1) throw new TypeError('fetch failed: connection reset');
    return fetch(url, init);
  };
  try {
    const result = await sendWithRetries({
      options: { model: 'm', region: 'us-east-1', endpoint_url: bedrock.url }, messages, credentials,
      fetch: flaky, sleep: async () => {}, random: () => 0.5,
    });
    assert.equal(result.completion.text, 'from m');
    assert.equal(calls, 2);
  } finally {
    bedrock.server.close();
  }
});

const bamlFor = (url) => `
retry_policy Twice {
  max_retries 2
  strategy {
    type constant_delay
    delay_ms 150
  }
}
retry_policy Growing {
  max_retries 3
  strategy { type exponential_backoff, delay_ms 100, multiplier 2, max_delay_ms 300 }
}
client<llm> A {
  provider aws-bedrock
  retry_policy Twice
  options {
    model a
    region us-east-1
    endpoint_url "${url}"
    finish_reason_allow_list ["end_turn"]
  }
}
client<llm> B {
  provider aws-bedrock
  options {
    model b
    region us-east-1
    endpoint_url "${url}"
  }
}
client<llm> G {
  provider aws-bedrock
  retry_policy Growing
  options {
    model g
    region us-east-1
    endpoint_url "${url}"
  }
}
client<llm> F {
  provider fallback
  options { strategy [A, B] }
}
client<llm> R {
  provider round-robin
  options { strategy [A, B], start 1 }
}
`;

test('sendWithRetries: BAML retry_policy delays, a fallback that moves on, one that must not', async () => {
  let stop = 'end_turn';
  const bedrock = await scriptedBedrock((model) => {
    if (model === 'a' && stop === 'end_turn') return [429, 'ThrottlingException'];
    if (model === 'a') return [200, null, JSON.stringify({ output: { message: { role: 'assistant', content: [{ text: 'cut' }] } }, stopReason: stop })];
    if (model === 'g') return [503, 'ServiceUnavailableException'];
    return undefined;
  });
  const baml = bamlFor(bedrock.url);
  const args = { baml, messages, credentials, fetch, random: () => 0.5 };
  try {
    // Constant: 150 ms between A's three attempts, then B at once.
    let clock = virtualClock();
    const notes = [];
    const result = await sendWithRetries({ ...args, client: 'F', sleep: clock.sleep, onRetry: (n) => notes.push(n) });
    assert.equal(result.client, 'B');
    assert.equal(result.completion.text, 'from b');
    assert.deepEqual(clock.slept, [150, 150]);
    assert.deepEqual(bedrock.seen.map(([m]) => m), ['a', 'a', 'a', 'b']);
    assert.ok(bedrock.seen.every(([, v]) => v === true));
    assert.match(notes.at(-1), /from A to B/);
    // Exponential: 100, 200, then capped at 300 ms.
    clock = virtualClock();
    await assert.rejects(sendWithRetries({ ...args, client: 'G', sleep: clock.sleep }), (e) => e.aws?.status === 503);
    assert.deepEqual(clock.slept, [100, 200, 300]);
    // A finish reason A's policy refuses: no retry, no move to B.
    stop = 'max_tokens';
    bedrock.seen.length = 0;
    await assert.rejects(sendWithRetries({ ...args, client: 'F', sleep: virtualClock().sleep }), /max_tokens/);
    assert.deepEqual(bedrock.seen.map(([m]) => m), ['a']);
  } finally {
    bedrock.server.close();
  }
});

test('sendWithRetries: round-robin begins at start, then turns with the caller\'s count', async () => {
  const bedrock = await scriptedBedrock(() => undefined);
  const args = { baml: bamlFor(bedrock.url), client: 'R', messages, credentials, fetch, sleep: async () => {} };
  try {
    assert.equal((await sendWithRetries(args)).client, 'B');
    assert.equal((await sendWithRetries({ ...args, turn: 1 })).client, 'A');
    assert.equal((await sendWithRetries({ ...args, turn: 2 })).client, 'B');
  } finally {
    bedrock.server.close();
  }
});

test('sendWithRetries refuses a stream and says what to do instead', async () => {
  await assert.rejects(
    sendWithRetries({ options: { model: 'm', region: 'us-east-1' }, messages, credentials, stream: true }),
    /RetryPlan/,
  );
});
