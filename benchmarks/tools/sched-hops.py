#!/usr/bin/env python3
"""From a wake-up to running, per thread: reads a trace of sched-trace.sh and prints, for each
thread name (of the processes listed in TRACE.threads, or of all), how many times it was woken
and how long it then waited for a CPU: p50, p99, max, and how many waits were over 1 ms.

    python3 benchmarks/tools/sched-hops.py /tmp/trace.txt

Each thread on an alert's path (event loop, journal writer, match thread, subscribers' loop,
and the generator's receiving thread) is woken at least once per alert, so its p99 here is
paid into the alert's tail once per hop."""
import collections, os, re, signal, sys

LINE = re.compile(r'^\s*(.+?)-(\d+)\s+\[(\d+)\]\s+\S+\s+([\d.]+): (sched_switch|sched_wakeup): (.*)$')
FIELD = re.compile(r'(\w+)=(\S+)')


def main(path):
    threads = {}
    if os.path.exists(path + '.threads'):
        for line in open(path + '.threads'):
            pid, tid, *name = line.split()
            threads[int(tid)] = (int(pid), ' '.join(name))
    # One pass in time order: a wake-up counts only for a thread that had gone to sleep (switched
    # out not runnable); its wait ends when the thread next gets a CPU.
    asleep, woken_at, names = set(), {}, {}
    waits = collections.defaultdict(list)
    for line in open(path):
        m = LINE.match(line)
        if not m:
            continue
        ts, event, f = float(m.group(4)), m.group(5), dict(FIELD.findall(m.group(6)))
        if event == 'sched_wakeup':
            tid = int(f['pid'])
            if tid in asleep:
                asleep.discard(tid)
                woken_at[tid], names[tid] = ts, f['comm']
            continue
        prev, nxt = int(f['prev_pid']), int(f['next_pid'])
        if f['prev_state'] not in ('R', 'R+'):
            asleep.add(prev)
        if nxt in woken_at:
            t0 = woken_at.pop(nxt)
            if not threads or nxt in threads:
                key = f'{threads[nxt][0]} {names[nxt]}' if threads else names[nxt]
                waits[key].append(ts - t0)
    print(f'{"process thread":34s} {"wake-ups":>9s} {"p50 µs":>8s} {"p99 µs":>8s} {"max µs":>8s} {">1 ms":>6s}')
    for key, w in sorted(waits.items(), key=lambda kv: -len(kv[1])):
        w.sort()
        n = len(w)
        print(f'{key:34s} {n:9d} {w[n // 2] * 1e6:8.0f} {w[min(n - 1, int(n * 0.99))] * 1e6:8.0f} '
              f'{w[-1] * 1e6:8.0f} {sum(1 for x in w if x > 1e-3):6d}')


if __name__ == '__main__':
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    if len(sys.argv) != 2:
        sys.exit('usage: sched-hops.py TRACE')
    main(sys.argv[1])
