import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * An append-only JSON-lines audit log of every API call and every transition. Written
 * synchronously line by line, so a killed run leaves everything up to its last step.
 * It is never read back to decide anything: Manila is the source of truth.
 */
export class Journal {
  private fd?: number;
  constructor(public readonly file: string) {}

  /** Appends one record with a timestamp. Objects must hold no secret (callers pass exchanges and events only). */
  public write(record: Record<string, unknown>): void {
    if (this.fd === undefined) {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      this.fd = fs.openSync(this.file, 'a', 0o600);
    }
    fs.writeSync(this.fd, JSON.stringify({ ts: new Date().toISOString(), pid: process.pid, ...record }) + '\n');
  }

  /** Closes the file. */
  public close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
