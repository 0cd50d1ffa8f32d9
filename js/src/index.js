// bedrock-request for JavaScript: AWS Bedrock Converse requests built and SigV4-signed by the
// Rust crate compiled to WebAssembly, for Node, Cloudflare Workers, Deno and browsers.
//
// The module does no I/O of its own but loading its wasm (`init()`); time is an argument
// (`time: Date`), credentials are given, and the request comes back as plain data for the
// host's `fetch`. Large texts never cross into WebAssembly as JSON: they are spliced into the
// body on the host, and the body is hashed by the host (Node's `createHash`, else WebCrypto).

const encoder = new TextEncoder();
const decoder = new TextDecoder();

let exports_ = null;
let loading = null;
/** The compiled module, kept to start a fresh instance after a trap. */
let compiled = null;

/** The most one call takes into the module (its input as JSON, or its bytes): 512 MiB. */
export const MAX_INPUT_BYTES = 512 * 1024 * 1024;

/** An error from bedrock-request, with the crate's kind (`Config`, `Prompt`, `Aws`...). */
export class BedrockRequestError extends Error {
  constructor({ kind, message, aws }) {
    super(message);
    this.name = 'BedrockRequestError';
    this.kind = kind;
    if (aws) this.aws = aws;
  }
}

/**
 * Loads the wasm module; idempotent. `source` may be a `WebAssembly.Module` (Workers import
 * the `.wasm` file as one), bytes, a `Response`, or a URL; by default the packaged
 * `dist/bedrock_request.wasm` next to this file.
 */
export async function init(source) {
  if (exports_) return;
  loading ??= (async () => {
    let module;
    if (source instanceof WebAssembly.Module) {
      module = source;
    } else if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
      module = await WebAssembly.compile(source);
    } else if (typeof Response !== 'undefined' && source instanceof Response) {
      module = await WebAssembly.compile(await source.arrayBuffer());
    } else {
      const url = source ? new URL(source) : new URL('../dist/bedrock_request.wasm', import.meta.url);
      if (url.protocol === 'file:') {
        const { readFile } = await import('node:fs/promises');
        const bytes = await readFile(url).catch((e) => {
          throw new BedrockRequestError({
            kind: 'Input',
            message: `cannot read the module ${url.pathname} (${e.code ?? e.message}): in a checkout of the repository, run \`npm run build\` in js/ first`,
          });
        });
        module = await WebAssembly.compile(bytes);
      } else {
        module = await WebAssembly.compile(await (await fetch(url)).arrayBuffer());
      }
    }
    const instance = await WebAssembly.instantiate(module, {});
    compiled = module;
    exports_ = instance.exports;
  })();
  try {
    await loading;
  } catch (e) {
    loading = null;
    throw e;
  }
}

/**
 * The module's memory in bytes (WebAssembly memory only grows): watch it in a long-running
 * process; a steady workload keeps it flat.
 */
export function moduleMemoryBytes() {
  return ready().memory.buffer.byteLength;
}

function ready() {
  if (!exports_) throw new Error('bedrock-request: call `await init()` first');
  return exports_;
}

/** A view of the module's memory, made again when the memory has grown. */
let view = null;
function memory(ex) {
  if (view?.buffer !== ex.memory.buffer) view = new Uint8Array(ex.memory.buffer);
  return view;
}

/**
 * `len` bytes of module memory. Pointers are unsigned (`>>> 0`: memory past 2 GiB is as good
 * as any); the module answers 0 when it cannot allocate.
 */
function alloc(ex, len) {
  if (len > MAX_INPUT_BYTES) {
    throw new BedrockRequestError({ kind: 'Input', message: `an input of ${len} bytes is more than the module takes in one call (MAX_INPUT_BYTES, ${MAX_INPUT_BYTES})` });
  }
  const ptr = ex.alloc(len) >>> 0;
  if (ptr === 0) {
    throw new BedrockRequestError({ kind: 'Input', message: `the module cannot allocate ${len} bytes: its memory is full` });
  }
  return ptr;
}

/** `(ptr << 32) | len` from the module, unsigned. */
function unpack(packed) {
  const u = BigInt.asUintN(64, packed);
  return { ptr: Number(u >> 32n), len: Number(u & 0xffffffffn) };
}

/**
 * After a trap (out of memory inside an operation) the instance's state cannot be trusted:
 * start a fresh one from the compiled module (open streams and chains are gone with it).
 */
