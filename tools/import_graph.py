#!/usr/bin/env python3
"""Who imports whom in each crate of the workspace, from the source alone.

For every crate (the members of the root Cargo.toml), each `.rs` file under its `src/` is a
module; a file imports another when one of its `crate::`, `super::` or `self::` paths (in `use`
items or written inline) resolves to that module (the longest module prefix wins). Test-only
modules (`#[cfg(test)] mod name { ... }` and `#[cfg(test)] mod name;`) are left out: tests may
reach across.

  python3 tools/import_graph.py            prints each crate's graph, one `file -> files` a line
  python3 tools/import_graph.py --json     the same as JSON
  python3 tools/import_graph.py --check    exits 1 on a circle of imports in any crate, a CLI
                                           file over 400 lines, or the library depending on
                                           another crate of the workspace

Standard library only, so `.ci/run` needs nothing installed for it.
"""
import json
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
CLI_MAX_LINES = 400


def members():
    text = open(os.path.join(ROOT, "Cargo.toml"), encoding="utf-8").read()
    block = re.search(r"members\s*=\s*\[([^\]]*)\]", text)
    return re.findall(r'"([^"]+)"', block.group(1)) if block else []


def package_name(crate_dir):
    text = open(os.path.join(ROOT, crate_dir, "Cargo.toml"), encoding="utf-8").read()
    return re.search(r'^name\s*=\s*"([^"]+)"', text, re.M).group(1)


def without_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


TEST_BLOCK = re.compile(r"#\[cfg\(test\)\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*(\{|;)")


def test_only(text):
    """The text without inline test modules, and the names of file test modules it declares."""
    kept, files, at = [], set(), 0
    for m in TEST_BLOCK.finditer(text):
        if m.start() < at:
            continue
        if m.group(2) == ";":
            files.add(m.group(1))
            continue
        kept.append(text[at:m.start()])
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        at = i
    kept.append(text[at:])
    return "".join(kept), files


def flatten_use(tree):
    """`a::{b, c::{d, e}}` -> ['a::b', 'a::c::d', 'a::c::e']."""
    tree = re.sub(r"\s+", "", tree)
    brace = tree.find("{")
    if brace < 0:
        return [tree]
    depth, end = 0, brace
    for end in range(brace, len(tree)):
        depth += {"{": 1, "}": -1}.get(tree[end], 0)
        if depth == 0:
            break
    prefix, inner, rest = tree[:brace], tree[brace + 1:end], tree[end + 1:]
    items, depth, item = [], 0, ""
    for ch in inner:
        if ch == "," and depth == 0:
            items.append(item)
            item = ""
        else:
            depth += {"{": 1, "}": -1}.get(ch, 0)
            item += ch
    items.append(item)
    return [path for it in items if it for path in flatten_use(prefix + it + rest)]


def crate_graph(crate_dir):
    src = os.path.join(ROOT, crate_dir, "src")
    modules, texts, tests = {}, {}, set()
    for folder, _, files in os.walk(src):
        for name in files:
            if not name.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(folder, name), src)
            parts = rel[:-3].split(os.sep)
            if parts[-1] in ("mod", "lib", "main"):
                parts = parts[:-1]
            path = os.path.join(crate_dir, "src", rel)
            modules[tuple(parts)] = path
            text, test_files = test_only(without_comments(open(os.path.join(ROOT, path), encoding="utf-8").read()))
            texts[tuple(parts)] = text
            tests |= {tuple(parts) + (t,) for t in test_files}
    for module in list(modules):
        if any(module[: len(t)] == t for t in tests):
            del modules[module]
    edges = {path: set() for path in modules.values()}
    for module, path in modules.items():
        text = texts[module]
        paths = []
        for m in re.finditer(r"\buse\s+([^;]+);", text):
            paths += flatten_use(m.group(1))
        paths += re.findall(r"\b((?:crate|super|self)(?:::\w+)+)", text)
        for p in paths:
            segs = p.split("::")
            if segs[0] == "crate":
                target = segs[1:]
            elif segs[0] in ("super", "self"):
                target = list(module)
                while segs and segs[0] == "super":
                    target, segs = target[:-1], segs[1:]
                if segs and segs[0] == "self":
                    segs = segs[1:]
                target += segs
            else:
                continue
            for n in range(len(target), 0, -1):
                hit = modules.get(tuple(target[:n]))
                if hit:
                    if hit != path:
                        edges[path].add(hit)
                    break
    return edges


def circles(edges):
    """Strongly connected components of more than one file (Tarjan's, iterative)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], [0]
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def main():
    crates = {}
    for member in members():
        crates[package_name(member)] = {"dir": member, "edges": crate_graph(member)}
    problems = []
    for name, crate in crates.items():
        for circle in circles(crate["edges"]):
            problems.append(f"{name}: a circle of imports: {' -> '.join(circle)}")
        manifest = open(os.path.join(ROOT, crate["dir"], "Cargo.toml"), encoding="utf-8").read()
        if name == "bedrock-request":
            for other in crates:
                if other != name and re.search(rf"^{re.escape(other)}\s*=", manifest, re.M):
                    problems.append(f"the library depends on {other}: it must depend on no other crate of the workspace")
        if name.endswith("-cli"):
            for path in crate["edges"]:
                lines = sum(1 for _ in open(os.path.join(ROOT, path), encoding="utf-8"))
                if lines > CLI_MAX_LINES:
                    problems.append(f"{path} has {lines} lines (the CLI's files stay under {CLI_MAX_LINES})")
    if "--json" in sys.argv:
        print(json.dumps({n: {p: sorted(e) for p, e in c["edges"].items()} for n, c in crates.items()}, indent=1))
    elif "--check" not in sys.argv:
        for name, crate in crates.items():
            print(f"# {name} ({crate['dir']})")
            for path in sorted(crate["edges"]):
                targets = ", ".join(os.path.relpath(t, os.path.join(crate["dir"], "src")) for t in sorted(crate["edges"][path]))
                print(f"{os.path.relpath(path, os.path.join(crate['dir'], 'src'))} -> {targets or '-'}")
    if "--check" in sys.argv:
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            return 1
        files = sum(len(c["edges"]) for c in crates.values())
        print(f"{len(crates)} crates, {files} files: no circle of imports")
    return 0


if __name__ == "__main__":
    sys.exit(main())
