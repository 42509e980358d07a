/**
 * A binary min-heap: the virtual clock's timer queue. Timers fire in (time, sequence) order, so
 * two timers set for the same instant fire in the order they were set, as Node's do.
 */
export class MinHeap<T> {
  private readonly items: T[] = [];

  /** @param before true when `a` must come out before `b`. */
  constructor(private readonly before: (a: T, b: T) => boolean) {}

  /** Number of items. */
  public get size(): number {
    return this.items.length;
  }

  /** The first item, without removing it. */
  public peek(): T | undefined {
    return this.items[0];
  }

  /** Adds an item. O(log n). */
  public push(item: T): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(a[i], a[parent])) break;
      [a[i], a[parent]] = [a[parent], a[i]];
      i = parent;
    }
  }

  /** Removes and returns the first item. O(log n). */
  public pop(): T | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop() as T;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.before(a[l], a[m])) m = l;
        if (r < a.length && this.before(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}
