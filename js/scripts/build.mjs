// Builds the package's wasm module with the repo's toolchain (tools/wasm-setup.sh installs
// `cargo-wasm`) and writes it to dist/, printing its raw and gzipped sizes.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cargo = process.env.CARGO_WASM ?? 'cargo-wasm';
// Its own target dir, since the flags differ from the repo's other wasm builds. Each was measured
// side by side (gzipped package; build + sign of a small request, Node 20):
// - opt-level "z" with LLVM's inline threshold at 0: only what is free to inline is inlined
//   (6.6 KB less gzipped than threshold 25, 7 KB less than 50). It is 10% slower per call
//   than 25, since size-optimised code keeps even `Vec`'s fast paths out of line; the kept
//   signing key (`sign::sigv4`) won that back: in the JS bench it came to 0.086–0.097×
//   aws4fetch, as 25 did without it. Size does not grow steadily with the threshold: from
//   about 62 every `Vec`'s drop is inlined where it is dropped (70: 30 KB more);
// - the module's own allocator (`examples/js_api/heap.rs`) in place of dlmalloc: 2 KB less at
//   "z", and the same speed;
// - std built with `optimize_for_size` (smaller sorts and formatting): 9 KB less, same speed;
// - panics abort at once (`immediate-abort`): no panic messages or locations in the module (the
//   crate does not panic on any input; a bug would surface as a `RuntimeError: unreachable`);
// - 128-bit SIMD, which Node, workerd, Deno and every current browser run, for the byte scans
//   and base64.
const target = `${root}/target/js-wasm`;
execFileSync(cargo, ['build', '--profile', 'wasm', '--target', 'wasm32-unknown-unknown', '--example', 'js_api'], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    CARGO_TARGET_DIR: target,
    CARGO_PROFILE_WASM_OPT_LEVEL: 'z',
    CARGO_UNSTABLE_BUILD_STD_FEATURES: 'optimize_for_size',
    RUSTFLAGS: '-Zunstable-options -Cpanic=immediate-abort -Ctarget-feature=+simd128 -Cllvm-args=-inline-threshold=0',
  },
});
mkdirSync(new URL('../dist', import.meta.url), { recursive: true });
const built = `${target}/wasm32-unknown-unknown/wasm/examples/js_api.wasm`;
const out = fileURLToPath(new URL('../dist/bedrock_request.wasm', import.meta.url));
// Binaryen's wasm-opt (npm's binaryen, a devDependency) shrinks the module further, when present.
const wasmOpt = fileURLToPath(new URL('../node_modules/.bin/wasm-opt', import.meta.url));
if (existsSync(wasmOpt)) {
  // `-Oz`, then the control flow flattened and rebuilt (`--flatten --rereloop`) and `-Oz` again:
  // 1.5 KB less gzipped than `-Oz` alone, at the same speed.
  execFileSync(wasmOpt, ['-Oz', '--flatten', '--rereloop', '-Oz', '--enable-bulk-memory', '--enable-sign-ext', '--enable-mutable-globals',
    '--enable-nontrapping-float-to-int', '--enable-simd', built, '-o', out], { stdio: 'inherit' });
  // Then the functions in an order gzip compresses better (scripts/reorder.mjs): 3.8 KB less.
  const { default: binaryen } = await import('binaryen');
  const f = binaryen.Features;
  const features = f.BulkMemory | f.BulkMemoryOpt | f.SignExt | f.MutableGlobals | f.NontrappingFPToInt | f.SIMD128;
  const { reorder } = await import('./reorder.mjs');
  writeFileSync(out, reorder(readFileSync(out), features));
} else {
  copyFileSync(built, out);
}
// The JS the package ships: src/index.js minified by esbuild (a devDependency), ESM as written,
// nothing bundled (6.5 KB gzipped with its comments, 2.5 KB without; the documentation lives
// in index.d.ts, which editors show). The tests run this file, as users do.
const esbuild = await import('esbuild');
await esbuild.build({
  entryPoints: [fileURLToPath(new URL('../src/index.js', import.meta.url))],
  outfile: fileURLToPath(new URL('../dist/index.js', import.meta.url)),
  format: 'esm',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
const files = ['../dist/bedrock_request.wasm', '../dist/index.js', '../index.d.ts'];
let raw = 0, gz = 0;
for (const f of files) {
  const bytes = readFileSync(new URL(f, import.meta.url));
  raw += bytes.length;
  gz += gzipSync(bytes, { level: 9 }).length;
}
console.log(`bedrock-request package: ${raw} bytes, ${gz} gzip -9 (wasm ${statSync(out).size} bytes)`);
