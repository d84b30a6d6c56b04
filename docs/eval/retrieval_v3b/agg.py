import pickle, numpy as np
import harness as H
from store.search import retrieval as R
from store.dates import date_int
idx = H.index()
d = pickle.load(open('/tmp/w15/comps.pkl', 'rb'))
for share in (0.1, 0.2, 0.3):
    res = {}
    for t in H.FILES:
        rows = d['rows'][t][0]; res[t] = []
        for r, c in zip(rows, d[t]):
            if not c['extra']:
                res[t].append(H.default_rank(c)); continue
            lo, hi = date_int(r.since), date_int(r.until)
            ps = idx.lexical.search_weighted(c['weights'] | c['extra'], 300, lo, hi, r.min_votes)
            agg = {}
            for cid, s in ps:
                a = cid.split('#')[0]
                if a in agg: agg[a] = (agg[a][0], agg[a][1] + share * s)
                else: agg[a] = (cid, s)
            top = dict(sorted(agg.items(), key=lambda x: -x[1][1])[:100])
            res[t].append(H.fuse([(c['share'], R._normalised(c['dense'], True)), (1 - c['share'], R._normalised(top, False))]))
    print(H.summary(H.evaluate(res, d), f"bridged paper agg {share}"), flush=True)
