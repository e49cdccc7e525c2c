#!/usr/bin/env node
// `npm start`: the compiled src/app/main.ts (scripts/build.js builds it first when the sources changed).
import { importEntry } from '../scripts/build.js';

// Stack traces name the TypeScript sources, not the compiled files in dist/.
process.setSourceMapsEnabled(true);

await importEntry('main');
