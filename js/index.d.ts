// Types of the bedrock-request package (src/index.js).

/** `[name, value]` pairs: what `new Headers(...)` and `fetch` take. */
export type HeaderList = [string, string][];

/** Environment variables as a plain object (`{ ...process.env }` fits: unset ones are left out). */
export type Env = Record<string, string | undefined>;

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** A messages-file message: `{role, content: string | Part[], metadata?}` (the messages file of `docs/requests.md`). */
export interface Message {
  role: string;
  content: string | Record<string, unknown>[];
  metadata?: Record<string, unknown>;
}

export interface RequestArgs {
  /** A JSON options map (BAML's ClientRegistry shape), or `baml` text with `client`. */
  options?: Record<string, unknown>;
  baml?: string;
  client?: string;
  messages: Message[];
  /** A tools file: `{tools: [...], tool_choice?, cache_point?}`. */
  tools?: Record<string, unknown>;
  /** Environment variables (`AWS_REGION`, `AWS_ACCESS_KEY_ID`...), as a plain object. */
  env?: Env;
  /** ConverseStream instead of Converse. */
  stream?: boolean;
  /** CountTokens for the same conversation. */
  countTokens?: boolean;
  /** The profile's region, when the host resolved one. */
  profileRegion?: string;
}

export interface UnsignedRequest {
  method: string;
  url: string;
  headers: HeaderList;
  body: Uint8Array;
  region: string;
}

export interface SignArgs {
  /** Keys, or what `resolveCredentials` found (keys or a Bedrock API key). */
  credentials?: Credentials | { apiKey: string };
  /** A Bedrock API key (`Authorization: Bearer`). */
  apiKey?: string;
  options?: Record<string, unknown>;
  baml?: string;
  client?: string;
  env?: Env;
  /** The signing time. */
  time: Date;
  /**
   * Sign an API key or a session token for a plain `http://` endpoint that is not this
   * machine (refused by default: they would travel in clear text).
   */
  allowInsecureHttp?: boolean;
}

/** A request to send: `fetch(signed.url, signed)` takes it as it is. */
export interface SignedRequest {
  method: string;
  url: string;
  headers: HeaderList;
  body: Uint8Array<ArrayBuffer>;
}

export interface AwsErrorInfo {
  code: string;
  message: string;
  status: number | null;
  requestId: string | null;
  retryable: boolean;
  hint: string;
  kind: string;
}

export class BedrockRequestError extends Error {
  /** The crate's error kind: `Config`, `Prompt`, `Request`, `Credentials`, `Signing`, `Aws`, `Response`, `StructuredOutput`, `Input`... */
  kind: string;
  /** For AWS errors: the classified error. */
  aws?: AwsErrorInfo;
}

/** What `parseResponse` and `ConverseStreamDecoder.finish` return. */
export interface Parsed {
  /** `{text, stop_reason, usage, tool_calls, server_tool_calls, reasoning, citations, service_tier}`. */
  completion: {
    text: string;
    stop_reason: string | null;
    usage: Usage | null;
    tool_calls: { id: string; name: string; input: unknown }[];
    server_tool_calls: { id: string; name: string; input: unknown }[];
    reasoning: { text: string | null; signature: string | null; redacted: string | null }[];
    citations: Record<string, unknown>[];
    service_tier: string | null;
  };
  /** The assistant turn to append to the messages, every block as it came. */
  message: { role: 'assistant'; content: Record<string, unknown>[] };
}

/** Usage in a stream's `metadata` event: camelCase, as every event field (Bedrock's names). */
export interface StreamUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cacheReadInputTokens: number | null;
  cacheWriteInputTokens: number | null;
  cacheDetails: { ttl: string; inputTokens: number }[];
}

/** Usage as the completion (`Parsed.completion.usage`) writes it: snake_case, as the crate's completion JSON. */
export interface Usage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cache_read_input_tokens: number | null;
  cache_write_input_tokens: number | null;
  cache_details: { ttl: string; input_tokens: number }[];
}

