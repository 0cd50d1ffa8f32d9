// The package beside aws4fetch and the Vercel AI SDK in one Node process, same request, same
// bytes. Ours and aws4fetch run in turn within each round (the order alternating), so the
// machine's state (GC, caches, frequency) is shared, and the ratio is the median of the
// per-round ratios; the AI SDK, whose allocations would disturb both, runs in its own loop.
//   cd js/bench && npm install && node bench.mjs
import { AwsV4Signer } from 'aws4fetch';
import { generateText } from 'ai';
import { createAmazonBedrock } from '@ai-sdk/amazon-bedrock';
import { init, signConverse } from '../dist/index.js';

await init();
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const options = { model: 'anthropic.claude-3-haiku-20240307-v1:0', region: 'us-east-1' };
const reply = JSON.stringify({
  output: { message: { role: 'assistant', content: [{ text: 'ok' }] } },
  stopReason: 'end_turn',
  usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
});
const bedrock = createAmazonBedrock({
  region: 'us-east-1', ...credentials,
  fetch: async () => new Response(reply, { status: 200, headers: { 'content-type': 'application/json' } }),
});

async function timed(f) {
  const t = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const [label, prompt, rounds] of [['small request', 'Hello', 2000], ['5 MiB prompt', 'x'.repeat(5 << 20), 40]]) {
  const messages = [{ role: 'user', content: prompt }];
  const signed = await signConverse({ options, messages, credentials, time: new Date() });
  // aws4fetch signs the very body we send, given as the string a caller would hold.
  const body = new TextDecoder().decode(signed.body);
  const runs = {
    ours: () => signConverse({ options, messages, credentials, time: new Date() }),
    aws4fetch: () => new AwsV4Signer({
      url: signed.url, method: 'POST', headers: { 'content-type': 'application/json' }, body,
      service: 'bedrock', region: 'us-east-1', ...credentials,
    }).sign(),
    vercel: () => generateText({ model: bedrock(options.model), prompt }),
  };
  const times = { ours: [], aws4fetch: [], vercel: [] };
  const ratios = [];
  for (let round = -Math.min(20, rounds); round < rounds; round++) {
    const t = {};
    for (const name of round % 2 ? ['ours', 'aws4fetch'] : ['aws4fetch', 'ours']) t[name] = await timed(runs[name]);
    if (round < 0) continue;
    times.ours.push(t.ours);
    times.aws4fetch.push(t.aws4fetch);
    ratios.push(t.ours / t.aws4fetch);
  }
  for (let round = -Math.min(20, rounds); round < Math.min(rounds, 200); round++) {
    const t = await timed(runs.vercel);
    if (round >= 0) times.vercel.push(t);
  }
  const us = (ms) => `${(ms * 1e3).toFixed(0)} µs`;
  console.log(`${label}: bedrock-request ${us(median(times.ours))} (build + sign), `
    + `aws4fetch ${us(median(times.aws4fetch))} (sign only), `
    + `Vercel AI SDK ${us(median(times.vercel))} (build + sign + parse); `
    + `ratio ${median(ratios).toFixed(3)}x aws4fetch (median of ${ratios.length} paired rounds), `
    + `${(median(times.ours) / median(times.vercel)).toFixed(2)}x Vercel`);
}

// Large trees (issue 25, item 20): one message of many parts built, a reply of many blocks
// parsed, each at n and 2n (time(2n) / time(n): 2 is linear), and the reply beside the native
// CLI on the same body (`parse --format message`, built with `cargo build --release -p
// bedrock-request-cli`; process start and file reading included, so the ratio flatters the
// module slightly).
{
  const { buildRequest, parseResponse } = await import('../dist/index.js');
  const { execFileSync } = await import('node:child_process');
  const { writeFileSync, existsSync } = await import('node:fs');
  const parts = (n) => [{ role: 'user', content: Array.from({ length: n }, (_, i) => ({ type: 'text', text: `p${i}` })) }];
  const replyOf = (n) => JSON.stringify({
    output: { message: { role: 'assistant', content: Array.from({ length: n }, (_, i) => ({ text: `b${i}` })) } },
    stopReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, metrics: { latencyMs: 1 },
  });
  const once = async (f) => median([await timed(f), await timed(f), await timed(f)]);
  const build = async (n) => { const m = parts(n); return once(() => buildRequest({ options, messages: m })); };
  const parse = async (n) => { const body = replyOf(n); return once(() => parseResponse({ status: 200, body })); };
  const [b1, b2] = [await build(250_000), await build(500_000)];
  console.log(`one message of 250k / 500k parts built: ${b1.toFixed(0)} / ${b2.toFixed(0)} ms, ratio ${(b2 / b1).toFixed(2)}`);
  const [p1, p2] = [await parse(1_000_000), await parse(2_000_000)];
  console.log(`a reply of 1M / 2M blocks parsed: ${p1.toFixed(0)} / ${p2.toFixed(0)} ms, ratio ${(p2 / p1).toFixed(2)}`);
  const cli = new URL('../../target/release/bedrock-request', import.meta.url).pathname;
  if (existsSync(cli)) {
    const file = '/tmp/bedrock-request-bench-reply.json';
    writeFileSync(file, replyOf(2_000_000));
    const native = await once(() => execFileSync(cli, ['parse', '--format', 'message', file], { maxBuffer: 1 << 30 }));
    console.log(`the 2M-block reply: module ${p2.toFixed(0)} ms, native CLI ${native.toFixed(0)} ms, ratio ${(p2 / native).toFixed(2)}`);
  }
}
