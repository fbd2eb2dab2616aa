/**
 * Text that reaches a report from a sandbox run (test ids, failure messages, paths, tool
 * output) is written by the pull request. Before any renderer sees it, control characters
 * become visible escapes, and no output line can start a GitHub Actions workflow command.
 */

// C0 controls but tab and newline, DEL, C1 controls, and the Unicode line separators and
// bidirectional overrides that make a line display as something it is not.
const UNSAFE_CHARACTERS =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function visibleEscape(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `\r\n` becomes `\n`; every other control character shows as `\xNN` (or `\uNNNN`). */
export function escapeControlCharacters(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(UNSAFE_CHARACTERS, visibleEscape);
}

/** One line: control characters escaped and newlines shown as `\n`. */
export function singleLine(text: string): string {
  return escapeControlCharacters(text).replace(/\n/g, '\\n').replace(/\t/g, ' ');
}

/**
 * GitHub Actions runs `::command::` lines of a step's output (`::warning::`, `::add-mask::`,
 * `::stop-commands::`); a zero-width space after the first colon keeps such a line text.
 */
export function neutralizeWorkflowCommands(text: string): string {
  return text.replace(/^(\s*):(?=:)/gm, '$1:\u200b');
}

/** Every string in a parsed JSON value with its control characters escaped (deep copy). */
export function escapeUntrustedStrings<T>(value: T): T {
  if (typeof value === 'string') return escapeControlCharacters(value) as T;
  if (Array.isArray(value)) return value.map((item) => escapeUntrustedStrings(item)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = escapeUntrustedStrings(item);
    return out as T;
  }
  return value;
}