/** A ConverseStream event, with every field the crate reads from it. */
export type StreamEvent =
  | { type: 'messageStart'; role: string }
  | { type: 'toolUseStart'; index: number; id: string; name: string; toolType: string | null }
  | { type: 'toolResultStart'; index: number; toolUseId: string; status: string | null; toolType: string | null }
  | { type: 'imageStart'; index: number; format: string }
  | { type: 'text'; index: number; text: string }
  | { type: 'toolInput'; index: number; input: string }
  | { type: 'toolResult'; index: number; content: unknown }
  | { type: 'reasoning'; index: number; text: string }
  | { type: 'reasoningSignature'; index: number; signature: string }
  | { type: 'reasoningRedacted'; index: number; data: Uint8Array }
  | { type: 'citation'; index: number; citation: Record<string, unknown> }
  | { type: 'image'; index: number; delta: unknown }
  | { type: 'contentBlockStop'; index: number }
  | { type: 'messageStop'; stopReason: string | null; additionalModelResponseFields: unknown }
  | {
      type: 'metadata';
      usage: StreamUsage | null;
      latencyMs: number | null;
      trace: unknown;
      serviceTier: string | null;
      performanceLatency: string | null;
    }
  | { type: 'unknown'; eventType: string; payload: unknown };

export function init(source?: WebAssembly.Module | BufferSource | Response | URL | string): Promise<void>;
export function buildRequest(args: RequestArgs): UnsignedRequest;
export function signRequest(request: UnsignedRequest, args: SignArgs): Promise<SignedRequest>;
export function signConverse(args: RequestArgs & SignArgs): Promise<SignedRequest>;
/**
 * A tool's result as a message part for a user turn, answering `completion.tool_calls[i].id`:
 * text as it is, anything else as JSON; `status: 'error'` when the tool failed.
 */
export function toolResult(toolUseId: string, content: unknown, status?: 'success' | 'error'): Record<string, unknown>;

/** What `parseResponse` takes: a response's status, headers and body. */
export interface ResponseArgs {
  status: number;
  headers?: HeaderList | Headers;
  body: Uint8Array | string;
  /** The client (its options, or BAML text and a client name): its finish-reason policy applies. */
  options?: Record<string, unknown>;
  baml?: string;
  client?: string;
  env?: Env;
}
/**
 * Parses a Converse response: `{completion, message}`, or throws the classified AWS error
 * (`BedrockRequestError` with `aws`). With `countTokens: true`, a CountTokens reply:
 * `{inputTokens}`.
 */
export function parseResponse(response: ResponseArgs & { countTokens: true }): { inputTokens: number };
export function parseResponse(response: ResponseArgs & { countTokens?: false }): Parsed;
/**
 * BAML's `b.parse`: the value in a model's text, coerced to a JSON Schema's type or to BAML
 * types (`{baml: 'class Person { name string }', type: 'Person[]'}`, with `@alias`, `@skip`,
 * `@check`/`@assert` and `@stream.*`). `partial`: `b.parse_stream`.
 */
export function structured(text: string, schema: Record<string, unknown> | BamlTypes, options?: { partial?: boolean }): unknown;

/** BAML types as the schema: the declarations and the type to parse into. */
export interface BamlTypes {
  baml: string;
  type: string;
}

export class PartialValues {
  constructor(schema: Record<string, unknown>);
  /** The partial value so far, or `undefined` when none was computed for this delta (large texts). */
  push(delta: string): unknown | undefined;
  finish(): unknown;
}

/** An incremental decoder; `finish()` or `free()` releases its module memory. */
export class ConverseStreamDecoder {
  constructor();
  push(chunk: Uint8Array): StreamEvent[];
  /** The completion (frees the decoder). */
  finish(): Parsed;
  /** Frees an unfinished decoder (a stream given up). */
  free(): void;
}

/** Frees its decoder and cancels the stream when the consumer stops early or decoding throws. */
export function decodeStream(readable: ReadableStream<Uint8Array> | null): AsyncGenerator<StreamEvent, Parsed, void>;

/** A step of the credential chain. */
export type ChainStep =
  | { type: 'readFile'; path: string; maxBytes: number }
  | { type: 'send'; request: { method: string; url: string; headers: HeaderList; bodyText: string } }
  | { type: 'run'; command: string; argv: string[] }
  | { type: 'done'; credentials: (Credentials & { expiresAt: number | null }) | { apiKey: string }; source: string; profile: string | null; region: string | null }
  | { type: 'notFound'; message: string };