function reset(e) {
  try {
    exports_ = compiled ? new WebAssembly.Instance(compiled, {}).exports : null;
  } catch {
    exports_ = null;
    loading = null;
  }
  view = null;
  return new BedrockRequestError({ kind: 'Input', message: `the module failed (${e.message}) and was started again: open streams and credential chains are gone` });
}

function put(ex, bytes) {
  const ptr = alloc(ex, bytes.length);
  memory(ex).set(bytes, ptr);
  return ptr;
}

const opNames = new Map();
/** Inputs shorter than this are encoded straight into module memory (room for 3 bytes a unit). */
const ENCODE_INTO_BELOW = 16 * 1024;

/** One call into the module: `op` with JSON `input` (and raw `bytes`); throws its errors. */
function call(op, input, bytes) {
  const ex = ready();
  let opBytes = opNames.get(op);
  if (!opBytes) opNames.set(op, (opBytes = encoder.encode(op)));
  const json = JSON.stringify(input);
  // The op's name and the input in one block. A short input is written into it in place; a
  // long one (media as base64) is encoded first, so the block is its size, not thrice it.
  const inBytes = json.length < ENCODE_INTO_BELOW ? null : encoder.encode(json);
  const cap = opBytes.length + (inBytes ? inBytes.length : json.length * 3);
  const p1 = alloc(ex, cap);
  const p2 = p1 + opBytes.length;
  const mem = memory(ex);
  mem.set(opBytes, p1);
  let inLen;
  if (inBytes) {
    mem.set(inBytes, p2);
    inLen = inBytes.length;
  } else {
    inLen = encoder.encodeInto(json, mem.subarray(p2, p1 + cap)).written;
  }
  const data = bytes && bytes.length > 0 ? bytes : null;
  const p3 = data ? put(ex, data) : 0;
  let packed;
  try {
    packed = ex.call(p1, opBytes.length, p2, inLen, p3, data ? data.length : 0);
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) throw reset(e);
    throw e;
  } finally {
    if (ex === exports_) {
      ex.dealloc(p1, cap);
      if (data) ex.dealloc(p3, data.length);
    }
  }
  const { ptr, len } = unpack(packed);
  const text = decoder.decode(memory(ex).subarray(ptr, ptr + len));
  ex.dealloc(ptr, len);
  const result = JSON.parse(text);
  if (result.error) throw new BedrockRequestError(result.error);
  return result.ok;
}

/** Texts this long go around the module: spliced into the body by the host. */
const SPLICE_AT = 16 * 1024;
/** Bodies this long are hashed by the host (WebCrypto) rather than in WebAssembly. */
const HASH_AT = 64 * 1024;

