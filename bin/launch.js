// Starts a TypeScript entry point under a Node.js that can strip types, re-executing
// with the pinned Node 24 from node_modules when the system Node is older.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

// Type stripping (22.18 / 23.6) comes after node:sqlite (22.13) and what the dependencies need
// (22): a Node that can strip types can also run dist/.
/** @param {string} version */
function canStripTypes(version) {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return major >= 24 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18);
}

function findPinnedNode() {
  const candidates = [
    join(packageRoot, 'node_modules', 'node', 'bin', 'node'),
    join(packageRoot, 'node_modules', '.bin', 'node'),
  ];
  return candidates.find((path) => existsSync(path));
}

// dist/ holds src/ compiled to JavaScript (npm run build, run by npm ci): it starts with about
// 35 MiB less memory than type stripping. It is used only while no source is newer than its output.
/** @param {string} dir */
function distIsCurrent(dir = join(packageRoot, 'src')) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!distIsCurrent(path)) return false;
      continue;
    }
    if (!entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts')) continue;
    const output = join(packageRoot, 'dist', path.slice(join(packageRoot, 'src').length).replace(/\.ts$/, '.js'));
    if (!existsSync(output) || statSync(output).mtimeMs < statSync(path).mtimeMs) return false;
  }
  return true;
}

/**
 * @param {string} nodePath
 * @param {string} entry
 * @param {string[]} args
 */
function reexec(nodePath, entry, args) {
  const child = spawn(nodePath, [entry, ...args], { stdio: 'inherit' });
  /** @type {NodeJS.Signals[]} */
  const forwarded = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2'];
  /** @param {NodeJS.Signals} signal */
  const forward = (signal) => child.kill(signal);
  for (const signal of forwarded) process.on(signal, forward);
  child.on('exit', (code, signal) => {
    if (signal) {
      // Ended by a signal: end the same way, so the caller sees what the child saw (143 for
      // SIGTERM in a shell), which needs the forwarding handlers gone first.
      for (const name of forwarded) process.off(name, forward);
      process.kill(process.pid, signal);
    }
    // Reached only if the re-raised signal did not end this process.
    process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0));
  });
}

// What dist/ runs on the Node that started it, however old (>= 20): the guard, so that it is one
// process and not a launcher beside a second Node; snapshot, help and version. The daemon, top and
// trace need node:sqlite or dependencies that need Node >= 22, so an older Node re-execs for them.
const RUN_ON_ANY_NODE = new Set(['guard', 'snapshot', '--version', '-v', '--help', '-h', 'help', undefined]);

/** @param {string[]} args */
export async function launch(args) {
  const compiled = join(packageRoot, 'dist', 'cli', 'main.js');
  // HOSTGUARD_FROM_SOURCE=1 runs src/ even when dist/ is current (development, and the launcher's tests).
  const fromDist = process.env.HOSTGUARD_FROM_SOURCE !== '1' && existsSync(compiled) && distIsCurrent();
  const entry = fromDist ? compiled : join(packageRoot, 'src', 'cli', 'main.ts');
  if (canStripTypes(process.version) || (fromDist && RUN_ON_ANY_NODE.has(args[0]))) {
    const main = await import(pathToFileURL(entry).href);
    await main.run(args);
    return;
  }
  const pinned = findPinnedNode();
  if (!pinned) {
    process.stderr.write(
      `hostguard needs Node.js >= 22.18 (found ${process.version}) and could not find the pinned ` +
        `Node 24 in ${join(packageRoot, 'node_modules')}. Run 'npm ci' in ${packageRoot}.\n`,
    );
    process.exit(1);
  }
  reexec(pinned, entry, args);
}
