#!/usr/bin/env bash
# The WebAssembly toolchain for .ci/run, from Debian's archive only (rustup fetches nothing):
#   rustc-web + cargo-web (Rust 1.96, LLVM 22) with rust-web-src: std is rebuilt from source
#     (-Zbuild-std) for wasm32-unknown-unknown and wasm32-wasip1, with our size profile;
#   lld-NN, the linker /usr/bin/rust-lld points to;
#   wasi-libc for wasm32-wasip1, plus stubs for the few symbols Rust 1.96's std links against
#     that Debian's 2022 snapshot lacks (thread creation and chmod/fchmod/realpath fail with
#     ENOTSUP, as they do on the official target);
#   binaryen (wasm-opt), for size measurements.
# It installs two commands:
#   cargo-wasm ARGS   Debian's cargo and rustc, RUSTC_BOOTSTRAP=1, -Zbuild-std=std,panic_abort,
#                     and wasi-run as the wasm32-wasip1 runner: `cargo-wasm test --target wasm32-wasip1`
#   wasi-run F.wasm   runs a WASI preview1 program under Node's node:wasi, host / preopened as /
# Idempotent (a second run installs nothing); run as root. rustup's own cargo stays first in PATH.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

installed() { [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" = "ii " ]; }
version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null; }
apt_get() { apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }

packages=(rustc-web cargo-web rust-web-src rust-web-llvm wasi-libc binaryen)
need=0
for p in "${packages[@]}"; do installed "$p" || need=1; done
# The std sources must be the compiler's own version, or -Zbuild-std fails.
[ "$need" = 0 ] && [ "$(version rustc-web)" != "$(version rust-web-src)" ] && need=1
if [ "$need" = 1 ]; then
  apt-get update -qq
  apt_get "${packages[@]}"
fi

# The linker of rustc-web's LLVM (today lld-22).
lld=$(basename "$(readlink /usr/bin/rust-lld 2>/dev/null || echo lld-22)")
if ! installed "$lld"; then apt_get "$lld" || { apt-get update -qq && apt_get "$lld"; }; fi
llvm=/usr/lib/llvm-${lld#lld-}/bin

# wasm32-wasip1: rustc looks for crt1 objects and libc.a in the target's self-contained dir.
self_contained=/usr/lib/rustlib/wasm32-wasip1/lib/self-contained
mkdir -p "$self_contained"
ln -sf /usr/lib/wasm32-wasi/crt1-command.o /usr/lib/wasm32-wasi/crt1-reactor.o "$self_contained/"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp /usr/lib/wasm32-wasi/libc.a "$work/libc.a"
"$llvm/llvm-nm" --defined-only "$work/libc.a" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u > "$work/defined"
{
  echo 'target triple = "wasm32-unknown-wasi"'
  echo '@errno = external global i32'
  # name|definition: only the functions this libc.a does not define get a stub (58 = ENOTSUP).
  while IFS='|' read -r name body; do
    grep -qx "$name" "$work/defined" || echo "$body"
  done <<'STUBS'
pthread_attr_init|define i32 @pthread_attr_init(ptr %a) { ret i32 0 }
pthread_attr_destroy|define i32 @pthread_attr_destroy(ptr %a) { ret i32 0 }
pthread_attr_setstacksize|define i32 @pthread_attr_setstacksize(ptr %a, i32 %s) { ret i32 0 }
pthread_create|define i32 @pthread_create(ptr %t, ptr %a, ptr %f, ptr %x) { ret i32 58 }
pthread_join|define i32 @pthread_join(ptr %t, ptr %r) { ret i32 58 }
pthread_detach|define i32 @pthread_detach(ptr %t) { ret i32 58 }
chmod|define i32 @chmod(ptr %p, i32 %m) { store i32 58, ptr @errno ret i32 -1 }
fchmod|define i32 @fchmod(i32 %fd, i32 %m) { store i32 58, ptr @errno ret i32 -1 }
realpath|define ptr @realpath(ptr %p, ptr %r) { store i32 58, ptr @errno ret ptr null }
STUBS
} > "$work/stubs.ll"
if grep -q '^define' "$work/stubs.ll"; then
  "$llvm/llc" -mtriple=wasm32-unknown-wasi -filetype=obj "$work/stubs.ll" -o "$work/stubs.o"
  "$llvm/llvm-ar" rs "$work/libc.a" "$work/stubs.o" 2>/dev/null
fi
install -m 0644 "$work/libc.a" "$self_contained/libc.a"

cat > /usr/local/bin/wasi-run <<'NODE'
#!/usr/bin/env -S node --no-warnings
// wasi-run FILE.wasm [ARGS...]: a WASI preview1 program under Node (cargo's wasm32-wasip1 runner).
// The host's / is preopened as /: tests build their paths from env!("CARGO_MANIFEST_DIR").
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
const [file, ...args] = process.argv.slice(2);
const wasi = new WASI({ version: 'preview1', args: [file, ...args], env: process.env,
                        preopens: { '/': '/' }, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(file));
process.exitCode = wasi.start(await WebAssembly.instantiate(module, wasi.getImportObject()));
NODE
cat > /usr/local/bin/cargo-wasm <<'SH'
#!/bin/sh
# cargo-wasm ARGS (or `cargo wasm ARGS`): Debian's cargo/rustc with std built from source.
[ "${1:-}" = wasm ] && shift
export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
export CARGO_TARGET_WASM32_WASIP1_RUNNER="${CARGO_TARGET_WASM32_WASIP1_RUNNER:-/usr/local/bin/wasi-run}"
exec /usr/bin/cargo -Zbuild-std=std,panic_abort "$@"
SH
chmod 0755 /usr/local/bin/wasi-run /usr/local/bin/cargo-wasm

command -v node >/dev/null || { echo "node is missing: the wasm32-wasip1 tests run under Node" >&2; exit 1; }
echo "wasm toolchain: $(/usr/bin/rustc -V), $lld, node $(node -v)"
