// Builds the package's wasm module with the repo's toolchain (tools/wasm-setup.sh installs
// `cargo-wasm`) and writes it to dist/, printing its raw and gzipped sizes.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cargo = process.env.CARGO_WASM ?? 'cargo-wasm';
// Its own target dir, since the flags differ from the repo's other wasm builds:
// - panics abort at once (`immediate-abort`): no panic messages or locations in the module (the
//   crate does not panic on any input; a bug would surface as a `RuntimeError: unreachable`);
// - 128-bit SIMD, which Node, workerd, Deno and every current browser run, for the byte scans;
// - opt-level "s", not the wasm profile's "z": measured side by side, "z" made a small
//   request's build + sign twice as slow (41 µs against 20 µs in the module) for 15% less gzip.
const target = `${root}/target/js-wasm`;
execFileSync(cargo, ['build', '--profile', 'wasm', '--target', 'wasm32-unknown-unknown', '--example', 'js_api'], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    CARGO_TARGET_DIR: target,
    CARGO_PROFILE_WASM_OPT_LEVEL: 's',
    RUSTFLAGS: '-Zunstable-options -Cpanic=immediate-abort -Ctarget-feature=+simd128',
  },
});
mkdirSync(new URL('../dist', import.meta.url), { recursive: true });
const built = `${target}/wasm32-unknown-unknown/wasm/examples/js_api.wasm`;
const out = fileURLToPath(new URL('../dist/bedrock_request.wasm', import.meta.url));
// Binaryen's wasm-opt (npm's binaryen, a devDependency) shrinks the module further, when present.
const wasmOpt = fileURLToPath(new URL('../node_modules/.bin/wasm-opt', import.meta.url));
if (existsSync(wasmOpt)) {
  execFileSync(wasmOpt, ['-Oz', '--enable-bulk-memory', '--enable-sign-ext', '--enable-mutable-globals',
    '--enable-nontrapping-float-to-int', '--enable-simd', built, '-o', out], { stdio: 'inherit' });
} else {
  copyFileSync(built, out);
}
const files = ['../dist/bedrock_request.wasm', '../src/index.js', '../index.d.ts'];
let raw = 0, gz = 0;
for (const f of files) {
  const bytes = readFileSync(new URL(f, import.meta.url));
  raw += bytes.length;
  gz += gzipSync(bytes, { level: 9 }).length;
}
console.log(`bedrock-request package: ${raw} bytes, ${gz} gzip -9 (wasm ${statSync(out).size} bytes)`);