function randomNonce() {
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Replaces each large text of the messages by a token the body will carry, so the text is
 * neither copied into the module nor escaped there. Returns the messages to send and the texts.
 */
function spliceOut(messages) {
  const texts = [];
  let nonce;
  const swap = (text) => {
    // A blank text is dropped by the role policy: it must reach the module (`\S` stops early).
    if (typeof text !== 'string' || text.length < SPLICE_AT || !/\S/.test(text)) return text;
    if (typeof text.isWellFormed === 'function' && !text.isWellFormed()) return text;
    nonce ??= randomNonce();
    texts.push(text);
    return `\u0001bedrock-request:${nonce}:${texts.length - 1}\u0001`;
  };
  const part = (p) => {
    if (!p || typeof p !== 'object') return p;
    if (p.type === 'text' && typeof p.text === 'string') return { ...p, text: swap(p.text) };
    if (p.type === undefined && typeof p.text === 'string' && Object.keys(p).length === 1) return { text: swap(p.text) };
    return p;
  };
  const out = (messages ?? []).map((m) => {
    if (!m || typeof m !== 'object') return m;
    if (typeof m.content === 'string') return { ...m, content: swap(m.content) };
    if (Array.isArray(m.content)) return { ...m, content: m.content.map(part) };
    return m;
  });
  return { messages: out, texts, nonce };
}

/**
 * A large text as the bytes of a JSON string's content, held in module memory: UTF-8 from
 * `encodeInto` (no intermediate copy), scanned there for bytes that need escapes (a SWAR scan
 * beats a JavaScript loop or regular expression over megabytes), and escaped there, as the
 * crate's writer escapes (`JSON.stringify`'s escapes are the same), only when needed.
 * Returns `{ptr, len, cap}`: the caller copies the bytes out and frees them.
 */
function textPiece(ex, text) {
  // UTF-8 is at most three bytes per UTF-16 unit; one byte each for ASCII, the common case.
  let cap = text.length + 8;
  let ptr = alloc(ex, cap);
  let done = encoder.encodeInto(text, memory(ex).subarray(ptr, ptr + cap));
  if (done.read < text.length) {
    ex.dealloc(ptr, cap);
    cap = text.length * 3;
    ptr = alloc(ex, cap);
    done = encoder.encodeInto(text, memory(ex).subarray(ptr, ptr + cap));
  }
  const escaped = ex.escape_json(ptr, done.written);
  if (escaped === 0n) return { ptr, len: done.written, cap };
  ex.dealloc(ptr, cap);
  const out = unpack(escaped);
  return { ptr: out.ptr, len: out.len, cap: out.len };
}

/**
 * The body's bytes: the module's body with each token replaced by its text (`textPiece`),
 * assembled in one buffer of the exact size.
 */
function spliceIn(bodyText, texts, nonce) {
  if (texts.length === 0) return encoder.encode(bodyText);
  const ex = ready();
  const token = new RegExp(`\\\\u0001bedrock-request:${nonce}:(\\d+)\\\\u0001`, 'g');
  const pieces = [];
  let at = 0;
  try {
    for (const m of bodyText.matchAll(token)) {
      pieces.push(encoder.encode(bodyText.slice(at, m.index)));
      pieces.push(textPiece(ex, texts[Number(m[1])]));
      at = m.index + m[0].length;
    }
    pieces.push(encoder.encode(bodyText.slice(at)));
    const out = new Uint8Array(pieces.reduce((n, p) => n + (p instanceof Uint8Array ? p.length : p.len), 0));
    let offset = 0;
    for (const p of pieces) {
      const bytes = p instanceof Uint8Array ? p : memory(ex).subarray(p.ptr, p.ptr + p.len);
      out.set(bytes, offset);
      offset += bytes.length;
    }
    return out;
  } finally {
    for (const p of pieces) if (!(p instanceof Uint8Array)) ex.dealloc(p.ptr, p.cap);
  }
}

function requestInput(args) {
  const { options, baml, client, env, tools, stream, countTokens, profileRegion } = args;
  return {
    options,
    baml,
    client,
    env,
    tools,
    profileRegion,
    operation: countTokens ? 'count-tokens' : stream ? 'converse-stream' : 'converse',
  };
}

/**
 * Builds the unsigned request: `{method, url, headers, body: Uint8Array, region}`.
 * `args`: `options` (a JSON options map) or `baml` + `client`; `messages` (the messages-file
 * format); `tools`; `env` (a plain object of environment variables); `stream`; `countTokens`.
 */
export function buildRequest(args) {
  const { messages, texts, nonce } = spliceOut(args.messages);
  const built = call('build', { ...requestInput(args), messages });
  return {
    method: built.method,
    url: built.url,
    headers: built.headers,
    body: spliceIn(built.bodyText, texts, nonce),
    region: built.region,
    spliced: texts.length > 0,
    bodyText: texts.length > 0 ? undefined : built.bodyText,
  };
}

let nodeCrypto;

/** Node's `createHash` when the host has one (Node, Deno, workerd with `nodejs_compat`). */
function nodeHash() {
  nodeCrypto ??= globalThis.process?.getBuiltinModule?.('node:crypto') ?? false;
  return nodeCrypto && typeof nodeCrypto.createHash === 'function' ? nodeCrypto.createHash : null;
}

/**
 * The SHA-256 of a body, in hex, computed by the host natively: Node's synchronous
 * `createHash` where there is one (it hashes the bytes in place, where WebCrypto first copies
 * them), else WebCrypto's `crypto.subtle.digest`.
 */
async function sha256Hex(bytes) {
  const createHash = nodeHash();
  if (createHash) return createHash('sha256').update(bytes).digest('hex');
  return hex(await globalThis.crypto.subtle.digest('SHA-256', bytes));
}

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The signing time in milliseconds since the epoch, from a `Date`. */
function timeMs(time) {
  if (!(time instanceof Date) || Number.isNaN(time.getTime())) {
    throw new BedrockRequestError({ kind: 'Input', message: 'time must be a Date (the signing time)' });
  }
  return time.getTime();
}

/**
 * Signs a request from `buildRequest` at `time` (a `Date`) with `credentials`
 * (`{accessKeyId, secretAccessKey, sessionToken?}`), an `apiKey`, or what `options`/`env` hold.
 * Large bodies are hashed with WebCrypto. Returns `{method, url, headers, body}`.
 */
export async function signRequest(request, { credentials, apiKey, options, baml, client, env, time, allowInsecureHttp }) {
  const input = {
    method: request.method,
    url: request.url,
    headers: request.headers,
    region: request.region,
    unixTimeMs: timeMs(time),
    credentials,
    apiKey,
    options,
    baml,
    client,
    env,
    allowInsecureHttp,
  };
  if (request.body.length >= HASH_AT && (nodeHash() || globalThis.crypto?.subtle)) {
    input.payloadHash = await sha256Hex(request.body);
  } else {
    input.bodyText = request.bodyText ?? decoder.decode(request.body);
  }
  const signed = call('sign', input);
  return { method: signed.method, url: signed.url, headers: signed.headers, body: request.body };
}

/**
 * The one-shot: builds and signs a Converse (or ConverseStream, with `stream: true`) request.
 * `{options, messages, credentials?, time, env?, tools?, stream?}` → `{method, url, headers,
 * body}`, ready for `fetch(url, {method, headers, body})`.
 */
export async function signConverse(args) {
  if (!exports_) await init();
  const { messages, texts, nonce } = spliceOut(args.messages);
  if (texts.length === 0) {
    // No large text: built and signed in one call into the module, unless the body is large
    // (media), which the module hands back unsigned for the host to hash.
    const { credentials, apiKey, time, allowInsecureHttp } = args;
    const out = call('signConverse', {
      ...requestInput(args), messages, credentials, apiKey, unixTimeMs: timeMs(time), hostHashAt: HASH_AT, allowInsecureHttp,
    });
    const body = encoder.encode(out.bodyText);
    if (!out.unsigned) return { method: out.method, url: out.url, headers: out.headers, body };
    return signRequest({ ...out, body, bodyText: undefined }, args);
  }
  const built = call('build', { ...requestInput(args), messages });
  const request = { ...built, body: spliceIn(built.bodyText, texts, nonce), bodyText: undefined };
  return signRequest(request, args);
}

/**
 * A tool's result as a message part, answering the model's tool call `toolUseId` (the `id` of
 * `completion.tool_calls[i]`): text as it is, anything else as JSON. Put it in a user message:
 * `{role: 'user', content: [toolResult(call.id, {temperature_c: 18})]}`. `status`: 'error' to
 * tell the model the tool failed.
 */
export function toolResult(toolUseId, content, status) {
  const part = {
    type: 'tool_result',
    tool_use_id: toolUseId,
    content: typeof content === 'string' ? content : [{ type: 'json', json: content }],
  };
  if (status) part.status = status;
  return part;
}

/**
 * Parses a Converse response (`status`, `headers` as pairs or a `Headers`, `body` as bytes or
 * text): `{completion, message}` (`message`: the assistant turn to append), or throws the
 * classified AWS error (`error.aws`: code, retryable, hint...).
 */
export function parseResponse({ status, headers, body, options, baml, client, env, countTokens }) {
  const pairs = !headers ? [] : Array.isArray(headers) ? headers : Array.from(headers.entries());
  const bodyText = typeof body === 'string' ? body : decoder.decode(body ?? new Uint8Array(0));
  return call('parse', { status, headers: pairs, bodyText, options, baml, client, env, countTokens });
}

/**
 * BAML's `b.parse` for a model's text: the value coerced to a JSON Schema's type (`partial`:
 * `b.parse_stream`, what an unfinished text holds so far).
 */
export function structured(text, schema, { partial = false } = {}) {
  return call('structured', { text, schema, partial });
}

/**
 * Partial values of a schema's type while a stream's text arrives. As the crate's
 * `PartialValues`, the work stays linear however many deltas come: under 8 KiB of text every
 * delta is parsed; beyond, a value is computed when the text has grown by an eighth since the
 * last one (`push` returns `undefined` in between), and always by `finish`.
 */
export class PartialValues {
  constructor(schema) {
    this.schema = schema;
    this.text = '';
    this.parsedAt = 0;
  }

  /** Adds a text delta; returns the partial value so far, when one was computed for it. */
  push(delta) {
    this.text += delta;
    if (this.text.length >= 8 * 1024 && this.text.length < this.parsedAt + this.parsedAt / 8) return undefined;
    this.parsedAt = this.text.length;
    return structured(this.text, this.schema, { partial: true });
  }

  /** The whole text, parsed as complete. */
  finish() {
    return structured(this.text, this.schema);
  }
}

/**
 * Frees module-side values whose JS object was collected without `free()` (a backstop: free
 * explicitly, collection may come late or never). Holds `{op, id, instance}`: a value of an
 * instance that was reset is gone already.
 */
const released = typeof FinalizationRegistry === 'undefined' ? null : new FinalizationRegistry(({ op, id, instance }) => {
  if (exports_ !== instance) return;
  try {
    call(op, { id });
  } catch {
    // Freed already, or the module was reset.
  }
});

/** Opens a module-side value (`newOp`), freed by `freeOp` when its owner is collected. */
function open(owner, newOp, input, freeOp) {
  const made = call(newOp, input);
  owner.id = made.id;
  owner.instance = exports_;
  released?.register(owner, { op: freeOp, id: owner.id, instance: exports_ }, owner);
  return made;
}

/** Closes what `open` opened (once; later calls do nothing). */
function close(owner, op) {
  if (owner.id === null) return undefined;
  const id = owner.id;
  owner.id = null;
  released?.unregister(owner);
  if (owner.instance !== exports_) return undefined;
  return call(op, { id });
}

/**
 * An incremental ConverseStream decoder: push the body's chunks, take the events; `finish()`
 * or `free()` releases its memory in the module.
 */
export class ConverseStreamDecoder {
  constructor() {
    open(this, 'streamNew', {}, 'streamFree');
    this.done = false;
  }

  /** Adds bytes (any chunking); returns the events they completed. */
  push(chunk) {
    if (this.id === null) throw new BedrockRequestError({ kind: 'Input', message: 'the stream decoder is finished or freed' });
    const events = call('streamPush', { id: this.id }, chunk).events;
    for (const e of events) if (e.type === 'reasoningRedacted') e.data = Uint8Array.from(e.data);
    return events;
  }

  /** Ends the stream: `{completion, message}`, as `parseResponse` gives (and frees it). */
  finish() {
    if (this.id === null) throw new BedrockRequestError({ kind: 'Input', message: 'the stream decoder is finished or freed' });
    this.done = true;
    return close(this, 'streamFinish');
  }

  /** Frees an unfinished decoder (a stream given up); nothing after `finish()`. */
  free() {
    close(this, 'streamFree');
  }
}

/**
 * Decodes a ConverseStream `ReadableStream` (a `fetch` response's `body`): yields each event,
 * and returns the completion when the stream ends. When the consumer stops early (`break`) or
 * decoding throws, the decoder is freed and the stream cancelled.
 */
export async function* decodeStream(readable) {
  if (!readable) throw new BedrockRequestError({ kind: 'Input', message: 'the response has no body to decode (res.body is null): was the request a ConverseStream one?' });
  const decoderState = new ConverseStreamDecoder();
  const reader = readable.getReader();
  let finished = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      for (const event of decoderState.push(value)) yield event;
    }
    finished = true;
    return decoderState.finish();
  } finally {
    decoderState.free();
    if (!finished) await reader.cancel().catch(() => {});
    try {
      reader.releaseLock();
    } catch {
      // Released with the cancel already.
    }
  }
}

