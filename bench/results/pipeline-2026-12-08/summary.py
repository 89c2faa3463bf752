import json,statistics,collections,sys
rows=collections.defaultdict(list)
for l in open(sys.argv[1]):
    r=json.loads(l)
    if 'header' in r or 'relay' not in r: continue
    k=(r['scenario'],r['conc'],r['size'])
    rows[(k,r['relay'])].append((r.get('msgs_per_s'),r.get('cpu_ms_per_msg'),r.get('loadavg'),r.get('ok')))
keys=sorted(set(k for k,_ in rows))
print("| point | base msgs/s (runs) | pipe msgs/s (runs) | pipe/base median | base CPU ms/msg | pipe CPU ms/msg | pipe/base CPU |")
print("|---|---|---|---:|---:|---:|---:|")
for k in keys:
    b=rows[(k,'base')]; p=rows[(k,'pipe')]
    bm=statistics.median([x[0] for x in b if x[0]]); pm=statistics.median([x[0] for x in p if x[0]])
    bc=[x[1] for x in b if x[1]]; pc=[x[1] for x in p if x[1]]
    bcm=statistics.median(bc) if bc else float('nan'); pcm=statistics.median(pc) if pc else float('nan')
    name=f"{k[0]} c={k[1]} {k[2]//1024} KiB" if k[0]=='proxy' else k[0]
    print(f"| {name} | {bm:.1f} ({', '.join(str(x[0]) for x in b)}) | {pm:.1f} ({', '.join(str(x[0]) for x in p)}) | {pm/bm:.2f} | {bcm:.2f} | {pcm:.2f} | {pcm/bcm:.2f} |")
loads=[x[2] for v in rows.values() for x in v if x[2]]
print(f"\nload average during the points: {min(loads):.1f}-{max(loads):.1f}; all ok: {all(x[3] for v in rows.values() for x in v)}")
