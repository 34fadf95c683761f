import type { DataSource } from 'typeorm';
import type { SiemPositionStore } from '../siem/siem-forwarder';

export class SiemPositionRepository implements SiemPositionStore {
  constructor(private readonly dataSource: DataSource) {}

  async load(forwarder: string): Promise<number> {
    const rows = await this.dataSource.query<{ seq: string }[]>(
      `SELECT seq FROM siem_positions WHERE forwarder = $1`,
      [forwarder],
    );
    return rows[0] ? Number(rows[0].seq) : 0;
  }

  async save(forwarder: string, seq: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO siem_positions (forwarder, seq) VALUES ($1, $2)
       ON CONFLICT (forwarder) DO UPDATE SET seq = GREATEST(siem_positions.seq, EXCLUDED.seq), updated_at = now()`,
      [forwarder, seq],
    );
  }
}
