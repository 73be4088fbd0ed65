#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm run build`, run on install).
import { holdYoungGenerationWhileStarting } from '../dist/lib/cli/start-up-heap.js';

holdYoungGenerationWhileStarting(); // before the modules load: see start-up-heap.ts
const { main } = await import('../dist/lib/cli/main.js');

main(process.argv.slice(2)).then(
  // Exit once stdout has flushed, so the last log lines are not cut off when piped.
  (code) => process.stdout.write('', () => process.exit(code)),
  (error) => {
    console.error('sense-mqtt-relay: unexpected error', error);
    process.exit(1);
  },
);
