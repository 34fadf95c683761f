/** Throw the read model away and fold it again from every event (after a projection change, or to check it). */
export class RebuildReadModelCommand {
  private constructor(readonly batchSize: number) {}

  static create(input: { batchSize?: number } = {}): RebuildReadModelCommand {
    const batchSize = input.batchSize ?? 1_000;
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new RangeError('batchSize must be a positive integer');
    return new RebuildReadModelCommand(batchSize);
  }
}
