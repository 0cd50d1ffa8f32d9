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
