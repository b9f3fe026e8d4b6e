// A real unix datagram socket standing in for /dev/log: a python3 child binds it (Node cannot)
// and prints each datagram it receives as a JSON line.
import { type ChildProcess, spawn } from 'node:child_process';

const RECEIVER = `
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print(json.dumps({"ready": True}), flush=True)
while True:
    print(json.dumps({"datagram": s.recv(65536).decode("utf-8", "replace")}), flush=True)
`;

export interface Receiver {
  datagrams: string[];
  waitFor(count: number): Promise<string[]>;
  stop(): Promise<void>;
}

export function startReceiver(socketPath: string): Promise<Receiver> {
  const child: ChildProcess = spawn('python3', ['-c', RECEIVER, socketPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  const datagrams: string[] = [];
  const waiters: Array<() => void> = [];
  let buffered = '';
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout?.on('data', (data: Buffer) => {
      buffered += data.toString();
      let end: number;
      while ((end = buffered.indexOf('\n')) >= 0) {
        const event = JSON.parse(buffered.slice(0, end)) as { ready?: boolean; datagram?: string };
        buffered = buffered.slice(end + 1);
        if (event.ready) resolve(receiver);
        if (event.datagram !== undefined) datagrams.push(event.datagram);
        for (const wake of waiters.splice(0)) wake();
      }
    });
    const receiver: Receiver = {
      datagrams,
      waitFor(count) {
        return new Promise((done) => {
          const check = (): void => {
            if (datagrams.length >= count) done(datagrams.slice(0, count));
            else waiters.push(check);
          };
          check();
        });
      },
      stop() {
        if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
        return new Promise((done) => {
          child.once('exit', () => done());
          if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
        });
      },
    };
  });
}

