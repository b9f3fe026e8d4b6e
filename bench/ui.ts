// `npm run bench -- ui`: the web dashboard's benchmark (the name for it). The work is in
// bench/web.ts, which drives Chromium and so is type-checked with the browser code (web/tsconfig.json,
// DOM library) rather than with the rest of bench/; this entry runs it with the same arguments.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const result = spawnSync(process.execPath, [fileURLToPath(new URL('web.ts', import.meta.url)), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
