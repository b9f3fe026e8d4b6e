#!/usr/bin/env node
// The hostguard command: subcommands guard, snapshot, ... (see --help).
import { launch } from './launch.js';

await launch(process.argv.slice(2));
