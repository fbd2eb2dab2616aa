/**
 * Whether a pull request says it fixes a bug, the GitHub way: a label named `bug`,
 * `bugfix` or `fix` (any case), or a closing keyword before an issue reference in its
 * title or body ("Fixes #12", "closes #3", "Resolved #40"), the keywords GitHub itself
 * links and closes issues by (docs: "Linking a pull request to an issue using a keyword").
 * With `require.failsBefore`, such a pull request needs a test that fails before the change.
 */
const FIX_LABELS: ReadonlySet<string> = new Set(['bug', 'bugfix', 'fix']);
// GitHub's closing keywords: close, closes, closed, fix, fixes, fixed, resolve, resolves,
// resolved; optionally `owner/repo#12`, which GitHub links the same way.
const CLOSING_KEYWORD =
  /\b(?:fix(?:es|ed)?|close[sd]?|resolve[sd]?)\s*:?\s+(?:[\w.-]+\/[\w.-]+)?#\d+\b/i;

export function pullRequestClaimsFix(pull: {
  labels?: readonly ({ name?: unknown } | string)[] | null | undefined;
  title?: unknown;
  body?: unknown;
}): boolean {
  const labels = (pull.labels ?? []).map((label) =>
    typeof label === 'string' ? label : typeof label.name === 'string' ? label.name : '',
  );
  if (labels.some((name) => FIX_LABELS.has(name.trim().toLowerCase()))) return true;
  // A body is at most 65,536 characters (GitHub's limit); the regex is linear in it.
  return [pull.title, pull.body].some(
    (text) => typeof text === 'string' && CLOSING_KEYWORD.test(text),
  );
}