/**
 * The AWS credential chain, sans I/O (the crate's `credentials::Chain`): environment keys,
 * `~/.aws/config` and `credentials` profiles, SSO, assume-role, web identity,
 * `credential_process`, container and instance-metadata credentials. `poll(time)` says what to
 * do next (`{type: 'readFile', path}`, `{type: 'send', request}`, `{type: 'run', argv}`), and
 * `handle(performed)` takes what the host did, until `{type: 'done', credentials, source,
 * profile, region}` or `{type: 'notFound', message}` (what to do).
 */
export class CredentialChain {
  constructor({ options, baml, client, env, profile } = {}) {
    open(this, 'chainNew', { options, baml, client, env, profile }, 'chainFree');
  }

  /** The next step, at `time` (a `Date`: expiry checks and request signing use it). */
  poll(time = new Date()) {
    return call('chainPoll', { id: this.id, unixTimeMs: time.getTime() });
  }

  /**
   * What the host did: `{type: 'file', text}` (`text: null` when there is no such file),
   * `{type: 'unreadable', why}`, `{type: 'response', status, headers, bodyText}`,
   * `{type: 'unreachable', why}`, or `{type: 'process', success, stdout, stderr}`.
   */
  handle(performed) {
    call('chainHandle', { id: this.id, performed });
  }

