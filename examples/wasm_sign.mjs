// Loads the wasm_sign example module with an empty import object and signs the botocore
// reference vector inside WebAssembly; the signature must be botocore's.
//   node examples/wasm_sign.mjs target/wasm32-unknown-unknown/wasm/examples/wasm_sign.wasm
import { readFile } from 'node:fs/promises';
import assert from 'node:assert/strict';

const wasmPath = process.argv[2];
const vector = JSON.parse(await readFile(new URL('../vectors/bedrock/model-id-with-colon.json', import.meta.url)));
const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), {});
const { memory, alloc, dealloc, sign } = instance.exports;

function call(input) {
  const bytes = new TextEncoder().encode(JSON.stringify(input));
  const ptr = alloc(bytes.length);
  new Uint8Array(memory.buffer, ptr, bytes.length).set(bytes);
  const packed = sign(ptr, bytes.length);
  dealloc(ptr, bytes.length);
  const outPtr = Number(packed >> 32n), outLen = Number(packed & 0xffffffffn);
  const text = new TextDecoder().decode(new Uint8Array(memory.buffer, outPtr, outLen));
  dealloc(outPtr, outLen);
  return JSON.parse(text);
}

const unixTime = Date.UTC(2015, 7, 30, 12, 36, 0) / 1000;
const signed = call({ ...vector.input, unix_time: unixTime });
assert.equal(signed.url, vector.botocore.url);
assert.deepEqual(signed.headers, vector.botocore.headers);
assert.equal(signed.body_text, vector.botocore.body_text);

const bad = call({ options: { region: 'us-east-1' }, messages: [], unix_time: unixTime });
assert.deepEqual(bad, { error: 'model_id is required' });
console.log(`wasm32-unknown-unknown: signature ${vector.botocore.signature} matches botocore; errors come back as values`);
