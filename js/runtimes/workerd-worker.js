// A Cloudflare Worker (run by workerd in test/workerd.test.js): signs a Converse request
// inside the runtime and sends it to the test's loopback server, which checks the signature.
import wasm from 'bedrock_request.wasm';
import { init, signConverse, parseResponse, structured, sendWithRetries } from 'bedrock-request';

export default {
  async fetch(request, env) {
    await init(wasm);
    const options = { model: 'anthropic.claude-3-haiku-20240307-v1:0', region: 'us-east-1', endpoint_url: env.ENDPOINT };
    if (new URL(request.url).pathname === '/retry') {
      // The test's server answers this model's first request with a 503: retried after a sleep.
      const notes = [];
      const result = await sendWithRetries({
        options: { ...options, model: 'flaky' },
        messages: [{ role: 'user', content: 'again' }],
        credentials: { accessKeyId: 'AKID', secretAccessKey: 'S' },
        fetch: (url, init) => env.VERIFIER.fetch(url, init),
        onRetry: (note) => notes.push(note),
      });
      return Response.json({ text: result.completion.text, notes });
    }
    const size = Number(new URL(request.url).searchParams.get('size') ?? '10');
    const signed = await signConverse({
      options,
      messages: [{ role: 'user', content: 'w'.repeat(size) }],
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'S' },
      time: new Date(),
    });
    const res = await env.VERIFIER.fetch(signed.url, { method: signed.method, headers: signed.headers, body: signed.body });
    const parsed = parseResponse({ status: res.status, headers: res.headers, body: new Uint8Array(await res.arrayBuffer()) });
    const value = structured('{age: "7"}', { type: 'object', properties: { age: { type: 'integer' } } });
    return Response.json({ text: parsed.completion.text, value });
  },
};
