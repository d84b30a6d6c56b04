import sys, numpy as np
import harness as H
from store.search import retrieval as R, bridge as B
from store.search.tokens import tokenize
idx = H.index()
CAP = {}
orig_bw = R.bridge_weights
def bw(bridge, embedder, question, weight, cut, top=3, taken=()):
    words = B.english_words(question)
    if bridge is None or not words or weight <= 0:
        return {}
    found = bridge.nearest(B.WORD_VECTORS.get(embedder, words), cut, top)
    CAP[question] = [(k, s) for f in found for k, s in f]
    return orig_bw(bridge, embedder, question, weight, cut, top, taken)
R.bridge_weights = bw

orig_embed = idx.embedder.embed_query
MODE = {"m": None}
def embed_query(q):
    v = orig_embed(q)
    m = MODE["m"]
    if m is None or q not in CAP or not CAP[q]:
        return v
    ko = [k for k, s in sorted(CAP[q], key=lambda x: -x[1])]
    ko = list(dict.fromkeys(ko))
    if m == "append":
        w = orig_embed(q + " " + " ".join(ko))
    elif m.startswith("mix"):
        a = float(m[3:])
        kv = orig_embed(" ".join(ko))
        w = (1 - a) * v + a * kv
    w = w / np.linalg.norm(w)
    return w
# rank() embeds first, then bridges: so run once to fill CAP, then rerun with mode.
H.run_specs(["hybrid"])
idx.embedder.embed_query = embed_query
for m in ["append", "mix0.3", "mix0.5"]:
    MODE["m"] = m
    H.run_specs(["hybrid"]); print("  ^", m)
