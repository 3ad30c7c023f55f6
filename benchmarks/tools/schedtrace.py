"""A trace of sched-trace.sh, read once for probe-cpus.py and sched-hops.py: its events, the
threads of its TRACE.threads file, and who ran on each CPU when."""
import bisect, collections, os, re

LINE = re.compile(r'^\s*(.+?)-(\d+)\s+\[(\d+)\]\s+\S+\s+([\d.]+): (sched_switch|sched_wakeup): (.*)$')
FIELD = re.compile(r'(\w+)=(\S+)')


def events(path):
    """(cpu, seconds, event, fields) of each sched_switch and sched_wakeup line, in the trace's order."""
    for line in open(path):
        m = LINE.match(line)
        if m:
            yield int(m.group(3)), float(m.group(4)), m.group(5), dict(FIELD.findall(m.group(6)))


def threads(path):
    """tid -> (pid, name) of the threads listed in PATH.threads (empty when there is no such file)."""
    out = {}
    if os.path.exists(path + '.threads'):
        for line in open(path + '.threads'):
            pid, tid, *name = line.split()
            out[int(tid)] = (int(pid), ' '.join(name))
    return out


class Spans:
    """Who ran on each CPU when: fed each sched_switch in time order, then asked about intervals.
    Times in whatever unit the caller feeds (seconds or nanoseconds); tid 0 is the idle task."""

    def __init__(self):
        self.by_cpu = collections.defaultdict(list)  # cpu -> [(start, end, tid)], in time order
        self._running = {}                           # cpu -> (since, tid)
        self._starts = None

    def switch(self, cpu, ts, next_tid):
        if cpu in self._running:
            self.by_cpu[cpu].append((self._running[cpu][0], ts, self._running[cpu][1]))
        self._running[cpu] = (ts, next_tid)
        self._starts = None

    def on(self, cpu, a, b):
        """(tid, time it ran within [a, b]) of each span on this CPU that overlaps [a, b]."""
        if self._starts is None:
            self._starts = {c: [s[0] for s in v] for c, v in self.by_cpu.items()}
        v = self.by_cpu.get(cpu, [])
        i = max(0, bisect.bisect_right(self._starts.get(cpu, []), a) - 1)
        while i < len(v) and v[i][0] < b:
            s, e, tid = v[i]
            yield tid, max(0, min(e, b) - max(s, a))
            i += 1
