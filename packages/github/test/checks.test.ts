import { describe, expect, it } from 'vitest';
import { completeCheckRun } from '../src/checks.ts';
import { createGitHubTokenClient } from '../src/octokit.ts';

/** Records each request's method, path and JSON body; fails on any route but check-run updates. */
function recordingFetch() {
  const requests: { method: string; path: string; body: Record<string, unknown> }[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const method = init?.method ?? 'GET';
    if (method !== 'PATCH' || url.pathname !== '/repos/octo/calc/check-runs/7') {
      throw new Error(`unexpected request ${method} ${url.pathname}`);
    }
    requests.push({
      method,
      path: url.pathname,
      body: JSON.parse(String(init?.body)) as Record<string, unknown>,
    });
    return new Response(JSON.stringify({ id: 7 }), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { requests, fetch: fetch as typeof globalThis.fetch };
}

describe('completeCheckRun', () => {
  it("sends the port's annotations under the checks API's field names", async () => {
    const { requests, fetch } = recordingFetch();
    const octokit = createGitHubTokenClient({
      token: 't',
      baseUrl: 'https://api.github.test',
      fetch,
    });
    await completeCheckRun({
      octokit,
      owner: 'octo',
      repo: 'calc',
      checkRunId: 7,
      conclusion: 'failure',
      output: {
        title: '1 test rejected',
        summary: 'test_shell: unsafe',
        annotations: [
          {
            file: 'tests/test_calc.py',
            startLine: 22,
            endLine: 23,
            level: 'failure',
            title: 'unsafe: B605',
            message: 'os.system',
            details: 'rule B605 (bandit, severity high)',
          },
          { file: 'calc.py', startLine: 3, endLine: 3, level: 'notice', message: 'survives' },
        ],
      },
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]?.body.output).toEqual({
      title: '1 test rejected',
      summary: 'test_shell: unsafe',
      annotations: [
        {
          path: 'tests/test_calc.py',
          start_line: 22,
          end_line: 23,
          annotation_level: 'failure',
          title: 'unsafe: B605',
          message: 'os.system',
          raw_details: 'rule B605 (bandit, severity high)',
        },
        {
          path: 'calc.py',
          start_line: 3,
          end_line: 3,
          annotation_level: 'notice',
          message: 'survives',
        },
      ],
    });
  });
});
