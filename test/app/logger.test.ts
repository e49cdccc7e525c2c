import { describe, expect, it } from 'vitest';
import { createLogger, createTextLogger } from '../../src/app/logger.js';
import { flush, sink } from '../support/log-sink.js';

describe('the server log (JSON lines)', () => {
  it('never holds a secret: tokens, the signing secret, passwords and authorization headers are redacted', async () => {
    const out = sink();
    const log = createLogger('info', out.stream);
    log.warn({ token: 'xoxb-secret-1', config: { signingSecret: 'sig-secret-2', appPassword: 'pw-secret-3' }, req: { headers: { authorization: 'Bearer secret-4' } } }, 'something');
    await flush();
    const line = out.text();
    expect(JSON.parse(line)).toMatchObject({ level: 40, msg: 'something', token: '[redacted]', config: { signingSecret: '[redacted]', appPassword: '[redacted]' } });
    for (const secret of ['xoxb-secret-1', 'sig-secret-2', 'pw-secret-3', 'secret-4']) expect(line).not.toContain(secret);
  });
});

describe('the log of a command run at a terminal (text lines)', () => {
  it('is a line of text per record, named by its level, with an error’s message and no stack', async () => {
    const out = sink();
    const log = createTextLogger('info', out.stream);
    log.info('taken in');
    log.warn('ROE_POLICY is not valid');
    log.error({ err: new Error('disk full') }, 'could not write');
    log.debug('not shown at info');
    await flush();
    expect(out.text()).toBe('roe: info: taken in\nroe: warning: ROE_POLICY is not valid\nroe: error: could not write (disk full)\n');
  });

  it('says "warning" once for a policy file’s warning, which names it after its file and line', async () => {
    const out = sink();
    createTextLogger('info', out.stream).warn('my-policy.yaml: line 22: warning: registration.dormant_after_days: 120 is not less than protection_days (90)');
    await flush();
    expect(out.text()).toBe('roe: warning: my-policy.yaml: line 22: registration.dormant_after_days: 120 is not less than protection_days (90)\n');
  });

  it('shows an error’s stack at the debug level', async () => {
    const out = sink();
    createTextLogger('debug', out.stream).error({ err: new Error('disk full') }, 'could not write');
    await flush();
    expect(out.text()).toMatch(/^roe: error: could not write\nError: disk full\n\s+at /);
  });

  it('never holds a secret either', async () => {
    const out = sink();
    createTextLogger('debug', out.stream).warn({ token: 'xoxb-secret-1', err: Object.assign(new Error('refused'), { password: 'pw-secret-3' }) }, 'refused');
    await flush();
    expect(out.text()).not.toMatch(/secret/);
  });
});