  /** Frees the chain inside the module (once; a collected chain is freed too). */
  free() {
    close(this, 'chainFree');
  }
}

/**
 * Runs the chain with the host's own I/O: `readFile(path)` → text or `null` (a Worker has no
 * files: leave it out), `fetch` (default: the global one), `run(argv)` →
 * `{success, stdout, stderr}` (leave it out where processes cannot run). Resolves to the
 * `done` step (`credentials` to pass to `signConverse`), or throws when no source applies.
 */
export async function resolveCredentials({ options, baml, client, env, profile, readFile, fetch: fetchFn = globalThis.fetch, run, time } = {}) {
  await init();
  const chain = new CredentialChain({ options, baml, client, env, profile });
  try {
    for (let i = 0; i < 64; i++) {
      const step = chain.poll(time ?? new Date());
      if (step.type === 'done') return step;
      if (step.type === 'notFound') {
        throw new BedrockRequestError({ kind: 'Credentials', message: step.message });
      }
      if (step.type === 'readFile') {
        let text = null;
        if (readFile) {
          try {
            text = await readFile(step.path, step.maxBytes);
          } catch (e) {
            if (e?.code !== 'ENOENT') {
              chain.handle({ type: 'unreadable', why: String(e?.message ?? e) });
              continue;
            }
          }
        }
        chain.handle({ type: 'file', text });
      } else if (step.type === 'send') {
        const { method, url, headers, bodyText } = step.request;
        try {
          // A credential request is never sent on to another address: a redirect is an error.
          const res = await fetchFn(url, { method, headers: headers.filter(([k]) => k !== 'host'), body: method === 'GET' ? undefined : bodyText, redirect: 'error' });
          chain.handle({ type: 'response', status: res.status, headers: Array.from(res.headers.entries()), bodyText: await res.text() });
        } catch (e) {
          chain.handle({ type: 'unreachable', why: String(e?.message ?? e) });
        }
      } else if (step.type === 'run') {
        if (!run) throw new BedrockRequestError({ kind: 'Credentials', message: `credential_process ${step.command} needs a run(argv) performer on this host` });
        const out = await run(step.argv);
        chain.handle({ type: 'process', success: Boolean(out.success), stdout: out.stdout ?? '', stderr: out.stderr ?? '' });
      } else {
        throw new BedrockRequestError({ kind: 'Credentials', message: `unknown chain step ${step.type}` });
      }
    }
    throw new BedrockRequestError({ kind: 'Credentials', message: 'the credential chain took more than 64 steps' });
  } finally {
    chain.free();
  }
}

