#!/usr/bin/env python3
"""Writes the adversarial inputs of issue 11 into DIR, for measuring the release CLI with
/usr/bin/time -v (docs/fuzzing.md lists the commands):

  deep.baml        40,000 nested [ in a client's options           (request --baml)
  keys.json        an options map with 100,000 keys                (request --options)
  values.baml      a client with 200,000 values                    (request --baml)
  blocks.bin       a ConverseStream with 200,000 content blocks    (parse --stream)
  tool50.bin       ~60 MB stream of tool-input deltas, [1,1,...]   (parse --stream --format json)
  lost.bin         a contentBlockDelta whose payload is not UTF-8  (parse --stream: an error)
  home1/.aws       100,000 profiles                                (credentials, HOME=home1)
  home2/.aws       one profile with 200,000 keys                   (credentials, HOME=home2)
  home3/.aws       a credentials file with an invalid byte         (credentials: an error)
"""
import os, struct, sys, zlib

out = sys.argv[1] if len(sys.argv) > 1 else "adversarial"
os.makedirs(out, exist_ok=True)
path = lambda name: os.path.join(out, name)

def header(name, value):
    n, v = name.encode(), value.encode()
    return bytes([len(n)]) + n + bytes([7]) + struct.pack(">H", len(v)) + v

def frame(event, payload):
    h = header(":message-type", "event") + header(":event-type", event)
    total = 12 + len(h) + len(payload) + 4
    prelude = struct.pack(">II", total, len(h))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    message = prelude + h + payload
    return message + struct.pack(">I", zlib.crc32(message))

client = "client<llm> C {\n  provider aws-bedrock\n  options {\n    model m\n    region us-east-1\n    extra_body %s\n  }\n}\n"
open(path("deep.baml"), "w").write(client % ("[" * 40000))
open(path("values.baml"), "w").write(client % ("{ big [" + ", ".join(["1"] * 200000) + "] }"))
keys = ",".join('"k%d":%d' % (i, i) for i in range(100000))
open(path("keys.json"), "w").write('{"model":"m","region":"us-east-1","additional_model_request_fields":{%s}}' % keys)

with open(path("blocks.bin"), "wb") as f:
    f.write(frame("messageStart", b'{"role":"assistant"}'))
    for i in range(200000):
        f.write(frame("contentBlockDelta", b'{"contentBlockIndex":%d,"delta":{"text":"x"}}' % i))
    f.write(frame("messageStop", b'{"stopReason":"end_turn"}'))
with open(path("tool50.bin"), "wb") as f:
    f.write(frame("messageStart", b'{"role":"assistant"}'))
    f.write(frame("contentBlockStart", b'{"contentBlockIndex":0,"start":{"toolUse":{"toolUseId":"t1","name":"big"}}}'))
    body = "[" + ",".join(["1"] * 27000000) + "]"
    for i in range(0, len(body), 1000):
        f.write(frame("contentBlockDelta", b'{"contentBlockIndex":0,"delta":{"toolUse":{"input":"%s"}}}' % body[i:i + 1000].encode()))
    f.write(frame("contentBlockStop", b'{"contentBlockIndex":0}'))
    f.write(frame("messageStop", b'{"stopReason":"tool_use"}'))
with open(path("lost.bin"), "wb") as f:
    f.write(frame("messageStart", b'{"role":"assistant"}'))
    f.write(frame("contentBlockDelta", b'{"contentBlockIndex":0,"delta":{"text":"lost \xff"}}'))
    f.write(frame("messageStop", b'{"stopReason":"end_turn"}'))

for home in ("home1", "home2", "home3"):
    os.makedirs(path(home + "/.aws"), exist_ok=True)
keys_line = "[default]\naws_access_key_id = AKID\naws_secret_access_key = SECRET\n"
with open(path("home1/.aws/config"), "w") as f:
    f.writelines("[profile p%d]\nregion = us-east-1\n" % i for i in range(100000))
    f.write("[default]\nregion = us-east-1\n")
open(path("home1/.aws/credentials"), "w").write(keys_line)
with open(path("home2/.aws/credentials"), "w") as f:
    f.write(keys_line)
    f.writelines("key%d = %d\n" % (i, i) for i in range(200000))
open(path("home3/.aws/credentials"), "wb").write(b"[default]\naws_access_key_id = AKID\naws_secret_access_key = S\xffCRET\n")
print("wrote", out)
