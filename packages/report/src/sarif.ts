/**
 * SARIF 2.1.0 for code scanning and other SARIF viewers: one run, rules for every reason
 * code and every finding rule seen, results for every finding and every rejected PR test.
 * Generated tests are left out: their files are not in the repository, so a result in
 * them would point nowhere (they are in the JSON report).
 */
import type { Finding, GateReport, ReasonCode, ReasonDetail } from '@testgate/core';
import { REASON_CODES } from '@testgate/core';
import type { Location, Log, ReportingDescriptor, Result } from 'sarif';
import {
  crashedMutantMessage,
  findingRejects,
  generatedPaths,
  REASON_HELP,
  survivorMessage,
} from './format.ts';

/** Rules of the mutants no test tells apart: notes for the reviewer, never errors. */
const MUTANT_RULES = {
  survived: {
    id: 'testgate/surviving-mutant',
    name: 'SurvivingMutant',
    text: 'A mutant of a changed line (a `<` made `<=`, a constant changed) that every test covering it passes on: no test tells it apart from the code. Add a test whose assert fails on it.',
  },
  crashed: {
    id: 'testgate/crash-only-mutant',
    name: 'CrashOnlyMutant',
    text: 'A mutant of a changed line that tests fail on only by an exception or a timeout: no test checks the value it computes.',
  },
} as const;

interface SarifOptions {
  /**
   * Absolute `file://` URI of the repository root (ending in `/`), recorded as the
   * `SRCROOT` base of every artifact location. Leave unset for a portable log.
   * @defaultValue undefined
   */
  srcRoot?: string;
  /** Testgate's version, recorded as the driver's version. @defaultValue undefined */
  version?: string;
}

const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
const URI_BASE_ID = 'SRCROOT';

/** GitHub code scanning ranks security results by this property (0.1 to 10). */
const SECURITY_SEVERITY: Record<Finding['severity'], string> = {
  low: '3.0',
  medium: '6.0',
  high: '8.5',
};

export function renderSarif(report: GateReport, options: SarifOptions = {}): string {
  return `${JSON.stringify(buildSarif(report, options), null, 2)}\n`;
}

