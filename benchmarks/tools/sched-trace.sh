#!/bin/bash
# Where a thread's time goes between being woken and running: records the kernel's scheduler
# events (sched_switch, sched_wakeup) on every CPU for SECONDS, with the monotonic clock (the
# clock of Java's System.nanoTime), into OUT; and, for each PID given, which of its threads
# (tid, name) were alive, into OUT.threads. Needs root (tracefs). Analyse with sched-hops.py.
#
#   sudo benchmarks/tools/sched-trace.sh 4 /tmp/trace.txt $(pgrep -f 'cli.Main serve')
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 SECONDS OUT [PID...]" >&2
  exit 2
fi
seconds=$1 out=$2
shift 2
T=/sys/kernel/tracing
[ -e $T/trace ] || mount -t tracefs nodev $T
: > "$out.threads"
for pid in "$@"; do
  for task in /proc/$pid/task/*; do
    echo "$pid ${task##*/} $(cat $task/comm 2>/dev/null)" >> "$out.threads"
  done
done
echo 0 > $T/tracing_on
echo > $T/trace
echo mono > $T/trace_clock
old_kb=$(sed -E 's/.*expanded: ([0-9]+).*/\1/; s/ .*//' $T/buffer_size_kb)  # "7 (expanded: 1408)" before first use
echo 65536 > $T/buffer_size_kb
echo 0 > $T/events/enable
echo 1 > $T/events/sched/sched_switch/enable
echo 1 > $T/events/sched/sched_wakeup/enable
echo 1 > $T/tracing_on
sleep "$seconds"
echo 0 > $T/tracing_on
cat $T/trace > "$out"
echo 0 > $T/events/enable
echo > $T/trace
echo "$old_kb" > $T/buffer_size_kb
echo "$(grep -vc '^#' "$out") events in $out; threads of $# process(es) in $out.threads"
