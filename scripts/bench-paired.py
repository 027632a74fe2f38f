#!/usr/bin/env python3
"""Paired start-up/latency comparison: runs each command in turn, round after round (A, B, C, A, B, C …,
the order rotating every round), so a busy machine slows all of them alike. Prints per command the
median wall time and median CPU time (user+system, from the child's rusage), and the ratios of the
medians to the first command. On a shared machine, trust the ratios and the CPU column more than
absolute wall times, and report the load average printed with them.

  scripts/bench-paired.py [--runs 40] [--warmup 3] -- 'node -e 0' -- 'plugin/kubectl-mesh --help' -- ...
"""
import os, shlex, statistics, sys, time

def main():
    argv = sys.argv[1:]
    runs, warmup = 40, 3
    while argv and argv[0] != '--':
        flag, value = argv[0], int(argv[1])
        if flag == '--runs': runs = value
        elif flag == '--warmup': warmup = value
        else: sys.exit(f'unknown option {flag}')
        argv = argv[2:]
    cmds = [shlex.split(c) for c in ' '.join(shlex.quote(a) for a in argv).split(' -- ') if c.strip('- ')]
    cmds = [[a for a in c if a != '--'] for c in cmds]
    wall = [[] for _ in cmds]
    cpu = [[] for _ in cmds]
    devnull = os.open(os.devnull, os.O_RDWR)
    load = [os.getloadavg()[0]]
    for r in range(warmup + runs):
        order = list(range(len(cmds)))
        order = order[r % len(cmds):] + order[:r % len(cmds)]
        for i in order:
            t0 = time.perf_counter()
            pid = os.fork()
            if pid == 0:
                os.dup2(devnull, 0); os.dup2(devnull, 1); os.dup2(devnull, 2)
                try: os.execvp(cmds[i][0], cmds[i])
                finally: os._exit(127)
            _, status, ru = os.wait4(pid, 0)
            t1 = time.perf_counter()
            if os.waitstatus_to_exitcode(status) != 0:
                sys.exit(f'{shlex.join(cmds[i])} exited {os.waitstatus_to_exitcode(status)}')
            if r >= warmup:
                wall[i].append((t1 - t0) * 1000)
                cpu[i].append((ru.ru_utime + ru.ru_stime) * 1000)
        load.append(os.getloadavg()[0])
    print(f'{runs} paired rounds after {warmup} warm-up; load average {min(load):.1f}..{max(load):.1f}, {os.cpu_count()} CPUs')
    base_w, base_c = statistics.median(wall[0]), statistics.median(cpu[0])
    for i, c in enumerate(cmds):
        w, u = statistics.median(wall[i]), statistics.median(cpu[i])
        print(f'  wall {w:8.1f} ms  ×{w / base_w:5.2f}  ({w - base_w:+7.1f})   cpu {u:7.1f} ms  ×{u / base_c:5.2f}  ({u - base_c:+6.1f})   {shlex.join(c)}')

main()
