#!/usr/bin/env python3
"""Makes vectors/structured/cases.json with BAML's own runtime: for each (type, text), what
`b.parse.Fn(text)` returns (and `b.parse_stream.Fn(text)` for partial cases), or that it fails.

Each type is written twice, by hand: as BAML source (what BAML's schema-aligned parser sees)
and as the JSON Schema that bedrock-request's `structured --schema` takes. BAML's runtime needs
no model call for `b.parse`: it runs offline.

Run: python3 -m venv target/baml-venv && target/baml-venv/bin/pip install baml-py==0.226.3 pydantic
     target/baml-venv/bin/python tools/capture_baml_structured.py
     target/baml-venv/bin/python tools/capture_baml_structured.py --independent   # refreshes
         independent.json: a second author's types and 138 texts, written from the specification alone
"""
import importlib
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "vectors" / "structured" / "cases.json"

# name -> (BAML declarations, return type in BAML, JSON Schema)
TYPES = {
    "Person": ("class Person {\n  name string\n  age int\n  tags string[]\n}", "Person",
               {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"},
                                                 "tags": {"type": "array", "items": {"type": "string"}}},
                "required": ["name", "age", "tags"]}),
    "Color": ("enum Color {\n  Red\n  Green\n  Blue\n}", "Color",
              {"enum": ["Red", "Green", "Blue"]}),
    "Order": ("class Item {\n  name string\n  qty int\n  price float\n}\nclass Order {\n  id int\n  items Item[]\n  note string?\n  paid bool\n}",
              "Order",
              {"type": "object", "$defs": {"Item": {"type": "object", "properties": {
                  "name": {"type": "string"}, "qty": {"type": "integer"}, "price": {"type": "number"}},
                  "required": ["name", "qty", "price"]}},
               "properties": {"id": {"type": "integer"}, "items": {"type": "array", "items": {"$ref": "#/$defs/Item"}},
                              "note": {"type": ["string", "null"]}, "paid": {"type": "boolean"}},
               "required": ["id", "items", "paid"]}),
    "Ints": ("", "int[]", {"type": "array", "items": {"type": "integer"}}),
    "Text": ("", "string", {"type": "string"}),
    "Number": ("", "float", {"type": "number"}),
    "Flag": ("", "bool", {"type": "boolean"}),
    "IntOrString": ("", "int | string", {"anyOf": [{"type": "integer"}, {"type": "string"}]}),
    "Pet": ("enum Kind {\n  Dog\n  Cat\n}\nclass Pet {\n  name string\n  kind Kind\n  age int?\n}", "Pet",
            {"type": "object", "properties": {"name": {"type": "string"}, "kind": {"enum": ["Dog", "Cat"]},
                                              "age": {"type": "integer"}},
             "required": ["name", "kind"]}),
    "Contact": ("class Contact {\n  first_name string\n  email string?\n  phones string[]\n}", "Contact",
                {"type": "object", "properties": {"first_name": {"type": "string"}, "email": {"type": "string"},
                                                  "phones": {"type": "array", "items": {"type": "string"}}},
                 "required": ["first_name", "phones"]}),
    "Colors": ("enum Color {\n  Red\n  Green\n  Blue\n}", "Color[]",
               {"type": "array", "items": {"enum": ["Red", "Green", "Blue"]}}),
    "People": ("class Person {\n  name string\n  age int\n  tags string[]\n}", "Person[]",
               {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"},
                                                                            "tags": {"type": "array", "items": {"type": "string"}}},
                                           "required": ["name", "age", "tags"]}}),
    # Issue 28's JSON Schema gaps: maps (additionalProperties) and literals (const, non-string enum).
    "Scores": ("", "map<string, int>", {"type": "object", "additionalProperties": {"type": "integer"}}),
    "Tags": ("", "map<string, string[]>",
             {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}),
    "TwoOrThree": ("", "2 | 3", {"enum": [2, 3]}),
    "FastOrOne": ("", '"fast" | 1', {"anyOf": [{"const": "fast"}, {"const": 1}]}),
    "Yes": ("", "true", {"const": True}),
}

