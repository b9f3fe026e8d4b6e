#!/usr/bin/env node
// The oom-guard command: the same as 'hostguard guard', for earlyoom users.
import { launch } from './launch.js';

await launch(['guard', ...process.argv.slice(2)]);
