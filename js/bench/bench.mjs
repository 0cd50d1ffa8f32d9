// The package beside aws4fetch and the Vercel AI SDK in one Node process, same request, same
// bytes: median time per call, and ours as a ratio of theirs.
//   cd js/bench && npm install && node bench.mjs
import { AwsV4Signer } from 'aws4fetch';
import { generateText } from 'ai';
import { createAmazonBedrock } from '@ai-sdk/amazon-bedrock';
import { init, signConverse } from '../src/index.js';

await init();
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const options = { model: 'anthropic.claude-3-haiku-20240307-v1:0', region: 'us-east-1' };

async function median(runs, f) {
  for (let i = 0; i < Math.min(runs, 20); i++) await f();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await f();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const reply = JSON.stringify({ output: { message: { role: 'assistant', content: [{ text: 'ok' }] } }, stopReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } });
const bedrock = createAmazonBedrock({
  region: 'us-east-1', ...credentials,
  fetch: async () => new Response(reply, { status: 200, headers: { 'content-type': 'application/json' } }),
});

for (const [label, prompt, runs] of [['small request', 'Hello', 2000], ['5 MiB prompt', 'x'.repeat(5 << 20), 30]]) {
  const messages = [{ role: 'user', content: prompt }];
  const ours = await median(runs, () => signConverse({ options, messages, credentials, time: new Date() }));
  const signed = await signConverse({ options, messages, credentials, time: new Date() });
  const body = new TextDecoder().decode(signed.body);
  const theirs = await median(runs, () => new AwsV4Signer({
    url: signed.url, method: 'POST', headers: { 'content-type': 'application/json' }, body,
    service: 'bedrock', region: 'us-east-1', ...credentials,
  }).sign());
  const vercel = await median(Math.min(runs, 200), () => generateText({ model: bedrock(options.model), prompt }));
  console.log(`${label}: bedrock-request ${(ours * 1e3).toFixed(0)} µs (build + sign), aws4fetch ${(theirs * 1e3).toFixed(0)} µs (sign only), `
    + `Vercel AI SDK ${(vercel * 1e3).toFixed(0)} µs (build + sign + parse); ratio ${(ours / theirs).toFixed(2)}x aws4fetch, ${(ours / vercel).toFixed(2)}x Vercel`);
}
