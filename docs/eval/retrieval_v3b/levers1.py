import sys, numpy as np
import harness as H
from store.search import retrieval as R, bridge as B
from store.search.tokens import tokenize
idx = H.index()
snap = idx.lexical.snapshot()
N = len(snap.ids)
df = np.asarray((snap.matrix > 0).sum(axis=0)).ravel()

def make(mode, param=None):
    def bw(bridge, embedder, question, weight, cut, top=3, taken=()):
        words = B.english_words(question)
        if bridge is None or not words or weight <= 0:
            return {}
        taken = set(taken); extra = {}
        for found in bridge.nearest(B.WORD_VECTORS.get(embedder, words), cut, top):
            for korean, sim in found:
                toks = tokenize(korean)
                if mode == "head": toks = toks[:1]
                if mode == "skiptaken" and any(t in taken for t in toks): continue
                if mode == "df": toks = [t for t in toks if t in snap.vocab and df[snap.vocab[t]] / N <= param]
                for t in toks:
                    if t not in taken:
                        extra[t] = max(extra.get(t, 0.0), weight * sim)
        return extra
    return bw

orig = R.bridge_weights
for mode, param in [("head", None), ("skiptaken", None), ("df", 0.05), ("df", 0.02), ("df", 0.1)]:
    R.bridge_weights = make(mode, param)
    H.run_specs([f"hybrid"])
    print("  ^", mode, param)
R.bridge_weights = orig