CASES = [
    # The issue's examples.
    ("Person", 'Sure! Here it is:\n```json\n{name: "Ada", age: "36", tags: "math",}\n```'),
    ("Person", "{'name': 'Cy', 'age': 36.0, 'tags': ['a', 'b']}"),
    ("Person", '{\n  // the person\n  "Name": "Bo",\n  "AGE": 7,\n  "tags": [],\n}'),
    ("Color", "I think the answer is **Red**."),
    ("Color", '"green"'),
    ("Color", "BLUE"),
    ("Flag", '"true"'),
    ("Flag", "False"),
    ("Person", '{"name": "Line\nbreak", "age": 1, "tags": ["x"]}'),
    ("Person", 'Here are two: {"name": "A"} and {"name": "B", "age": 2, "tags": []}'),
    ("Person", '{"name": "Ada", "age": 36, "tags": ["math"], "extra": {"ignored": true}}'),
    ("Person", 'The result: {"name": "Ada", "age": 36, "tags": ["x"]} Hope that helps!'),
    ("Order", '```json\n{"id": "12", "items": [{"name": "pen", "qty": 2, "price": "1.5"}, {"name": "ink", "qty": 1.0, "price": 3}], "paid": "false"}\n```'),
    ("Order", '{"id": 7, "items": {"name": "pad", "qty": 3, "price": 2.25}, "paid": true, "note": null}'),
    ("Order", '{"id": 8, "items": [], "paid": true, "note": "leave at door"}'),
    ("Ints", "[1, 2, 3]"),
    ("Ints", "7"),
    ("Ints", '["1", 2, "3"]'),
    ("Text", "Just some text."),
    ("Number", "3.25"),
    ("Number", '"2.5"'),
    ("IntOrString", "42"),
    ("IntOrString", '"hello"'),
    ("Pet", '{"name": "Rex", "kind": "dog"}'),
    ("Pet", '{"name": "Tom", "kind": "cat", "age": "4"}'),
    ("People", '[{"name": "A", "age": 1, "tags": []}, {"name": "B", "age": 2, "tags": ["z"]}]'),
    ("People", '{"name": "Solo", "age": 3, "tags": []}'),
    ("Person", '{"name": "Ada", "age": 36}'),
    ("Pet", '{"name": "Rex", "kind": "Dog", "age": "old"}'),
    ("Ints", "[2.6, 3.4]"),
    ("Ints", '["1,234"]'),
    ("Number", '"1,234.5"'),
    ("Color", "It could be Red or Blue."),
    ("Color", "The color is: green"),
    ("Colors", '["red", "BLUE", "purple"]'),
    ("Colors", "Green"),
    ("Flag", "yes"),
    ("Text", '  "quoted"  '),
    ("Contact", '{"firstName": "Al", "phones": "555-1234"}'),
    ("Contact", '{"First Name": "Bo", "email": null, "phones": []}'),
    ("Person", '{"name": "He said "hi" there", "age": 1, "tags": []}'),
    ("Person", "```\n{\"name\": \"Fence\", \"age\": 2, \"tags\": []}\n```\nand\n```json\n{\"name\": \"Second\", \"age\": 3, \"tags\": []}\n```"),
    ("Person", '{name: Ada Lovelace, age: 36, tags: [math, poetry]}'),
    ("Person", '{name: Ada Lovelace,\n age: 36, tags: [a b, c]}'),
    ("Person", '{name: Ada Lovelace, "age": 36, "tags": []}'),
    ("Person", '{"name": "Ada", "age": 36, "tags": ["a"]} {"name": "Bo", "age": 1, "tags": []}'),
    ("Order", '{"id": 3, "items": [{"name": "pen", "qty": "two", "price": 1}, {"name": "ink", "qty": 1, "price": 2}], "paid": false}'),
    ("IntOrString", "3.5"),
    ("Number", "1e3"),
    ("Person", '{"name": null, "age": 1, "tags": []}'),
    ("Ints", "[1, 2, 3,]"),
    ("Person", "/* block */ {'name': 'X', /* inline */ 'age': 5, 'tags': []}"),
    # Strict cases that must stay errors.
    ("Person", '{"name": "Ada", "tags": []}'),
    ("Person", '{"name": "Ada", "age": "old", "tags": []}'),
    ("Color", "Purple"),
    ("Order", '{"id": 1, "items": [{"name": "pen", "price": 1}], "paid": true}'),
    ("Flag", '"maybe"'),
    ("Ints", "no numbers here"),
    ("Scores", '{"math": 90, "art": "85"}'),
    ("Scores", 'Here you go:\n```json\n{"a": 1, "b": 2.0, "c": "x"}\n```'),
    ("Scores", "{math: 90, art: 85,}"),
    ("Scores", "{}"),
    ("Scores", "no map here"),
    ("Tags", '{"a": ["x", "y"], "b": "z"}'),
    ("TwoOrThree", "2"),
    ("TwoOrThree", '"3"'),
    ("TwoOrThree", "4"),
    ("TwoOrThree", "The answer is 3."),
    ("FastOrOne", "fast"),
    ("FastOrOne", "1"),
    ("FastOrOne", "FAST"),
    ("FastOrOne", "2"),
    ("Yes", "true"),
    ("Yes", "false"),
]

