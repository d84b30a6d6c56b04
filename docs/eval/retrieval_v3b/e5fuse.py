import pickle, json, sys, numpy as np
import harness as H
from store.search import retrieval as R
from store.search.fusion import by_language
d = pickle.load(open('/tmp/w15/comps.pkl', 'rb'))
P = np.load(sys.argv[1] if len(sys.argv) > 1 else '/tmp/e5work/e5_passages.npy').astype(np.float32)
ids = json.load(open('/tmp/e5work/e5_ids.json')) if len(sys.argv) <= 2 else [r[0] for r in json.load(open('/tmp/e5work/passages.json'))]
Q = np.load('/tmp/e5work/e5_queries.npy'); qs = json.load(open('/tmp/e5work/e5_queries.json'))
qv = dict(zip(qs, Q))
paper_of = np.array([i.split('#')[0] for i in ids]); dates = {}
meta = H.index().by_id
pdate = np.array([int(meta[a].date.replace('-', '')) if a in meta else 0 for a in paper_of])
from store.dates import date_int
def e5_dense(r, pool=100):
    s = P @ qv[r.query]
    lo, hi = date_int(r.since), date_int(r.until)
    mask = np.ones(len(s), bool)
    if lo is not None: mask &= pdate >= lo
    if hi is not None: mask &= pdate <= hi
    cand = np.flatnonzero(mask)
    top = cand[np.argsort(-s[cand])[:pool]]
    return R._best_per_paper([(ids[i], float(s[i])) for i in top])
E = {t: [e5_dense(r) for r in d['rows'][t][0]] for t in H.FILES}
pickle.dump(E, open('/tmp/w15/e5lists.pkl', 'wb'))
def mix(name, fn):
    res = {t: [fn(r, c, e) for r, c, e in zip(d['rows'][t][0], d[t], E[t])] for t in H.FILES}
    print(H.summary(H.evaluate(res, d), name), flush=True)
    return res
n = lambda x: R._normalised(x, True)
L = lambda c: R._normalised(c['lexb'], False)
mix("M0 default (USE s / BM25 1-s)", lambda r, c, e: H.fuse([(c['share'], n(c['dense'])), (1 - c['share'], L(c))]))
mix("e5 alone", lambda r, c, e: H.fuse([(1, n(e))]))
mix("M1 e5 in USE's place (e5 s / BM25)", lambda r, c, e: H.fuse([(c['share'], n(e)), (1 - c['share'], L(c))]))
mix("M2 USE s/2 + e5 s/2 / BM25", lambda r, c, e: H.fuse([(c['share'] / 2, n(c['dense'])), (c['share'] / 2, n(e)), (1 - c['share'], L(c))]))
def m3(r, c, e):
    f = by_language(r.query, 0.5, 0.6 if c['coverage'] < 0.25 else 0.5)
    s = c['share']
    return H.fuse([(s * (1 - f), n(c['dense'])), (s * f, n(e)), (1 - s, L(c))])
mix("M3 earlier per-language mix", m3)
mix("C control: USE s/2 / BM25 1-s, no e5", lambda r, c, e: H.fuse([(c['share'] / 2, n(c['dense'])), (1 - c['share'], L(c))]))
def c3(r, c, e):
    f = by_language(r.query, 0.5, 0.6 if c['coverage'] < 0.25 else 0.5)
    s = c['share']
    return H.fuse([(s * (1 - f), n(c['dense'])), (1 - s, L(c))])
mix("C3 control: M3 without e5", c3)
