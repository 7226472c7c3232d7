import json, sys, numpy as np
ref = [np.array(json.loads(l)["embedding"], dtype=np.float64) for l in open("/tmp/fp16/embed-l6-fp32.jsonl")]
reft = [json.loads(l)["text"] for l in open("/tmp/fp16/embed-l6-fp32.jsonl")]
offset = 0; cos = []
files = sys.argv[1:]
chunks = {"00": 0}
starts = {}
s = 0
for c in ["00", "01", "02", "03"]:
    starts[c] = s; s += sum(1 for _ in open(f"/tmp/fp16/chunk.{c}"))
for f in files:
    c = f.split("-")[-1].split(".")[0]
    start = starts.get(c, 0)
    for i, l in enumerate(open(f)):
        r = json.loads(l); x = np.array(r["embedding"], dtype=np.float64); y = ref[start + i]
        assert r["text"] == reft[start + i], (f, i)
        cos.append((float(x @ y / np.linalg.norm(x) / np.linalg.norm(y)), r["text"][:60]))
v = np.array([c for c, _ in cos])
w = min(cos)
print(f"{len(v)} snippets: worst {w[0]:.7f} ({w[1]!r}), mean {v.mean():.8f}, below 0.9999: {(v < 0.9999).sum()}, below 0.99999: {(v < 0.99999).sum()}")
