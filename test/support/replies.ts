import { afterEach } from 'vitest';
import type { Reply } from '../../handlers/replies/model.js';
import { DomainError } from '../../src/core/errors.js';
import { testRuntime, type TestRuntime } from './runtime.js';

/** The refusal `fn` throws (a DomainError, whose message and fields a test reads); anything else is thrown on, and no refusal fails the test. */
export function catchErr(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
}

/** A reply's facts, label → value. */
export function facts(r: Reply): Record<string, string> {
  const block = r.blocks.find((b) => b.type === 'facts');
  return block && block.type === 'facts' ? Object.fromEntries(block.facts.map((f) => [f.label, f.value])) : {};
}

/**
 * A test runtime closed after each test of the file: call it at the file's top level, then make
 * runtimes with what it returns.
 */
export function runtimesClosedAfterEach(): (opts?: Parameters<typeof testRuntime>[0]) => TestRuntime {
  const open: TestRuntime[] = [];
  afterEach(() => {
    for (const rt of open.splice(0)) rt.close();
  });
  return (opts = {}) => {
    const rt = testRuntime(opts);
    open.push(rt);
    return rt;
  };
}
