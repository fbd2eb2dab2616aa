import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { logErrors } from '../src/connection.ts';

describe('logErrors', () => {
  it('keeps a connection error from crashing the process and logs it once per interval', () => {
    const source = new EventEmitter();
    const lines: { meta: Record<string, unknown>; message: string }[] = [];
    logErrors(
      source,
      'gate queue connection',
      { warn: (meta, message) => lines.push({ meta, message }) },
      60_000,
    );

    for (let i = 0; i < 5; i += 1) source.emit('error', new Error(`connect ECONNREFUSED #${i}`));

    expect(lines).toHaveLength(1);
    expect(lines[0]!.message).toBe('gate queue connection: Redis error (retrying)');
    expect(lines[0]!.meta).toMatchObject({ what: 'gate queue connection', leftOut: 0 });
    expect((lines[0]!.meta['err'] as Error).message).toBe('connect ECONNREFUSED #0');
  });

  it('says how many errors it left out when it logs again', () => {
    const source = new EventEmitter();
    const left: unknown[] = [];
    logErrors(source, 'intake reader', { warn: (meta) => left.push(meta['leftOut']) }, 0);
    source.emit('error', new Error('a'));
    source.emit('error', new Error('b'));
    expect(left).toEqual([0, 0]);
  });
});
