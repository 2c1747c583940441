import { existsSync } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { makeDurableDir, syncFolder } from '@cairn/core';
import { frameRecord, scanRecords } from './record-framing.js';

/**
 * One append-only events file. Records are appended whole (one write per batch); `sync` makes
 * them durable. `size` counts the bytes this writer knows are in the file, so a checkpoint can
 * record where its run stood and a resume can cut the file back there.
 */
export class EventFile {
  private handle: FileHandle | undefined;
  private bytes = 0;

  constructor(readonly path: string) {}

  get size(): number {
    return this.bytes;
  }

  /** Creates the file with its first records; `replace` lets it overwrite a file of that name (a resume that restarts the file). */
  async create(first: readonly Uint8Array[], replace = false): Promise<void> {
    await makeDurableDir(dirname(this.path));
    this.handle = await open(this.path, replace ? 'w' : 'wx');
    this.bytes = 0;
    await this.append(first);
    await this.handle.sync();
    // The new name itself must survive a crash, not only the bytes.
    await syncFolder(dirname(this.path));
  }

  /**
   * Continues an existing file after its first `limit` bytes, dropping what follows (events
   * logged after a checkpoint, which the resumed run logs again) and any torn record a crash
   * left. Returns a notice when the file holds less than `limit` intact bytes, or undefined.
   */
  async continueAt(limit: number): Promise<string | undefined> {
    if (!existsSync(this.path)) return `${this.path} is missing; a new file is started`;
    const scan = scanRecords(new Uint8Array(await readFile(this.path)), limit);
    this.handle = await open(this.path, 'r+');
    await this.handle.truncate(scan.validLength);
    await this.handle.sync();
    await this.handle.close();
    this.handle = await open(this.path, 'a');
    this.bytes = scan.validLength;
    if (scan.validLength < limit) return `${this.path} holds ${scan.validLength} intact bytes of the ${limit} written before the checkpoint (${scan.problem ?? 'file shorter'}); events in between are lost`;
    return undefined;
  }

  get isOpen(): boolean {
    return this.handle !== undefined;
  }

  async append(records: readonly Uint8Array[]): Promise<void> {
    if (this.handle === undefined) throw new Error(`event file ${this.path} is not open`);
    if (records.length === 0) return;
    const framed = Buffer.concat(records.map(frameRecord));
    await this.handle.write(framed, 0, framed.length, null);
    this.bytes += framed.length;
  }

  async sync(): Promise<void> {
    await this.handle?.sync();
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }
}
