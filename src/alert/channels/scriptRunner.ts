// The script hook's thread: runs each alert's executable and reports how it ended. spawn() forks the
// whole process and blocks the thread that calls it (measured: 6 ms median, up to 290 ms on a loaded
// machine); here it blocks this thread, not the alert system's (which also serves the API).
// Messages in: run {id, path, env, input} and kill {id}; out: exit {id, code, signal, stderr} or
// error {id, message}.
import { type ChildProcess, spawn } from 'node:child_process';
import { parentPort } from 'node:worker_threads';

export type ToRunner = { type: 'run'; id: number; path: string; env: Record<string, string>; input: string } | { type: 'kill'; id: number };
export type FromRunner = { type: 'exit'; id: number; code: number | null; signal: string | null; stderr: string } | { type: 'error'; id: number; message: string };

const children = new Map<number, ChildProcess>();
const post = (message: FromRunner): void => parentPort?.postMessage(message);

function run(id: number, path: string, env: Record<string, string>, input: string): void {
  let child: ChildProcess;
  try {
    child = spawn(path, [], { env, stdio: ['pipe', 'ignore', 'pipe'] });
  } catch (error) {
    post({ type: 'error', id, message: (error as Error).message });
    return;
  }
  children.set(id, child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-500)));
  child.stdin?.on('error', () => undefined);
  child.stdin?.end(input);
  child.on('error', (error) => {
    children.delete(id);
    post({ type: 'error', id, message: error.message });
  });
  child.on('exit', (code, signal) => {
    children.delete(id);
    post({ type: 'exit', id, code, signal, stderr });
  });
}

parentPort?.on('message', (message: ToRunner) => {
  if (message.type === 'run') run(message.id, message.path, message.env, message.input);
  else children.get(message.id)?.kill('SIGKILL');
});
