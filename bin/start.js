#!/usr/bin/env node
// `npm start`: the compiled src/app/main.ts (scripts/build.js builds it first when the sources changed).
import { importEntry } from '../scripts/build.js';

await importEntry('main');
