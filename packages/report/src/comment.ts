/**
 * The sticky PR comment: found again by its hidden marker and edited in place, so a pull
 * request has one Testgate comment however often it is pushed to.
 */
import type { GateReport } from '@testgate/core';
import { chars, fitBlocks, plural } from './format.ts';
import {
  fileBlocks,
  generationBlocks,
  rejectionBlocks,
  securityBlocks,
  suggestionBlocks,
  testTableBlocks,
  toolsLine,
  verdictBlocks,
} from './markdown.ts';

export const COMMENT_MARKER = '<!-- testgate:report -->';
/** GitHub rejects an issue comment body over 65,536 characters. */
export const COMMENT_LIMIT = 65_536;

export interface CommentOptions {
  /** Hidden first line the comment is found by. @defaultValue '<!-- testgate:report -->' */
  marker?: string;
  /** @defaultValue 65536 (GitHub's limit, in characters) */
  maxChars?: number;
}

export function renderComment(report: GateReport, options: CommentOptions = {}): string {
  const marker = options.marker ?? COMMENT_MARKER;
  const pr = report.tests.filter((test) => test.origin === 'pr');
  const rejections = rejectionBlocks(pr);
  const blocks = [
    marker,
    ...verdictBlocks(report, '##'),
    ...section('### Security report', securityBlocks(report, { generated: 'omit' })),
    ...section('### Verdict per test', testTableBlocks(pr, { compact: true })),
    ...section(
      '### Test files rejected',
      fileBlocks(report.files.filter((file) => file.origin === 'pr')),
    ),
    ...section('### Why tests were rejected', rejections),
    ...section(
      '### Suggested tests',
      [...generationBlocks(report), '', ...suggestionBlocks(report, { code: true })],
      report.generation !== undefined || report.suggestions.length > 0,
    ),
    '',
    toolsLine(report),
  ];
  const limit = options.maxChars ?? COMMENT_LIMIT;
  return fitBlocks(blocks, {
    limit,
    measure: chars,
    note: (omitted) =>
      `_... truncated: ${plural(omitted, 'more entry', 'more entries')} not shown; the check run and the JSON report have everything._`,
  });
}

function section(title: string, blocks: string[], show = blocks.length > 0): string[] {
  return show ? ['', title, '', ...blocks] : [];
}
