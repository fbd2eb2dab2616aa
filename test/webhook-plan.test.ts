/** What the server makes of each delivery, on GitHub's own example payloads and broken ones. */
import examples from '@octokit/webhooks-examples';
import { planDelivery, PULL_REQUEST_ACTIONS } from '@testgate/server';
import { describe, expect, it } from 'vitest';

type Example = { name: string; examples: Record<string, unknown>[] };
interface PullRequestExample {
  action: string;
  installation?: { id: number };
  repository: { name: string; owner: { login: string }; default_branch: string };
  pull_request: {
    number: number;
    draft?: boolean;
    labels?: { name: string }[];
    head: { sha: string; ref: string };
    base: { sha: string; ref: string };
  };
}

const pullRequestExamples = (
  (examples as unknown as Example[]).find((e) => e.name === 'pull_request')?.examples ?? []
).map((e) => ({ ...e, installation: { id: 77 } }) as unknown as PullRequestExample);

describe('planDelivery for pull_request', () => {
  it('has examples of gated and of other actions to check', () => {
    const actions = new Set(pullRequestExamples.map((e) => e.action));
    expect([...actions].filter((a) => PULL_REQUEST_ACTIONS.includes(a)).length).toBeGreaterThan(1);
    expect([...actions].filter((a) => !PULL_REQUEST_ACTIONS.includes(a)).length).toBeGreaterThan(1);
  });

  it('queues a gated action with the fields of the payload, and ignores the others', () => {
    for (const payload of pullRequestExamples) {
      const plan = planDelivery('pull_request', payload, '1');
      if (!PULL_REQUEST_ACTIONS.includes(payload.action)) {
        expect(plan).toEqual({
          action: 'ignore',
          reason: `pull_request.${payload.action} is not gated`,
        });
        continue;
      }
      const pr = payload.pull_request;
      expect(plan).toEqual({
        action: 'enqueue',
        rerun: false,
        job: {
          host: { kind: 'github', installationId: 77 },
          owner: payload.repository.owner.login,
          repo: payload.repository.name,
          defaultBranch: payload.repository.default_branch,
          pullNumber: pr.number,
          headSha: pr.head.sha,
          baseSha: pr.base.sha,
          headRef: pr.head.ref,
          baseRef: pr.base.ref,
          draft: pr.draft === true,
          // GitHub's examples carry a `bug` label.
          claimsFix: (pr.labels ?? []).some((label) => label.name === 'bug'),
          event: `pull_request.${payload.action}`,
        },
      });
    }
  });

  it('marks a pull request that says it fixes a bug: a bug/bugfix/fix label or a closing keyword', () => {
    const base = pullRequestExamples.find((e) => e.action === 'opened')!;
    const claims = (pull: Record<string, unknown>) => {
      const plan = planDelivery(
        'pull_request',
        {
          ...base,
          pull_request: { ...base.pull_request, title: 'Tidy', body: null, labels: [], ...pull },
        },
        '1',
      );
      return plan.action === 'enqueue' ? plan.job.claimsFix : undefined;
    };
    expect(claims({})).toBe(false);
    expect(claims({ labels: [{ name: 'Bug' }] })).toBe(true);
    expect(claims({ labels: [{ name: 'bugfix' }, { name: 'docs' }] })).toBe(true);
    expect(claims({ labels: [{ name: 'debug' }] })).toBe(false);
    expect(claims({ body: 'This fixes #12 for good' })).toBe(true);
    expect(claims({ title: 'Resolved #3: off by one' })).toBe(true);
    expect(claims({ body: 'Closes octo/calc#40' })).toBe(true);
    expect(claims({ body: 'A fix for the prefix handling, see #12' })).toBe(false);
    expect(claims({ labels: 'bug' })).toBe(false);
  });

  it('ignores a gated action whose payload lacks or garbles a field it needs', () => {
    const base = pullRequestExamples.find((e) => e.action === 'opened');
    if (base === undefined) throw new Error('no opened example');
    const broken: ((p: PullRequestExample) => void)[] = [
      (p) => delete p.installation,
      (p) => (p.pull_request.head.sha = 'not-a-sha'),
      (p) => ((p.pull_request as { number: unknown }).number = '2'),
      (p) => ((p.repository.owner as { login: unknown }).login = 'a b'),
      (p) => ((p as { pull_request: unknown }).pull_request = null),
    ];
    for (const breakIt of broken) {
      const payload = structuredClone(base);
      breakIt(payload);
      expect(planDelivery('pull_request', payload, '1')).toEqual({
        action: 'ignore',
        reason: 'pull_request payload lacks the fields we need',
      });
    }
  });

  it('ignores JSON that is not an object instead of failing', () => {
    for (const payload of [null, [], 'text', 3]) {
      expect(planDelivery('pull_request', payload, '1')).toEqual({
        action: 'ignore',
        reason: 'pull_request.undefined is not gated',
      });
      expect(planDelivery('installation', payload, '1')).toEqual({
        action: 'log',
        reason: 'installation.undefined',
      });
    }
  });
});