/**
 * Keeps what the credential chain resolved until it is about to expire (5 minutes before,
 * as the AWS SDKs and the crate's `blocking::Resolver`), so a long-running host makes no STS
 * or SSO call per request: `new CredentialResolver({options, env, readFile, ...})` takes what
 * `resolveCredentials` takes, and `resolve(time?)` gives what it gives. Concurrent calls share
 * one resolution.
 */
export class CredentialResolver {
  constructor(args = {}) {
    this.args = args;
    this.cached = null;
    this.pending = null;
  }

  /** The credentials: the ones resolved before while they are fresh, else the chain again. */
  async resolve(time = new Date()) {
    const c = this.cached?.credentials;
    const fresh = c && (c.apiKey !== undefined || c.expiresAt === null || c.expiresAt === undefined
      || c.expiresAt - REFRESH_MARGIN_MS > time.getTime());
    if (fresh) return this.cached;
    this.pending ??= resolveCredentials({ ...this.args, time }).finally(() => { this.pending = null; });
    this.cached = await this.pending;
    return this.cached;
  }
}

/** How long before they expire `CredentialResolver` renews credentials (5 minutes). */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/**
 * The retry planner (the crate's `retry::Planner`): AWS's standard retry mode for a client
 * without a BAML `retry_policy`, the policy for one with it, and BAML's `fallback` and
 * `round-robin` clients. `start()` and `next(outcome, random)` answer `{type: 'send', client,
 * waitMs, attempt, of, note, quota}` or `{type: 'done', ok, kind?, status?, code?, summary?,
 * quota}`; the outcome is `{type: 'success'}`, `{type: 'response', status, headers, bodyText}`,
 * `{type: 'transport', why}` or `{type: 'refused', why}` (a reply whose finish reason the
 * policy refuses: never retried, never passed to a fallback). `quota` is the standard mode's
 * retry quota left (pass it to the next call's plan). `free()` when done (a collected plan is
 * freed too).
 */
