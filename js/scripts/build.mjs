// Builds the package's wasm module with the repo's toolchain (tools/wasm-setup.sh installs
// `cargo-wasm`) and writes it to dist/, printing its raw and gzipped sizes.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cargo = process.env.CARGO_WASM ?? 'cargo-wasm';
// Its own target dir, since the flags differ from the repo's other wasm builds:
// - opt-level "s" (the workspace's `wasm` profile says "z"): faster per call, for a size
//   within the package's budget;
// - std built with `optimize_for_size` (smaller sorts and formatting);
// - panics abort at once (`immediate-abort`): no panic messages or locations in the module (the
//   crate does not panic on any input; a bug would surface as a `RuntimeError: unreachable`);
// - 128-bit SIMD, which Node, workerd, Deno and every current browser run, for the byte scans
//   and base64.
// docs/wasm.md has the sizes and speeds these were measured at.
const target = `${root}/target/js-wasm`;
execFileSync(cargo, ['build', '--profile', 'wasm', '--target', 'wasm32-unknown-unknown', '-p', 'bedrock-request-js', '--lib'], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    CARGO_TARGET_DIR: target,
    CARGO_PROFILE_WASM_OPT_LEVEL: 's',
    CARGO_UNSTABLE_BUILD_STD_FEATURES: 'optimize_for_size',
    RUSTFLAGS: '-Zunstable-options -Cpanic=immediate-abort -Ctarget-feature=+simd128',
  },
});
mkdirSync(new URL('../dist', import.meta.url), { recursive: true });
const built = `${target}/wasm32-unknown-unknown/wasm/bedrock_request_js.wasm`;
const out = fileURLToPath(new URL('../dist/bedrock_request.wasm', import.meta.url));
// Binaryen's wasm-opt -Oz (Debian's binaryen, which tools/wasm-setup.sh installs), when present.
const wasmOpt = process.env.WASM_OPT ?? 'wasm-opt';
let optimised = false;
try {
  execFileSync(wasmOpt, ['-Oz', '--enable-bulk-memory', '--enable-sign-ext', '--enable-mutable-globals',
    '--enable-nontrapping-float-to-int', '--enable-simd', built, '-o', out], { stdio: 'inherit' });
  optimised = true;
} catch (e) {
  if (e.code !== 'ENOENT') throw e;
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
// The license travels with the package (dist/ is in package.json's "files").
copyFileSync(fileURLToPath(new URL('../../LICENSE', import.meta.url)), fileURLToPath(new URL('../dist/LICENSE', import.meta.url)));
const files = ['../dist/bedrock_request.wasm', '../dist/index.js', '../index.d.ts'];
let raw = 0, gz = 0;
for (const f of files) {
  const bytes = readFileSync(new URL(f, import.meta.url));
  raw += bytes.length;
  gz += gzipSync(bytes, { level: 9 }).length;
}
console.log(`bedrock-request package: ${raw} bytes, ${gz} gzip -9 (wasm ${statSync(out).size} bytes${optimised ? '' : ', without wasm-opt'})`);
// The size budget: 325 KB gzipped (Cloudflare's limit is 3 MB compressed). Issue 24 set 250 KB;
// issue 26's retry planner and issue 28's BAML parser parity and BAML types took the package to
// 320 KB (docs/wasm.md has each one's cost and the measured alternative).
const budget = 325 * 1000;
if (gz > budget) {
  console.error(`the package is ${gz} bytes gzipped, over its budget of ${budget}`);
  process.exit(1);
}
