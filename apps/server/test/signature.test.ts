import { sign } from '@octokit/webhooks-methods';
import { describe, expect, it } from 'vitest';
import { signatureMatches } from '../src/build-server.ts';

describe('signatureMatches', () => {
  const body = JSON.stringify({ action: 'opened', note: 'ünïcode ✓' });

  it('accepts the signature GitHub (and @octokit/webhooks-methods) computes', async () => {
    expect(signatureMatches('s3cret', body, await sign('s3cret', body))).toBe(true);
  });

  it('rejects another secret, a changed body, a truncated or malformed signature', async () => {
    const good = await sign('s3cret', body);
    expect(signatureMatches('other', body, good)).toBe(false);
    expect(signatureMatches('s3cret', `${body} `, good)).toBe(false);
    expect(signatureMatches('s3cret', body, good.slice(0, -2))).toBe(false);
    expect(signatureMatches('s3cret', body, good.replace('sha256=', 'sha1='))).toBe(false);
    expect(signatureMatches('s3cret', body, 'sha256=zz')).toBe(false);
  });
});