export class RetryPlan {
  constructor({ options, baml, client, env, maxAttempts, noRetry, turn, quota } = {}) {
    const made = open(this, 'retryNew', { options, baml, client, env, maxAttempts, noRetry, turn, quota }, 'retryFree');
    this.first = made.next;
    this.quota = made.next.quota;
  }

  /** The first attempt. */
  start() {
    return this.first;
  }

  /** After an attempt's outcome: the next step (`random` in [0, 1) is the jitter). */
  next(outcome, random = Math.random()) {
    if (this.id === null) throw new BedrockRequestError({ kind: 'Input', message: 'the retry plan is freed' });
    const step = call('retryNext', { id: this.id, outcome, random });
    this.quota = step.quota;
    return step;
  }

  /** Frees the plan inside the module (once). */
  free() {
    close(this, 'retryFree');
  }
}

/**
 * Signs, sends and parses a Converse call with retries and BAML's client strategies: each
 * attempt is signed anew for its client at `now()`, waited for with `sleep(ms)`, sent with
 * `fetch` (redirects not followed), and its answer parsed with the client's finish-reason
 * policy. Resolves to `{completion, message, client}`; throws the last attempt's error.
 * `onRetry(note)` hears one line per retry or move to a fallback client. `quota` (`{available}`,
 * kept per client from call to call) is updated in place.
 */
export async function sendWithRetries(args) {
  if (!exports_) await init();
  const {
    fetch: fetchFn = globalThis.fetch, sleep = (ms) => new Promise((r) => setTimeout(r, ms)),
    random = Math.random, now = () => new Date(), onRetry, maxAttempts, noRetry, turn, quota,
  } = args;
  if (args.stream) {
    throw new BedrockRequestError({ kind: 'Input', message: 'sendWithRetries sends Converse, not ConverseStream: for a stream, drive a RetryPlan with signConverse, fetch and decodeStream (retry only before the first event)' });
  }
  const plan = new RetryPlan({
    options: args.options, baml: args.baml, client: args.client, env: args.env, maxAttempts, noRetry, turn, quota: quota?.available,
  });
  let lastError = null;
  let result = null;
  try {
    let step = plan.start();
    for (;;) {
      if (quota) quota.available = step.quota;
      if (step.type === 'done') {
        if (step.ok) return result;
        throw lastError ?? new BedrockRequestError({ kind: 'Aws', message: step.summary });
      }
      if (step.note) onRetry?.(step.note);
      if (step.waitMs > 0) await sleep(step.waitMs);
      const target = args.baml ? { baml: args.baml, client: step.client } : { options: args.options };
      const signed = await signConverse({ ...args, ...target, time: now() });
      let outcome;
      let res;
      try {
        res = await fetchFn(signed.url, { method: signed.method, headers: signed.headers, body: signed.body, redirect: 'manual' });
      } catch (e) {
        lastError = e;
        outcome = { type: 'transport', why: String(e?.message ?? e) };
      }
      if (res) {
        const headers = Array.from(res.headers.entries());
        const body = new Uint8Array(await res.arrayBuffer());
        try {
          result = { ...parseResponse({ status: res.status, headers, body, ...target, env: args.env }), client: step.client };
          outcome = { type: 'success' };
        } catch (e) {
          lastError = e;
          outcome = res.status >= 200 && res.status < 300
            ? { type: 'refused', why: String(e?.message ?? e) }
            : { type: 'response', status: res.status, headers, bodyText: decoder.decode(body) };
        }
      }
      step = plan.next(outcome, random());
    }
  } finally {
    plan.free();
  }
}
