/** Types of scripts/build.js (plain JavaScript, run by Node without a TypeScript loader). */
export declare const ROOT: string;
export declare const DIST: string;
export declare const ENTRIES: Record<'cli' | 'main' | 'config', string>;
/** Digest of the sources a build is made of (of the project at `root`). */
export declare function sourceHash(root?: string): string;
/** The folder of the build for `hash` (default: the current sources), or null when not built. */
export declare function currentBuild(hash?: string): string | null;
/** Builds the current sources unless built already; returns the build's folder. */
export declare function build(options?: { hash?: string; quiet?: boolean }): Promise<string>;
/** Imports an entry of the build of the current sources, building it first when needed. */
export declare function importEntry(name: keyof typeof ENTRIES): Promise<Record<string, unknown>>;
