"""Offline harness: per-row components of rank() over the three dev files, cached; fuse variants."""
import os, sys, pickle, time
from pathlib import Path
os.environ.setdefault("PAPERBOT_DATA_DIR", "/tmp/full15")
import numpy as np
from store.settings import Settings
from measure.evaluate import load_rows, Outcome, metrics, split_parts
from ingest.pipeline import open_index
from store.embedders import get_embedder
from store.search import retrieval as R
from store.search.fusion import dense_weight
from store.dates import date_int

FILES = {"v1": "dev_queries.jsonl", "v2": "dev_queries_v2.jsonl", "v3": "dev_queries_v3.jsonl"}
EV = Path(os.environ["DEV_SETS"])  # the folder holding the dev sets

_index = None
def index():
    global _index
    if _index is None:
        s = Settings.from_env() if hasattr(Settings, "from_env") else Settings()
        _index = open_index(s, get_embedder(s.embedder))
    return _index

def rows_all():
    out = {}
    for tag, f in FILES.items():
        rows = load_rows(EV / f)
        out[tag] = (rows, split_parts(rows, 2))
    return out

def components(row, config=R.HYBRID):
    idx = index()
    lo, hi = date_int(row.since), date_int(row.until)
    vec = idx.embedder.embed_query(row.query)
    dense = R._best_per_paper(R.dense_passages(idx, vec, config.pool, R.chroma_where(lo, hi, row.min_votes)))
    weights = R.query_weights(idx, row.query, config)
    lexical = R._best_per_paper(idx.lexical.search_weighted(weights, config.pool, lo, hi, row.min_votes))
    best_lex = max((s for _, s in lexical.values()), default=0.0)
    coverage = idx.lexical.coverage(weights, best_lex)
    extra = {}
    lexb = lexical
    if config.bridge > 0 and coverage < config.weak_lexical_below:
        extra = R.bridge_query(idx, row.query, weights, config)
        if extra:
            lexb = R._best_per_paper(idx.lexical.search_weighted(weights | extra, config.pool, lo, hi, row.min_votes))
    share = dense_weight(row.query, coverage, config.dense_weight, config.dense_weight_en, config.weak_lexical_below)
    abst = R._nothing_relevant(idx, dense, coverage, row.query, config)
    return dict(dense=dense, weights=weights, lexical=lexical, lexb=lexb, extra=extra,
                coverage=coverage, share=share, abstain=abst, vec=vec)

def fuse(lists, k=50):
    """lists: [(weight, scores dict aid->norm score)]"""
    fused = {}
    for w, sc in lists:
        for a, s in sc.items():
            fused[a] = fused.get(a, 0.0) + w * s
    return sorted(fused, key=lambda a: -fused[a])[:k]

def default_rank(c):
    return fuse([(c["share"], R._normalised(c["dense"], True)), (1 - c["share"], R._normalised(c["lexb"], False))])

def evaluate(results, comps_by_file, k=10, abstain=None):
    """results: {tag: [ranked list per row]}; returns summary dict"""
    out = {}
    for tag, (rows, parts) in comps_by_file["rows"].items():
        comps = comps_by_file[tag]
        outs = []
        for i, row in enumerate(rows):
            ab = comps[i]["abstain"] if abstain is None else abstain[tag][i]
            outs.append(Outcome(row, results[tag][i][:k], [], ab))
        for name, sel in (("all", outs), ("1/2", [o for o, p in zip(outs, parts) if p == 0]), ("2/2", [o for o, p in zip(outs, parts) if p == 1])):
            out[(tag, name)] = metrics(sel, k)
    return out

def summary(m, label=""):
    g = lambda t, n, key: m[(t, n)].get(key, float("nan"))
    s = (f"{label:38s} v1 ko {g('v1','all','ko R@5'):.3f} en {g('v1','all','en R@5'):.3f} MRR {g('v1','all','all MRR'):.3f} off {g('v1','all','offtopic abstain'):.3f} fa {g('v1','all','false abstain'):.3f} | "
         f"v2 ko {g('v2','all','ko/paraphrase R@5'):.2f} en {g('v2','all','en/paraphrase R@5'):.2f} ({g('v2','1/2','en/paraphrase R@5'):.2f},{g('v2','2/2','en/paraphrase R@5'):.2f}) MRRen {g('v2','all','en/paraphrase MRR'):.3f} | "
         f"v3 ko {g('v3','all','ko/paraphrase R@5'):.3f} en {g('v3','all','en/paraphrase R@5'):.3f} ({g('v3','1/2','en/paraphrase R@5'):.3f},{g('v3','2/2','en/paraphrase R@5'):.3f}) MRRen {g('v3','all','en/paraphrase MRR'):.3f} ({g('v3','1/2','en/paraphrase MRR'):.3f},{g('v3','2/2','en/paraphrase MRR'):.3f}) koMRR {g('v3','all','ko/paraphrase MRR'):.3f} off {g('v3','all','offtopic abstain'):.2f}")
    return s

def build(path="/tmp/w15/comps.pkl"):
    ra = rows_all()
    data = {"rows": ra}
    for tag, (rows, _) in ra.items():
        data[tag] = [components(r) for r in rows]
    pickle.dump(data, open(path, "wb"))
    return data

if __name__ == "__main__" and len(sys.argv) == 1:
    t = time.time(); d = build(); print("built", time.time() - t)
    res = {tag: [default_rank(c) for c in d[tag]] for tag in FILES}
    print(summary(evaluate(res, d), "default offline"))

_rows = None
def run_specs(specs):
    global _rows
    from store.search.retrieval import config_from_spec, rank
    if _rows is None:
        _rows = rows_all()
    d = {"rows": _rows}
    out = []
    for spec in specs:
        _, config = config_from_spec(spec, "use")
        res, ab = {}, {}
        for tag, (rows, _) in _rows.items():
            res[tag], ab[tag] = [], []
            for r in rows:
                hits, a = rank(index(), r.query, r.since, r.until, r.min_votes, 10, config)
                res[tag].append([h.paper.arxiv_id for h in hits]); ab[tag].append(a)
            d[tag] = [None] * len(rows)
        line = summary(evaluate(res, d, abstain=ab), spec)
        print(line, flush=True); out.append((spec, res, ab))
    return out

if __name__ == "__main__" and len(sys.argv) > 1:
    run_specs(sys.argv[1:])
