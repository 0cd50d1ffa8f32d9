// Run by test/deno.test.js under Deno (from npm): signs a small and a 300 KiB request inside
// Deno and sends them to the test's loopback server, which checks the signature; prints what
// the server answered.
import { init, signConverse, parseResponse } from '../dist/index.js';

await init();
const endpoint = Deno.args[0];
const texts = [];
for (const size of [10, 300 * 1024]) {
  const signed = await signConverse({
    options: { model: 'anthropic.claude-3-haiku-20240307-v1:0', region: 'us-east-1', endpoint_url: endpoint },
    messages: [{ role: 'user', content: 'd'.repeat(size) }],
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'S' },
    time: new Date(),
  });
  const res = await fetch(signed.url, { method: signed.method, headers: signed.headers, body: signed.body });
  texts.push(parseResponse({ status: res.status, headers: res.headers, body: new Uint8Array(await res.arrayBuffer()) }).completion.text);
}
console.log(JSON.stringify(texts));
