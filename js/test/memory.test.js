// Issue 25, item 19: the module's memory past 2 GiB. Pointers there do not fit a signed 32-bit
// number; once the memory had grown that far every call failed. This file runs in its own
// process: it grows the package's instance past 2 GiB (memory is reserved, not touched), then
// uses the package as usual.
import { test } from 'node:test';
import assert from 'node:assert/strict';

const real = WebAssembly.instantiate;
let instance = null;
WebAssembly.instantiate = async (...args) => {
  const made = await real(...args);
  instance = made.instance ?? made;
  return made;
};
const { init, signConverse, structured, decodeStream, ConverseStreamDecoder, moduleMemoryBytes, BedrockRequestError, MAX_INPUT_BYTES } = await import('bedrock-request');
const { eventFrame } = await import('./helpers.js');

test('calls work once the module memory is past 2 GiB, and too large an input is a clear error', async () => {
  await init();
  WebAssembly.instantiate = real;
  const pages = Math.ceil((2 ** 31 + 2 ** 26 - moduleMemoryBytes()) / 65536);
  instance.exports.memory.grow(pages);
  assert.ok(moduleMemoryBytes() > 2 ** 31);
  // Fill the memory below 2 GiB so new blocks land above it.
  const low = [];
  for (let i = 0; i < 40; i++) low.push(instance.exports.alloc(50 * 1024 * 1024));
  assert.ok(low.some((p) => p < 0 || p >>> 0 >= 2 ** 31), 'no block above 2 GiB: the test proves nothing');
  const time = new Date(Date.UTC(2015, 7, 30, 12, 36, 0));
  for (let i = 0; i < 3; i++) {
    const signed = await signConverse({
      options: { model: 'anthropic.claude-3-haiku-20240307-v1:0', region: 'us-east-1' },
      messages: [{ role: 'user', content: 'hi' }],
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'SECRET' },
      time,
    });
    assert.ok(signed.headers.some(([k]) => k === 'authorization'));
    assert.deepEqual(structured('Sure: {"a": 1}', { type: 'object', properties: { a: { type: 'integer' } } }), { a: 1 });
  }
  const frame = eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'hi' } });
  const stop = eventFrame('messageStop', { stopReason: 'end_turn' });
  const body = new ReadableStream({ start(c) { c.enqueue(frame); c.enqueue(stop); c.close(); } });
  const events = [];
  for await (const e of decodeStream(body)) events.push(e.type);
  assert.deepEqual(events, ['text', 'messageStop']);
  const decoder = new ConverseStreamDecoder();
  assert.throws(
    () => decoder.push(new Uint8Array(MAX_INPUT_BYTES + 1)),
    (e) => e instanceof BedrockRequestError && /more than the module takes in one call/.test(e.message),
  );
  decoder.free();
});
