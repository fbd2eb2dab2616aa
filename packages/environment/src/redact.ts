/**
 * Index credentials stay on the trusted side: every text that leaves the environment step
 * (a problem's message, a note, a log line) goes through the redactor of the run's indexes.
 */
export type Redactor = (text: string) => string;

/** A redactor for the secrets in these URLs: their user-info, and the password wherever it shows. */
export function redactorFor(urls: readonly (string | undefined)[]): Redactor {
  const secrets = new Set<string>();
  for (const url of urls) {
    if (!url) continue;
    try {
      const parsed = new URL(url);
      for (const part of [parsed.password, parsed.username]) {
        if (!part) continue;
        secrets.add(part);
        secrets.add(decodeURIComponent(part));
      }
    } catch {
      // Not a URL: nothing of it is treated as secret, but user-info patterns still go.
    }
  }
  const ordered = [...secrets].filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
  return (text) => {
    // user:password@ in any URL, whatever it is.
    let out = text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+(?::[^/\s@]*)?@/gi, '$1****@');
    for (const secret of ordered) out = out.split(secret).join('****');
    return out;
  };
}
