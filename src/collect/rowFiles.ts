// The per-process files of the rows a collector shows (io, oom_score, oom_score_adj), kept open while
// a process stays in the rows.
import { HeldFileReader } from '../sys/heldFiles.ts';
import { isKernelFilesystem } from '../sys/kernelFiles.ts';

// The same processes top the lists tick after tick, so a pread on a held descriptor saves the open
// and close of each; past the limit, files are read the ordinary way.
const ROW_FILES = ['io', 'oom_score', 'oom_score_adj'];

export class RowFiles {
  private readonly procRoot: string;
  private readonly reader: HeldFileReader;
  private readonly held = new Set<number>();

  constructor(procRoot: string) {
    this.procRoot = procRoot;
    // three top lists of 10 rows by default, three files each, with room for bigger lists
    this.reader = new HeldFileReader(isKernelFilesystem(procRoot) ? 256 : 0);
  }

  read(pid: number, name: string): string | undefined {
    return this.readPath(pid, `${this.procRoot}/${pid}/${name}`);
  }

  readPath(pid: number, path: string): string | undefined {
    this.held.add(pid);
    return this.reader.read(path);
  }

  // Lets go of the descriptors of every process not among pids (the rows shown this tick).
  keepOnly(pids: Set<number>): void {
    for (const pid of this.held) {
      if (pids.has(pid)) continue;
      this.held.delete(pid);
      for (const name of ROW_FILES) this.reader.release(`${this.procRoot}/${pid}/${name}`);
    }
  }

  close(): void {
    this.reader.close();
    this.held.clear();
  }
}