function buildSarif(report: GateReport, options: SarifOptions = {}): Log {
  const rules: ReportingDescriptor[] = REASON_CODES.map((reason) => ({
    id: reason,
    name: pascal(reason),
    shortDescription: { text: `Test rejected: ${reason}` },
    fullDescription: { text: REASON_HELP[reason] },
    help: { text: REASON_HELP[reason] },
    defaultConfiguration: { level: 'error' },
    properties: {
      tags: [
        'testgate',
        reason === 'unsafe' || reason === 'tampering' ? 'security' : 'test-quality',
      ],
    },
  }));
  const seen = new Map<string, Finding>();
  for (const finding of [...report.findings, ...report.existingFindings])
    if (!seen.has(finding.rule)) seen.set(finding.rule, finding);
  for (const [rule, finding] of [...seen].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    rules.push({
      id: rule,
      shortDescription: {
        text: `${sourceName(finding.source)} rule ${rule}: ${firstSentence(finding.message)}`,
      },
      help: {
        text: `Flagged by ${sourceName(finding.source)} in a test. Tests must not do this; a team that accepts it can add "${rule}" to security.allowRules in .github/testgate.yml.`,
      },
      defaultConfiguration: { level: 'error' },
      properties: {
        tags: ['security', 'testgate', finding.reason, finding.source],
        'security-severity': SECURITY_SEVERITY[finding.severity],
      },
    });
  }
  if (report.strength !== undefined) {
    for (const rule of Object.values(MUTANT_RULES)) {
      rules.push({
        id: rule.id,
        name: rule.name,
        shortDescription: { text: rule.text.split(': ')[0]! },
        fullDescription: { text: rule.text },
        help: { text: rule.text },
        defaultConfiguration: { level: 'note' },
        properties: { tags: ['testgate', 'test-quality', 'mutation'] },
      });
    }
  }
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const generated = generatedPaths(report);
  const results: Result[] = [];

  for (const finding of report.findings) {
    if (generated.has(finding.file)) continue;
    const rejects = findingRejects(report, finding);
    results.push({
      ruleId: finding.rule,
      ruleIndex: ruleIndex.get(finding.rule)!,
      // A finding the repository allows is still reported, but does not fail anything.
      level: rejects ? 'error' : 'warning',
      message: {
        text: `${finding.message} (${finding.rule})${rejects ? '' : ' (allowed by .github/testgate.yml)'}`,
      },
      locations: [location(finding.file, finding.line)],
      baselineState: 'new',
      properties: { reason: finding.reason, source: finding.source, severity: finding.severity },
    });
  }
  // What the base tree already had: reported the way code scanning shows a PR's old alerts.
  for (const finding of report.existingFindings) {
    if (generated.has(finding.file)) continue;
    results.push({
      ruleId: finding.rule,
      ruleIndex: ruleIndex.get(finding.rule)!,
      level: 'note',
      message: {
        text: `${finding.message} (${finding.rule}) (existing: not changed by this pull request)`,
      },
      locations: [location(finding.file, finding.line)],
      baselineState: 'unchanged',
      properties: { reason: finding.reason, source: finding.source, severity: finding.severity },
    });
  }
  for (const test of report.tests) {
    if (test.origin !== 'pr' || test.status !== 'rejected') continue;
    for (const [reason, details] of byReason(test.details)) {
      const related = details.filter(
        (detail) => detail.file !== undefined && detail.line !== undefined,
      );
      results.push({
        ruleId: reason,
        ruleIndex: ruleIndex.get(reason)!,
        level: 'error',
        message: {
          text: `${test.nodeid} is rejected (${reason}): ${details.map((detail) => detail.message).join(' ')}`,
        },
        locations: [location(test.file, test.line)],
        ...(related.length === 0
          ? {}
          : {
              relatedLocations: related.map((detail, id) => ({
                id,
                ...location(detail.file!, detail.line!),
              })),
            }),
        properties: { nodeid: test.nodeid, reasons: test.reasons },
      });
    }
  }
  for (const file of report.files) {
    if (file.origin !== 'pr' || file.reasons.length === 0) continue;
    for (const [reason, details] of byReason(file.details)) {
      // Findings already have a result of their own at their line.
      if (reason === 'unsafe' || reason === 'tampering') continue;
      results.push({
        ruleId: reason,
        ruleIndex: ruleIndex.get(reason)!,
        level: 'error',
        message: {
          text: `${file.path} is rejected (${reason}): ${details.map((detail) => detail.message).join(' ')}`,
        },
        locations: [
          location(file.path, details.find((detail) => detail.file === undefined)?.line ?? 1),
        ],
      });
    }
  }

  const strength = report.strength;
  for (const [kind, mutants, message] of [
    ['survived', strength?.survivors ?? [], survivorMessage],
    ['crashed', strength?.crashedOnly ?? [], crashedMutantMessage],
  ] as const) {
    const rule = MUTANT_RULES[kind];
    for (const mutant of mutants) {
      results.push({
        ruleId: rule.id,
        ruleIndex: ruleIndex.get(rule.id)!,
        level: 'note',
        message: { text: message(mutant) },
        locations: [location(mutant.file, mutant.line)],
        properties: {
          mutant: mutant.id,
          operator: mutant.operator,
          original: mutant.original,
          replacement: mutant.replacement,
        },
      });
    }
  }

  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Testgate',
            ...(options.version === undefined ? {} : { version: options.version }),
            rules,
          },
        },
        originalUriBaseIds: {
          [URI_BASE_ID]:
            options.srcRoot === undefined
              ? { description: { text: 'The root of the repository.' } }
              : { uri: options.srcRoot },
        },
        invocations: [
          {
            executionSuccessful: true,
            ...(report.neutralReason === undefined
              ? {}
              : {
                  toolExecutionNotifications: [
                    { level: 'note', message: { text: report.neutralReason } },
                  ],
                }),
          },
        ],
        results,
        properties: { verdict: report.verdict, title: report.title },
      },
    ],
  };
}

function location(path: string, line: number): Location {
  return {
    physicalLocation: {
      artifactLocation: {
        uri: path.split('/').map(encodeURIComponent).join('/'),
        uriBaseId: URI_BASE_ID,
      },
      // SARIF lines start at 1; a module-level finding may carry line 0.
      region: { startLine: Math.max(1, line) },
    },
  };
}

function byReason(details: ReasonDetail[]): Map<ReasonCode, ReasonDetail[]> {
  const map = new Map<ReasonCode, ReasonDetail[]>();
  for (const detail of details) map.set(detail.reason, [...(map.get(detail.reason) ?? []), detail]);
  return map;
}

function sourceName(source: Finding['source']): string {
  return source === 'bandit'
    ? 'Bandit'
    : source === 'ast'
      ? 'Testgate static analysis'
      : 'the run-time audit hook';
}

function firstSentence(text: string): string {
  const line = text.split('\n')[0] ?? text;
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

function pascal(code: string): string {
  return code.replace(/(^|-)(\w)/g, (_, _dash: string, letter: string) => letter.toUpperCase());
}
