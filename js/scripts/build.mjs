// Builds the package's wasm module with the repo's toolchain (tools/wasm-setup.sh installs
// `cargo-wasm`) and writes it to dist/, printing its raw and gzipped sizes.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cargo = process.env.CARGO_WASM ?? 'cargo-wasm';
execFileSync(cargo, ['build', '--profile', 'wasm', '--target', 'wasm32-unknown-unknown', '--example', 'js_api'],
  { cwd: root, stdio: 'inherit' });
mkdirSync(new URL('../dist', import.meta.url), { recursive: true });
const built = `${root}/target/wasm32-unknown-unknown/wasm/examples/js_api.wasm`;
const out = fileURLToPath(new URL('../dist/bedrock_request.wasm', import.meta.url));
// Binaryen's wasm-opt (npm's binaryen, a devDependency) shrinks the module further, when present.
const wasmOpt = fileURLToPath(new URL('../node_modules/.bin/wasm-opt', import.meta.url));
if (existsSync(wasmOpt)) {
  execFileSync(wasmOpt, ['-Oz', '--enable-bulk-memory', '--enable-sign-ext', '--enable-mutable-globals',
    '--enable-nontrapping-float-to-int', built, '-o', out], { stdio: 'inherit' });
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
