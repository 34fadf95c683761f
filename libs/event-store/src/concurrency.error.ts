/**
 * The stream moved on since the writer read it: its version is not the one the append
 * expected (a domain error; the API turns it into 412/409).
 */
export class ConcurrencyError extends Error {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    /** The version found, when known (a unique-key race does not tell it). */
    readonly actualVersion?: number,
  ) {
    super(
      `stream ${streamId}: expected version ${expectedVersion}` +
        (actualVersion === undefined ? ', another writer appended first' : `, found ${actualVersion}`),
    );
    this.name = 'ConcurrencyError';
  }
}