# Where bedrock-request is knowingly different, with what it returns and why (docs/parse.md).
DIFFERENCES = {}

PARTIAL = [
    ("Person", '{"name": "Ada", "age": 3'),
    ("Person", '{"name": "Ada", "age": 36, "tags": ["m'),
    ("Ints", "[1, 2, 3"),
    ("Order", '{"id": 5, "items": [{"name": "pen", "qty": 2, "price": 1.5}, {"name": "in'),
    ("Color", '"Gre'),
    ("Text", 'Hello wor'),
    ("Pet", '{"name": "Rex", "kind": "Do'),
    ("Flag", "tr"),
    ("Contact", '{"first_name": "Al", "phones": ["555'),
    ("People", '[{"name": "A", "age": 1, "tags": []}, {"name": "B'),
    ("Scores", '{"a": 1, "b": 2'),
    ("Scores", "Sure: "),
]

# Whole answers whose every prefix is run in partial mode (the partial values must grow).
PREFIX_ANSWERS = [
    ("Person", '{"name": "Ada Lovelace", "age": 36, "tags": ["math", "poetry"]}'),
    ("Order", '```json\n{"id": 9, "items": [{"name": "pen", "qty": 2, "price": 1.5}], "note": "gift", "paid": true}\n```'),
    ("Ints", "[10, 20, 30]"),
]


def baml_source():
    decls = []
    seen = set()
    for name, (source, _, _) in TYPES.items():
        for block in source.split("\n}\n") if source else []:
            block = block if block.endswith("}") else block + "\n}"
            header = block.split("{")[0].strip()
            if header not in seen:
                seen.add(header)
                decls.append(block)
    funcs = [f'function Parse{name}(text: string) -> {ret} {{\n  client Fake\n  prompt #"{{{{ text }}}} {{{{ ctx.output_format }}}}"#\n}}'
             for name, (_, ret, _) in TYPES.items()]
    client = 'client<llm> Fake {\n  provider openai\n  options {\n    model "gpt-4o"\n    api_key "sk-fake"\n  }\n}'
    generator = 'generator target {\n  output_type "python/pydantic"\n  output_dir "../"\n  version "%s"\n}'
    return "\n\n".join([client, generator] + decls + funcs) + "\n"


