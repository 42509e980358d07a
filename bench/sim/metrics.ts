import type { VirtualClock } from './clock';

/**
 * Samples the process at every virtual hour of a run: resident memory, heap, and CPU time since
 * the previous sample. The runner, the simulator and the virtual-time driver share the process;
 * the simulator's own request handling is timed apart (`simMs`), so the runner's share can be
 * told from the rest.
 */

/** One sample. */
export interface ProcessSample {
  /** Virtual hours since the start. */
  readonly hour: number;
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
  /** Heap committed, and memory outside the JS heap (Buffers), MiB. */
  readonly heapTotalMiB: number;
  readonly externalMiB: number;
  /** Heap and RSS right after a full collection (when the process runs with --expose-gc): the live memory. */
  readonly liveHeapMiB?: number;
  readonly rssAfterGcMiB?: number;
  /** CPU (user + system) in this virtual hour, ms. */
  readonly cpuMs: number;
  /** Wall time of this virtual hour, ms. */
  readonly wallMs: number;
}

const MiB = 1024 * 1024;

export class ProcessSampler {
  public readonly samples: ProcessSample[] = [];
  private lastCpu = process.cpuUsage();
  private lastWall = Date.now();
  private readonly t0: number;
  private stopped = false;
  /** Most RSS seen, MiB. */
  public peakRssMiB = 0;

  constructor(private readonly clock: VirtualClock) {
    this.t0 = clock.now();
    this.schedule(1);
  }

  private schedule(hour: number): void {
    this.clock.at(this.t0 + hour * 3_600_000, () => {
      if (this.stopped) return;
      this.sample(hour);
      this.schedule(hour + 1);
    });
  }

  /** Takes a sample now. */
  public sample(hour: number): ProcessSample {
    const m = process.memoryUsage();
    const cpu = process.cpuUsage(this.lastCpu);
    const now = Date.now();
    const gc = (globalThis as { gc?: () => void }).gc;
    let live: { liveHeapMiB: number; rssAfterGcMiB: number } | undefined;
    if (gc) {
      gc();
      const after = process.memoryUsage();
      live = { liveHeapMiB: after.heapUsed / MiB, rssAfterGcMiB: after.rss / MiB };
    }
    // The collection's own CPU is not the run's: the next hour starts after it.
    this.lastCpu = process.cpuUsage();
    const s: ProcessSample = {
      hour,
      rssMiB: m.rss / MiB,
      heapUsedMiB: m.heapUsed / MiB,
      heapTotalMiB: m.heapTotal / MiB,
      externalMiB: m.external / MiB,
      ...(live ?? {}),
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs: now - this.lastWall,
    };
    this.lastWall = Date.now();
    this.peakRssMiB = Math.max(this.peakRssMiB, s.rssMiB);
    this.samples.push(s);
    return s;
  }

  /** Stops sampling (its timer would otherwise keep virtual time going). */
  public stop(): void {
    this.stopped = true;
  }
}
