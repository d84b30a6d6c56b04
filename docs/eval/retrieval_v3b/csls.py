import sys, re, time, numpy as np
import harness as H
from store.search import retrieval as R, bridge as B
from store.search.tokens import tokenize
idx = H.index()
snap = idx.lexical.snapshot()
N = len(snap.ids)
df = np.asarray((snap.matrix > 0).sum(axis=0)).ravel()
eng = [t for t in snap.vocab if re.fullmatch(r"[a-z]{3,}", t) and df[snap.vocab[t]] >= 3]
print("english vocab", len(eng))
t = time.time()
E = np.asarray(idx.embedder.embed_passages(eng), dtype=np.float32)
print("embed", time.time() - t)
br = idx.word_bridge()
K = br.matrix
rE = np.zeros(len(br.words), dtype=np.float32)
for s in range(0, len(br.words), 2000):
    sims = K[s:s+2000] @ E.T
    top = -np.partition(-sims, 10, axis=1)[:, :10]
    rE[s:s+2000] = top.mean(axis=1)
print("rE mean %.3f sd %.3f" % (rE.mean(), rE.std()))
order = np.argsort(-rE)
print("hubs:", [br.words[i] for i in order[:30]])
print("least:", [br.words[i] for i in order[-15:]])
np.save("/tmp/w15/rE.npy", rE)
MEAN = float(rE.mean())
MODE = {"m": None}
def nearest(vectors, cut, top):
    sims = np.asarray(vectors, dtype=np.float32) @ K.T
    out = []
    for row in sims:
        if MODE["m"] == "adjust":
            adj = row - (rE - MEAN)
            best = np.argpartition(-adj, top)[:top]; best = best[np.argsort(-adj[best])]
            out.append([(br.words[i], float(adj[i])) for i in best if adj[i] >= cut])
        elif MODE["m"] == "rerank":
            rK = np.sort(np.partition(-row, 10)[:10]).mean() * -1
            cand = np.flatnonzero(row >= cut)
            cs = 2 * row[cand] - rK - rE[cand]
            best = cand[np.argsort(-cs)][:top]
            out.append([(br.words[i], float(row[i])) for i in best])
    return out
H.run_specs(["hybrid"])
object.__setattr__(br, "nearest", nearest)
for m in ["adjust", "rerank"]:
    MODE["m"] = m
    H.run_specs(["hybrid", "hybrid@bridge_top=5"]); print("  ^", m)
