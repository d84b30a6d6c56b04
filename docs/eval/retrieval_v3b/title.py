import pickle, numpy as np, math
from collections import Counter
import harness as H
from store.search import retrieval as R
from store.search.tokens import tokenize, query_tokens
from store.search.fusion import hangul_share
idx = H.index()
papers = idx.by_id
aids = list(papers); toks = [tokenize(papers[a].title) for a in aids]
N = len(aids); avg = np.mean([len(t) for t in toks])
df = Counter(t for ts in toks for t in set(ts))
tfs = [Counter(ts) for ts in toks]
inv = {}
for i, ts in enumerate(tfs):
    for t in ts: inv.setdefault(t, []).append(i)
def title_scores(q):
    sc = {}
    for t in set(query_tokens(q)):
        if t not in inv: continue
        idf = math.log(1 + (N - df[t] + 0.5) / (df[t] + 0.5))
        for i in inv[t]:
            tf = tfs[i][t]; L = len(toks[i])
            sc[aids[i]] = sc.get(aids[i], 0) + idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * L / avg))
    top = sorted(sc, key=lambda a: -sc[a])[:100]
    return {a: ("t", sc[a]) for a in top}
d = pickle.load(open('/tmp/w15/comps.pkl', 'rb'))
base = {t: [H.default_rank(c) for c in d[t]] for t in H.FILES}
print(H.summary(H.evaluate(base, d), "default offline"))
for share, weak_only in [(1/3, False), (1/3, True), (0.2, False), (0.5, True)]:
    res = {}
    for t in H.FILES:
        rows = d['rows'][t][0]; res[t] = []
        for r, c in zip(rows, d[t]):
            if hangul_share(r.query) > 0 or (weak_only and c['coverage'] >= 0.25):
                res[t].append(H.default_rank(c)); continue
            ts = title_scores(r.query); lw = 1 - c['share']
            res[t].append(H.fuse([(c['share'], R._normalised(c['dense'], True)), (lw * (1 - share), R._normalised(c['lexb'], False)), (lw * share, R._normalised(ts, False))]))
    print(H.summary(H.evaluate(res, d), f"title share {share:.2f} weak_only {weak_only}"))
