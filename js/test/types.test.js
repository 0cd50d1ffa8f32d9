// The README's examples type-check under `tsc --strict` against the shipped index.d.ts (and
// wasm.d.ts), as they are written: each ```js block of README.md becomes a module checked as
// JavaScript (checkJs) and, pasted into a TypeScript project, as TypeScript; each ```ts block
// as TypeScript; with the DOM's and Node's types, the package imported by its name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const tsc = join(pkg, 'node_modules/.bin/tsc');

/** Type-checks these modules (name → source) inside the package; returns tsc's output. */
function check(modules) {
  // Inside the package, so `bedrock-request` resolves to itself through package.json's exports.
  const dir = mkdtempSync(join(pkg, 'test', '.types-'));
  try {
    for (const [name, source] of Object.entries(modules)) writeFileSync(join(dir, name), source);
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        strict: true, noEmit: true, allowJs: true, checkJs: true, skipLibCheck: false,
        module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022',
        lib: ['es2022', 'dom', 'dom.iterable', 'dom.asynciterable'], types: ['node'],
      },
      include: ['*.mjs', '*.mts'],
    }));
    try {
      execFileSync(tsc, ['-p', dir], { encoding: 'utf8' });
      return '';
    } catch (e) {
      return `${e.stdout}${e.stderr}`;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the README\'s examples pass tsc --strict against the shipped types', { skip: !existsSync(tsc) && 'typescript is not installed (npm ci in js/)' }, () => {
  const readme = readFileSync(join(pkg, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```(js|ts)\n([\s\S]*?)```/g)];
  assert.ok(blocks.length >= 3, `${blocks.length}`);
  assert.ok(blocks.some(([, lang]) => lang === 'ts'), 'the Worker example is TypeScript');
  const modules = {};
  blocks.forEach(([, lang, source], i) => {
    modules[`readme-${i + 1}.mts`] = source;
    if (lang === 'js') modules[`readme-${i + 1}.mjs`] = source;
  });
  assert.equal(check(modules), '');
});

test('and the types still catch what they should (the check is not vacuous)', { skip: !existsSync(tsc) && 'typescript is not installed (npm ci in js/)' }, () => {
  const out = check({
    'wrong.mjs': `import { parseResponse, signConverse } from 'bedrock-request';
const parsed = parseResponse({ status: 200, body: '{}', countTokens: true });
console.log(parsed.completion);
await signConverse({ messages: [], time: 'now' });
`,
    // A JSDoc-typed parameter is typed in JavaScript only: as TypeScript it is an implicit any.
    'jsdoc.mts': `/** @param {Request} request */
export async function handle(request) { return request.text(); }
`,
  });
  assert.match(out, /jsdoc\.mts.*Parameter 'request' implicitly has an 'any' type/);
  assert.match(out, /Property 'completion' does not exist/);
  assert.match(out, /'string' is not assignable to type 'Date'/);
});
