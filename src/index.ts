// The runner's entry point (action.yml: runs.main = dist/index.js, built from this file).
import './node-version.ts';
import { run } from './main.ts';

process.exitCode = await run();
