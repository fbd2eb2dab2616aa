/**
 * GitHub Actions workflow commands (`::error file=F,line=L,title=T::message`): how a step
 * annotates files without an App. One command per annotation the check run would carry
 * (every flagged call and every rejected test or file of the pull request), from the same
 * `annotations()`.
 *
 * Escaping follows the runner's parser (actions/toolkit `core/src/command.ts`): in the
 * message, `%`, `\r` and `\n` become `%25`, `%0D`, `%0A`; in a property value, `:` and `,`
 * too (`%3A`, `%2C`), since they end a property. Every command is then one line, so text
 * from a test can neither end the command early nor start another one.
 */
import type { GateReport } from '@testgate/core';
import { annotations } from './check-run.ts';
import type { CheckRunAnnotation } from './check-run.ts';

type WorkflowCommandName = 'error' | 'warning' | 'notice';

/** The message part of a workflow command. */
export function escapeCommandData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value (`file=`, `title=`) of a workflow command. */
export function escapeCommandProperty(text: string): string {
  return escapeCommandData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::name k=v,k=v::message`, escaped; properties without a value are left out. */
export function workflowCommand(
  name: WorkflowCommandName,
  properties: Record<string, string | number | undefined>,
  message: string,
): string {
  const props = Object.entries(properties)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${escapeCommandProperty(String(value))}`)
    .join(',');
  return `::${name}${props ? ` ${props}` : ''}::${escapeCommandData(message)}`;
}

const LEVEL: Record<CheckRunAnnotation['level'], WorkflowCommandName> = {
  failure: 'error',
  warning: 'warning',
  notice: 'notice',
};

interface AnnotationCommandOptions {
  /**
   * Where the judged repository sits in the workflow's workspace (posix, no leading `./`):
   * annotation paths are relative to the workspace. @defaultValue '' (the workspace itself)
   */
  pathPrefix?: string;
}

/** One workflow command line per annotation of the report, in `annotations()` order. */
export function renderAnnotationCommands(
  report: GateReport,
  options: AnnotationCommandOptions = {},
): string[] {
  const prefix = (options.pathPrefix ?? '').replace(/^\.\/+/, '').replace(/\/+$/, '');
  return annotations(report).map((annotation) =>
    workflowCommand(
      LEVEL[annotation.level],
      {
        file: prefix ? `${prefix}/${annotation.file}` : annotation.file,
        line: annotation.startLine,
        endLine: annotation.endLine === annotation.startLine ? undefined : annotation.endLine,
        title: annotation.title,
      },
      annotation.details === undefined
        ? annotation.message
        : `${annotation.message}\n\n${annotation.details}`,
    ),
  );
}