def refresh_independent(b, dump):
    """Re-runs vectors/structured/independent.json (a second author's cases and BAML source)."""
    path = OUT.parent / "independent.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    for case in doc["cases"]:
        fn = getattr(b.parse_stream if case["partial"] else b.parse, "Parse" + case["type"])
        case.pop("value", None)
        case.pop("error", None)
        try:
            case["value"] = dump(fn(case["text"]))
        except Exception as e:
            case["error"] = type(e).__name__
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def compile_baml(source):
    work = pathlib.Path(tempfile.mkdtemp())
    (work / "baml_src").mkdir()
    (work / "baml_src" / "main.baml").write_text(source)
    subprocess.run([str(pathlib.Path(sys.executable).parent / "baml-cli"), "generate", "--from", str(work / "baml_src")],
                   check=True, capture_output=True)
    return work


def main():
    if sys.argv[1:] == ["--independent"]:
        doc = json.loads((OUT.parent / "independent.json").read_text(encoding="utf-8"))
        work = compile_baml(doc["baml_source"])
        sys.path.insert(0, str(work))
        import baml_client  # noqa: F401
        from baml_client import b

        def dump(value):
            if hasattr(value, "model_dump"):
                return value.model_dump(mode="json")
            if isinstance(value, list):
                return [dump(v) for v in value]
            return value.value if hasattr(value, "value") and not isinstance(value, (int, float, bool)) else value
        refresh_independent(b, dump)
        shutil.rmtree(work)
        return
    import baml_py
    version = baml_py.__version__ if hasattr(baml_py, "__version__") else subprocess.run(
        [str(pathlib.Path(sys.executable).parent / "baml-cli"), "--version"], capture_output=True, text=True).stdout.split()[-1]
    work = pathlib.Path(tempfile.mkdtemp())
    (work / "baml_src").mkdir()
    (work / "baml_src" / "main.baml").write_text(baml_source() % version)
    subprocess.run([str(pathlib.Path(sys.executable).parent / "baml-cli"), "generate", "--from", str(work / "baml_src")],
                   check=True, capture_output=True)
    sys.path.insert(0, str(work))
    client = importlib.import_module("baml_client")
    b = client.b

    def dump(value):
        if hasattr(value, "model_dump"):
            return value.model_dump(mode="json")
        if isinstance(value, list):
            return [dump(v) for v in value]
        if hasattr(value, "value") and not isinstance(value, (str, int, float, bool)):
            return value.value
        return value

    def run(kind, type_name, text):
        fn = getattr(b.parse if kind == "parse" else b.parse_stream, f"Parse{type_name}")
        try:
            return {"value": dump(fn(text))}
        except Exception as e:  # BAML's parse errors
            return {"error": type(e).__name__}

    cases = []
    for type_name, text in CASES:
        case = {"type": type_name, "text": text, "partial": False, **run("parse", type_name, text)}
        if (type_name, text) in DIFFERENCES:
            ours, why = DIFFERENCES[(type_name, text)]
            case["ours"] = {"value": ours, "why": why}
        cases.append(case)
    for type_name, text in PARTIAL:
        cases.append({"type": type_name, "text": text, "partial": True, **run("parse_stream", type_name, text)})
    prefixes = []
    for type_name, text in PREFIX_ANSWERS:
        steps = []
        for end in range(1, len(text) + 1):
            steps.append(run("parse_stream", type_name, text[:end]))
        prefixes.append({"type": type_name, "text": text, "partial_values": steps,
                         "final": run("parse", type_name, text)})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "generated_by": f"baml-py {version} via tools/capture_baml_structured.py (b.parse / b.parse_stream)",
        "schemas": {name: schema for name, (_, _, schema) in TYPES.items()},
        "baml_types": {name: {"declarations": source, "returns": ret} for name, (source, ret, _) in TYPES.items()},
        "cases": cases,
        "prefixes": prefixes,
    }
    OUT.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    shutil.rmtree(work)
    for c in cases:
        print(c["type"], "partial" if c["partial"] else "", repr(c["text"][:50]), "->", c.get("value", c.get("error")))


if __name__ == "__main__":
    main()
