#!/usr/bin/env python3
"""From a wake-up to running, per thread: reads a trace of sched-trace.sh and prints, for each
thread name (of the processes listed in TRACE.threads, or of all), how many times it was woken
and how long it then waited for a CPU: p50, p99, max, how many waits were over 1 ms, and how many
of those had another CPU sitting idle for over 0.2 ms meanwhile (woken onto a busy CPU's queue).

    python3 benchmarks/tools/sched-hops.py /tmp/trace.txt

Each thread on an alert's path (event loop, journal writer, match thread, subscribers' loop,
and the generator's receiving thread) is woken at least once per alert, so its p99 here is
paid into the alert's tail once per hop."""
import collections, signal, sys

import schedtrace


def main(path):
    threads = schedtrace.threads(path)
    # One pass in time order: a wake-up counts only for a thread that had gone to sleep (switched
    # out not runnable); its wait ends when the thread next gets a CPU.
    asleep, woken_at, names = set(), {}, {}
    waits = collections.defaultdict(list)
    long_waits = collections.defaultdict(list)  # (woken, ran, cpu it ran on) of the waits over 1 ms
    spans = schedtrace.Spans()
    for cpu, ts, event, f in schedtrace.events(path):
        if event == 'sched_wakeup':
            tid = int(f['pid'])
            if tid in asleep:
                asleep.discard(tid)
                woken_at[tid], names[tid] = ts, f['comm']
            continue
        prev, nxt = int(f['prev_pid']), int(f['next_pid'])
        spans.switch(cpu, ts, nxt)
        if f['prev_state'] not in ('R', 'R+'):
            asleep.add(prev)
        if nxt in woken_at:
            t0 = woken_at.pop(nxt)
            if not threads or nxt in threads:
                key = f'{threads[nxt][0]} {names[nxt]}' if threads else names[nxt]
                waits[key].append(ts - t0)
                if ts - t0 > 1e-3:
                    long_waits[key].append((t0, ts, cpu))

    def idle_elsewhere(a, b, ran_on):
        """Seconds in [a, b] that some other CPU spent idle (the longest of them)."""
        return max((sum(ran for tid, ran in spans.on(c, a, b) if tid == 0) for c in spans.by_cpu if c != ran_on),
                   default=0.0)

    # ">1 ms, idle CPU": of the waits over 1 ms, those during which another CPU sat idle for over
    # 0.2 ms — the thread queued behind a busy CPU while one was free.
    print(f'{"process thread":34s} {"wake-ups":>9s} {"p50 µs":>8s} {"p99 µs":>8s} {"max µs":>8s} {">1 ms":>6s} '
          f'{">1 ms, idle CPU":>16s}')
    for key, w in sorted(waits.items(), key=lambda kv: -len(kv[1])):
        w.sort()
        n = len(w)
        idle = sum(1 for a, b, c in long_waits[key] if idle_elsewhere(a, b, c) > 2e-4)
        print(f'{key:34s} {n:9d} {w[n // 2] * 1e6:8.0f} {w[min(n - 1, int(n * 0.99))] * 1e6:8.0f} '
              f'{w[-1] * 1e6:8.0f} {sum(1 for x in w if x > 1e-3):6d} {idle:16d}')


if __name__ == '__main__':
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    if len(sys.argv) != 2:
        sys.exit('usage: sched-hops.py TRACE')
    main(sys.argv[1])
