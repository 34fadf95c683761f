// Policies repeat the same values (an office range, the end of a quarter) across thousands of
// rules. The parser keeps recent parses of such values, which makes parsing cheaper and lets
// rules share one frozen object. Bounded: when full it starts over, so no input can grow it.

export class BoundedCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: V): V {
    if (this.entries.size >= this.capacity) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }
}