export type Performed =
  | { type: 'file'; text: string | null }
  | { type: 'unreadable'; why: string }
  | { type: 'response'; status: number; headers: HeaderList; bodyText: string }
  | { type: 'unreachable'; why: string }
  | { type: 'process'; success: boolean; stdout: string; stderr: string };

export class CredentialChain {
  constructor(args?: { options?: Record<string, unknown>; baml?: string; client?: string; env?: Env; profile?: string });
  poll(time?: Date): ChainStep;
  handle(performed: Performed): void;
  free(): void;
}

export function resolveCredentials(args?: {
  options?: Record<string, unknown>; baml?: string; client?: string; env?: Env; profile?: string;
  /** Reads a regular file of at most `maxBytes` (the chain refuses a longer text). */
  readFile?: (path: string, maxBytes: number) => Promise<string | null> | string | null;
  fetch?: typeof fetch;
  run?: (argv: string[]) => Promise<{ success: boolean; stdout: string; stderr: string }>;
  time?: Date;
}): Promise<Extract<ChainStep, { type: 'done' }>>;

/**
 * Keeps what the credential chain resolved until 5 minutes before it expires (as the crate's
 * `blocking::Resolver`): one resolution per expiry, not one per request.
 */
export class CredentialResolver {
  constructor(args?: Parameters<typeof resolveCredentials>[0]);
  resolve(time?: Date): ReturnType<typeof resolveCredentials>;
}

/** The module's memory in bytes (it only grows; a steady workload keeps it flat). */
export function moduleMemoryBytes(): number;

/** The most one call takes into the module (its input as JSON, or its bytes): 512 MiB. */
export const MAX_INPUT_BYTES: number;

/** A step of a retry plan; `quota`: the standard mode's retry quota left (0 to 500). */
export type RetryStep =
  | { type: 'send'; client: string; waitMs: number; attempt: number; of: number; note: string | null; quota: number }
  | { type: 'done'; ok: true; quota: number }
  | {
      type: 'done'; ok: false; kind: 'throttling' | 'transient' | 'other' | 'permanent' | 'refused';
      status: number | null; code: string; summary: string; quota: number;
    };

/** What became of an attempt. */
export type RetryOutcome =
  | { type: 'success' }
  | { type: 'response'; status: number; headers: HeaderList; bodyText: string }
  | { type: 'transport'; why: string }
  /** A reply the client's finish-reason policy refused: never retried, never passed on. */
  | { type: 'refused'; why: string };

/** Which client(s) to call and how to retry: the crate's `retry::Planner`. */
export interface RetryArgs {
  options?: Record<string, unknown>;
  baml?: string;
  client?: string;
  env?: Env;
  /** Attempts per client on the AWS default mode (AWS_MAX_ATTEMPTS otherwise, else 3). */
  maxAttempts?: number;
  /** No retry at all (a fallback still moves on). */
  noRetry?: boolean;
  /** Round-robin's turn: your count of calls made with this client. */
  turn?: number;
}

/**
 * One call's retry plan: `start()`, then `next(outcome)` after each attempt until `done`.
 * The caller sleeps `waitMs` and owns the randomness (`random` in [0, 1)).
 */
export class RetryPlan {
  constructor(args: RetryArgs & { quota?: number });
  /** The retry quota left after the last step. */
  readonly quota: number;
  start(): RetryStep;
  next(outcome: RetryOutcome, random?: number): RetryStep;
  free(): void;
}

/** Signs, sends (with `fetch`) and parses a Converse call, with retries and BAML's fallback / round-robin. */
export function sendWithRetries(args: RequestArgs & Omit<SignArgs, 'time'> & RetryArgs & {
  fetch?: (url: string, init: { method: string; headers: HeaderList; body: Uint8Array; redirect: 'manual' }) => Promise<Response>;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** The signing clock (each attempt is signed anew). */
  now?: () => Date;
  onRetry?: (note: string) => void;
  /** The client's retry quota, kept from call to call; updated in place. */
  quota?: { available: number };
}): Promise<Parsed & { client: string }>;
