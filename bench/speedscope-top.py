#!/usr/bin/env python3
"""Top frames of a speedscope file written by `dotnet-trace convert --format speedscope` (bench/api-cpu.sh).

The trace is dotnet-trace's `dotnet-sampled-thread-time` profile: every thread's stack about 100 times a second,
ending in a pseudo-frame, CPU_TIME (running managed code) or UNMANAGED_CODE_TIME (in native code: a system call,
OpenSSL, or a wait). Every thread's evented profile is walked; the time between two events goes to the frame
under the pseudo-frame (exclusive; "[native]" when in native code) and once to every distinct frame on the stack
(inclusive). Stacks in a wait (the thread pool's semaphore, the socket engine's epoll, a file watcher, timers)
are left out, so the percentages are of the time threads were working.
Usage: speedscope-top.py FILE [N]
"""
import json
import sys
from collections import defaultdict

IDLE = ("WaitHandle.Wait", "LowLevelLifoSemaphore", "Monitor.Wait", "Thread.Sleep", "WaitForSocketEvents",
        "SocketAsyncEngine.EventLoop", "PortableThreadPool+GateThread", "WaitOne", "LowLevelMonitor",
        "ManualResetEventSlim.Wait", "SemaphoreSlim.Wait", "Interop+Sys.WaitForSocketEvents", "epoll_wait",
        "Thread.SleepInternal", "TimerQueue.TimerThread", "SpinWait", "Interop+Sys.Poll", "FileSystemWatcher",
        "WaitForSignal", "Monitor.Enter", "Interop+Sys.Read(", "WaitForPendingFinalizers", "BlockingCollection",
        "WaitHandle", "Task.Wait", "TaskAwaiter.GetResult", "EventPipe", "ReadFromSocket")
PSEUDO = ("CPU_TIME", "UNMANAGED_CODE_TIME")
# A thread whose working frame is one of these is parked (a pool worker between items, the finalizer thread).
IDLE_LEAF = ("WorkerThread.WorkerThreadStart()", "GC.RunFinalizers()", "Thread.StartCallback()", "?!?")


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    data = json.load(open(path))
    names = [f["name"] for f in data["shared"]["frames"]]
    exclusive, inclusive = defaultdict(float), defaultdict(float)
    total = 0.0
    for profile in data["profiles"]:
        if profile.get("type") != "evented":
            continue
        stack, last = [], None
        for event in profile["events"]:
            at = event["at"]
            if stack and last is not None and at > last:
                span = at - last
                working = stack[-2] if names[stack[-1]] in PSEUDO and len(stack) > 1 else stack[-1]
                if not names[working].endswith(IDLE_LEAF) and \
                        not any(any(word in names[f] for word in IDLE) for f in stack[-4:]):
                    total += span
                    leaf = stack[-1]
                    if names[leaf] in PSEUDO and len(stack) > 1:
                        leaf = (stack[-2], names[leaf] == "UNMANAGED_CODE_TIME")
                    else:
                        leaf = (leaf, False)
                    exclusive[leaf] += span
                    for f in set(stack):
                        inclusive[f] += span
            last = at
            if event["type"] == "O":
                stack.append(event["frame"])
            elif stack:
                stack.pop()
    if total == 0:
        print("no samples")
        return
    print(f"sampled CPU (idle waits left out): {total:.0f} {data['profiles'][0].get('unit', '')}")
    print("-- exclusive")
    for (f, native), t in sorted(exclusive.items(), key=lambda kv: -kv[1])[:top]:
        print(f"{100 * t / total:5.1f}%  {'[native] ' if native else ''}{names[f][:160]}")
    print("-- inclusive")
    for f, t in sorted(inclusive.items(), key=lambda kv: -kv[1])[:top * 2]:
        if names[f] in PSEUDO or names[f].startswith(("Thread (", "Process64", "(Non-Activities)", "Threads")):
            continue
        print(f"{100 * t / total:5.1f}%  {names[f][:160]}")


if __name__ == "__main__":
    main()
