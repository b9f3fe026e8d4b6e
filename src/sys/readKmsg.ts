// Reader of the kernel log from its current end on: /dev/kmsg (one record per read) or, for
// tests and replays, a regular file of records in the same format.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { type KmsgRecord, parseKmsgRecord, splitKmsgRecords } from './parseKmsg.ts';

export const DEFAULT_KMSG_PATH = '/dev/kmsg';

// A record is at most about 1 KiB of text plus its dictionary; a smaller buffer gets EINVAL.
const BUFFER_BYTES = 16 * 1024;
// Bounds one poll, so a log storm cannot stall a collection.
const MAX_RECORDS_PER_POLL = 2000;

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

export class KmsgReader {
  // undefined when the log could not be opened (no CAP_SYSLOG, no such file)
  private fd: number | undefined;
  // for a regular file: where the next read starts; undefined for the device
  private position: number | undefined;
  private carry = '';
  private readonly buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  readonly openError: string | undefined;
  // records the kernel overwrote before we read them (EPIPE)
  lostRecords = 0;

  constructor(path = DEFAULT_KMSG_PATH) {
    try {
      this.fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
      if (fstatSync(this.fd).isFile()) this.position = fstatSync(this.fd).size;
      else this.drain();
      this.openError = undefined;
    } catch (error) {
      this.fd = undefined;
      this.openError = `${path}: ${errorCode(error) ?? String(error)}`;
    }
  }

  get isOpen(): boolean {
    return this.fd !== undefined;
  }

  // Node has no lseek(SEEK_END), so the device is read to its end and the records dropped.
  private drain(): void {
    while (this.readChunk() !== undefined) {
      // discard
    }
    this.carry = '';
  }

  // One read: a record from the device, a chunk from a file; undefined at the end (EAGAIN, EOF).
  private readChunk(): string | undefined {
    if (this.fd === undefined) return undefined;
    for (;;) {
      try {
        const read = readSync(this.fd, this.buffer, 0, this.buffer.length, this.position ?? null);
        if (read === 0) return undefined;
        if (this.position !== undefined) this.position += read;
        return this.buffer.toString('utf8', 0, read);
      } catch (error) {
        if (errorCode(error) === 'EPIPE') {
          this.lostRecords++;
          continue;
        }
        return undefined;
      }
    }
  }

  // The records written since the last poll (or since the reader was created).
  poll(): KmsgRecord[] {
    const records: KmsgRecord[] = [];
    for (let count = 0; count < MAX_RECORDS_PER_POLL; count++) {
      const chunk = this.readChunk();
      if (chunk === undefined) break;
      // Device reads end with a newline; file chunks may stop mid-record.
      const { records: texts, rest } = splitKmsgRecords(this.carry + chunk);
      this.carry = rest;
      for (const text of texts) {
        const parsed = parseKmsgRecord(text);
        if (parsed.ok) records.push(parsed.value);
      }
    }
    return records;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
