#!/usr/bin/env python3
"""What had the CPUs while the slowest alerts waited: reads a trace of sched-trace.sh (given the
engine's and the generator's PIDs) and the probes' timeline of MqttFixedRate
(-Dtagwatch.probes.file=F, with -Dtagwatch.engine.jvm="-Dtagwatch.alert.stamps=true"), and prints,
for each probe slower than THRESHOLD ms sent while the trace ran, its slowest hop and who ran on
the CPUs during that hop; then the same summed by hop, and the database's CPUs by 100 ms.

    python3 benchmarks/tools/probe-cpus.py /tmp/trace.txt /tmp/probes.txt [THRESHOLD_MS=5]

The trace and the timeline share a clock (CLOCK_MONOTONIC: the trace's "mono", Java's
System.nanoTime()). Shares are of both CPUs' time: 50 % is one CPU."""
import collections, re, signal, sys

import schedtrace

HOPS = ['send to engine', 'engine to journal written', 'written to match start', 'match start to hit', 'hit to officer']


def roles(path):
    """tid -> role, from TRACE.threads: the process with an ingest-match thread is the engine."""
    procs = collections.defaultdict(dict)
    for tid, (pid, name) in schedtrace.threads(path).items():
        procs[pid][tid] = name
    out = {}
    for pid, tids in procs.items():
        engine = 'ingest-match' in tids.values()
        for tid, name in tids.items():
            if not engine:
                out[tid] = 'generator'
            elif name == 'ingest-match':
                out[tid] = 'engine: match thread'
            elif name.startswith('multiThreadIoEv'):
                out[tid] = 'engine: event loops'
            else:
                out[tid] = 'engine: ' + re.sub(r'[#\d]+$', '', name)
    return out


def main(trace, timeline, threshold_ms):
    role = roles(trace)
    comm = {}
    spans = schedtrace.Spans()
    first = last = None
    for cpu, seconds, event, f in schedtrace.events(trace):
        if event != 'sched_switch':
            continue
        ts = int(seconds * 1e9)
        first = ts if first is None else first
        last = ts
        nxt = int(f['next_pid'])
        comm[nxt] = f['next_comm']
        spans.switch(cpu, ts, nxt)

    def who(tid):
        if tid == 0:
            return 'idle'
        if tid in role:
            return role[tid]
        return 'database' if comm.get(tid, '').startswith('postgres') else 'other: ' + comm.get(tid, '?')[:12]

    def occupancy(a, b):
        occ = collections.Counter()
        for cpu in spans.by_cpu:
            for tid, ran in spans.on(cpu, a, b):
                occ[who(tid)] += ran
        return occ

    def shares(occ, n=6):
        total = sum(occ.values()) or 1
        return ', '.join(f'{k} {100 * v / total:.0f} %' for k, v in occ.most_common(n))

    slow, by_hop, counted = [], collections.defaultdict(collections.Counter), collections.Counter()
    for line in open(timeline):
        f = [int(x) for x in line.split()]
        if len(f) < 2 + len(HOPS) or f[0] < first or f[0] + f[1] > last or f[1] < threshold_ms * 1e6:
            continue
        hops = f[2:2 + len(HOPS)]
        k = max(range(len(HOPS)), key=lambda i: hops[i])
        a = f[0] + sum(hops[:k])
        occ = occupancy(a, a + hops[k])
        slow.append((f[1], k, hops, occ))
        by_hop[k].update(occ)
        counted[k] += 1
    print(f'trace {(last - first) / 1e9:.1f} s; whole trace: {shares(occupancy(first, last), 8)}')
    print(f'{len(slow)} probes over {threshold_ms} ms; slowest first (ms: total, slowest hop; hops in order; who ran then)')
    for total, k, hops, occ in sorted(slow, key=lambda s: -s[0])[:30]:
        print(f'{total / 1e6:7.2f} {HOPS[k]:>26s} {hops[k] / 1e6:6.2f} [{" ".join(f"{h / 1e6:.2f}" for h in hops)}] {shares(occ, 4)}')
    for k in sorted(by_hop, key=lambda k: -counted[k]):
        print(f'slowest hop {HOPS[k]} ({counted[k]} probes): {shares(by_hop[k], 8)}')
    bucket = 100_000_000
    db = collections.Counter()
    for v in spans.by_cpu.values():
        for s, e, tid in v:
            if who(tid) == 'database':
                while s < e:
                    b = s // bucket
                    end = min(e, (b + 1) * bucket)
                    db[b] += end - s
                    s = end
    keys = range(first // bucket + 1, last // bucket)
    print('database CPUs by 100 ms:', ' '.join(f'{db[b] / bucket:.1f}' for b in keys))


if __name__ == '__main__':
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    if len(sys.argv) not in (3, 4):
        sys.exit('usage: probe-cpus.py TRACE TIMELINE [THRESHOLD_MS]')
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]) if len(sys.argv) == 4 else 5.0)
