#!/usr/bin/env python3
"""Answers BAML's own parser test cases (vectors/jsonish/cases.json) with BAML's runtime.

The cases are the texts and types of BoundaryML/baml's `engine/baml-lib/jsonish/src/tests/`
(vectors/jsonish/README.md says which commit and how they were read). For each case this asks
real baml-py what `b.parse.Fn(text)` (mode "complete") or `b.parse_stream.Fn(text)` (mode
"partial") gives for the case's BAML declarations and return type, and writes the answer into
the case as `baml_py`: `{"value": model_dump(mode="json")}` or `{"error": "<exception type>"}`.
Cases whose types baml-cli refuses get `{"error": "compile: ..."}`.

Each distinct set of declarations is its own BAML project (names repeat across the tests),
generated and imported in a child process.

Run: python3 -m venv target/baml-venv && target/baml-venv/bin/pip install baml-py==0.226.3 pydantic
     target/baml-venv/bin/python tools/capture_baml_jsonish.py
     target/baml-venv/bin/python tools/capture_baml_jsonish.py --cases vectors/jsonish/beyond.json
"""
import importlib
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
CASES = ROOT / "vectors" / "jsonish" / "cases.json"
CLIENT = 'client<llm> Fake {\n  provider openai\n  options {\n    model "gpt-4o"\n    api_key "sk-fake"\n  }\n}'
GENERATOR = 'generator target {\n  output_type "python/pydantic"\n  output_dir "../"\n  version "%s"\n}'


def baml_cli():
    return str(pathlib.Path(sys.executable).parent / "baml-cli")


def version():
    out = subprocess.run([baml_cli(), "--version"], capture_output=True, text=True).stdout
    return out.split()[-1]


def finite(value):
    """JSON has no NaN or infinity: baml-py's are written as the strings "NaN", "Infinity"."""
    if isinstance(value, float) and value != value:
        return "NaN"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, list):
        return [finite(v) for v in value]
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    return value


def dump(value):
    return finite(dumped(value))


def dumped(value):
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [dumped(v) for v in value]
    if isinstance(value, dict):
        return {k: dumped(v) for k, v in value.items()}
    if hasattr(value, "value") and not isinstance(value, (str, int, float, bool)):
        return value.value
    return value


def generate(declarations, types):
    """A project with one function per return type; the error text when baml-cli refuses it."""
    work = pathlib.Path(tempfile.mkdtemp())
    (work / "baml_src").mkdir()
    funcs = [f'function Parse{i}(text: string) -> {t} {{\n  client Fake\n  prompt #"{{{{ text }}}} {{{{ ctx.output_format }}}}"#\n}}'
             for i, t in enumerate(types)]
    source = "\n\n".join([CLIENT, GENERATOR % version(), declarations] + funcs) + "\n"
    (work / "baml_src" / "main.baml").write_text(source)
    done = subprocess.run([baml_cli(), "generate", "--from", str(work / "baml_src")], capture_output=True, text=True)
    if done.returncode != 0:
        shutil.rmtree(work)
        return None, (done.stderr or done.stdout).strip().splitlines()[-1:] or ["failed"]
    return work, None


def one(job_path):
    """Child: answers the cases of one set of declarations; prints their answers as JSON."""
    job = json.loads(pathlib.Path(job_path).read_text(encoding="utf-8"))
    types = sorted({c["type"] for c in job["cases"]})
    work, error = generate(job["baml"], types)
    if work is None:
        # One bad type refuses the whole project: try each type alone.
        answers = []
        for c in job["cases"]:
            w, e = generate(job["baml"], [c["type"]])
            if w is None:
                answers.append({"error": "compile: " + e[0][:200]})
            else:
                shutil.rmtree(w)
                answers.append(None)
        if all(a is not None for a in answers):
            print(json.dumps(answers))
            return
        # Types that compile alone are asked one project at a time.
        out = []
        for c, a in zip(job["cases"], answers):
            if a is not None:
                out.append(a)
                continue
            sub = pathlib.Path(tempfile.mkdtemp()) / "job.json"
            sub.write_text(json.dumps({"baml": job["baml"], "cases": [c]}), encoding="utf-8")
            done = subprocess.run([sys.executable, __file__, "--one", str(sub)], capture_output=True, text=True)
            out.append(json.loads(done.stdout)[0] if done.returncode == 0 else {"error": "child failed"})
        print(json.dumps(out))
        return
    sys.path.insert(0, str(work))
    b = importlib.import_module("baml_client").b
    answers = []
    for c in job["cases"]:
        name = f"Parse{types.index(c['type'])}"
        fn = getattr(b.parse_stream if c["mode"] == "partial" else b.parse, name)
        try:
            answers.append({"value": dump(fn(c["text"]))})
        except Exception as e:  # BAML's parse errors
            answers.append({"error": type(e).__name__})
    shutil.rmtree(work)
    print(json.dumps(answers))


def main():
    if sys.argv[1:2] == ["--one"]:
        one(sys.argv[2])
        return
    # --cases FILE: another file of cases in the same form (vectors/jsonish/beyond.json).
    cases = pathlib.Path(sys.argv[2]) if sys.argv[1:2] == ["--cases"] else CASES
    doc = json.loads(cases.read_text(encoding="utf-8"))
    groups = {}
    for i, c in enumerate(doc["cases"]):
        groups.setdefault(c["baml"], []).append(i)
    tmp = pathlib.Path(tempfile.mkdtemp())
    for n, (baml, indices) in enumerate(groups.items()):
        job = tmp / f"job{n}.json"
        job.write_text(json.dumps({"baml": baml, "cases": [doc["cases"][i] for i in indices]}), encoding="utf-8")
        done = subprocess.run([sys.executable, __file__, "--one", str(job)], capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"declarations {n}: {done.stderr[-2000:]}")
        for i, answer in zip(indices, json.loads(done.stdout)):
            doc["cases"][i]["baml_py"] = answer
        print(f"{n + 1}/{len(groups)}", file=sys.stderr)
    doc["answered_by"] = f"baml-py {version()} via tools/capture_baml_jsonish.py (b.parse / b.parse_stream)"
    cases.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
