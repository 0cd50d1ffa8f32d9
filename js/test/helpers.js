// Test helpers written from AWS's specifications, independent of the package: a SigV4
// verifier (node:crypto) and an event-stream encoder (CRC-32 by table).
import { createHash, createHmac } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';

export const root = new URL('../../', import.meta.url);

export function vectors() {
  const dir = new URL('vectors/bedrock/', root);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f.replace(/\.json$/, ''), ...JSON.parse(readFileSync(new URL(f, dir), 'utf8')) }));
}

const sha256 = (data) => createHash('sha256').update(data).digest('hex');
const hmac = (key, data) => createHmac('sha256', key).update(data).digest();

/**
 * Recomputes the SigV4 signature of a signed request (method, URL, headers, body bytes) with
 * `secret`, per AWS's "Create a signed AWS API request" (path segments URI-encoded again, as
 * for every service but S3), and says whether the authorization header carries it.
 */
export function verifySigV4({ method, url, headers, body }, secret) {
  const h = new Map(headers.map(([k, v]) => [k.toLowerCase(), v]));
  const auth = h.get('authorization') ?? '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return { valid: false, why: `not a SigV4 authorization header: ${auth}` };
  const [, , date, region, service, signedHeaders, signature] = m;
  const u = new URL(url);
  const path = u.pathname.split('/').map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');
  const names = signedHeaders.split(';');
  const canonical = [
    method,
    path || '/',
    '',
    ...names.map((n) => `${n}:${(h.get(n) ?? '').trim().replace(/\s+/g, ' ')}`),
    '',
    signedHeaders,
    sha256(body),
  ].join('\n');
  const amzDate = h.get('x-amz-date');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  let key = hmac(`AWS4${secret}`, date);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  const expected = createHmac('sha256', key).update(toSign).digest('hex');
  return { valid: expected === signature, why: expected === signature ? '' : `signature ${signature}, expected ${expected}` };
}

const CRC = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One event-stream message (application/vnd.amazon.eventstream) with string headers. */
export function frame(headers, payload) {
  const enc = new TextEncoder();
  const parts = [];
  for (const [name, value] of Object.entries(headers)) {
    const n = enc.encode(name);
    const v = enc.encode(value);
    parts.push(Uint8Array.of(n.length), n, Uint8Array.of(7, v.length >> 8, v.length & 0xff), v);
  }
  const headerBytes = Buffer.concat(parts);
  const body = enc.encode(payload);
  const total = 12 + headerBytes.length + body.length + 4;
  const out = Buffer.alloc(total);
  out.writeUInt32BE(total, 0);
  out.writeUInt32BE(headerBytes.length, 4);
  out.writeUInt32BE(crc32(out.subarray(0, 8)), 8);
  headerBytes.copy(out, 12);
  Buffer.from(body).copy(out, 12 + headerBytes.length);
  out.writeUInt32BE(crc32(out.subarray(0, total - 4)), total - 4);
  return new Uint8Array(out);
}

export function eventFrame(type, payload) {
  return frame({ ':message-type': 'event', ':event-type': type, ':content-type': 'application/json' }, JSON.stringify(payload));
}

/** The SigV4 verdict on a request Node's http server received (raw headers, whole body). */
export function verifyIncoming(req, body, secret) {
  const headers = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i].toLowerCase(), req.rawHeaders[i + 1]]);
  return verifySigV4({ method: req.method, url: `http://${req.headers.host}${req.url}`, headers, body }, secret);
}

/** Answers like Bedrock would: a Converse reply `verified` when the signature checks, a 403 when not. */
export function answer(res, verdict) {
  res.writeHead(verdict.valid ? 200 : 403, { 'content-type': 'application/json' });
  res.end(verdict.valid
    ? JSON.stringify({ output: { message: { role: 'assistant', content: [{ text: 'verified' }] } }, stopReason: 'end_turn' })
    : JSON.stringify({ message: verdict.why }));
}

/**
 * A loopback server that checks the SigV4 of every request with `secret` and answers as
 * `answer` does (`other(req, res, body)` first takes what it wants); `verdicts` collects each.
 */
export async function verifyingServer(secret, other) {
  const { createServer } = await import('node:http');
  const verdicts = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (other && other(req, res, body)) return;
      const verdict = verifyIncoming(req, body, secret);
      verdicts.push(verdict.valid || verdict.why);
      answer(res, verdict);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: server.address().port, verdicts };
}
