import { cloudOutSubject } from '@lichen/contracts';
import { parseRateLimit, type RateLimit } from './rate-limit.js';
import { compileCondition, type Condition } from './route-condition.js';
import type { CompiledTarget, RouteDefinition, RouteProblem } from './route-definition.js';
import { SubjectFilter } from './subject-filter.js';
import { cloudTopicProblem, isServerSubject, subjectProblem } from './subject-syntax.js';
import { parseTargetTemplate, withoutPlaceholders } from './target-template.js';

/** A route ready to run: its filter parsed, its condition compiled, its target a template. */
export interface CompiledRoute {
  readonly definition: RouteDefinition;
  /** Equal for equal definitions: a route whose key did not change keeps running as it was. */
  readonly key: string;
  readonly filter: SubjectFilter;
  readonly condition?: Condition;
  readonly target: CompiledTarget;
  readonly sample: number;
  readonly rateLimit?: RateLimit;
}

export type CompileResult = { ok: true; route: CompiledRoute } | { ok: false; problems: RouteProblem[] };

/**
 * Checks and compiles one route, once per version of it. Every problem is reported, each with its field; a
 * `where` that does not compile says where in the expression (column, 1-based).
 */
export function compileRoute(definition: RouteDefinition): CompileResult {
  const problems: RouteProblem[] = [];
  const report = (field: RouteProblem['field'], message: string) => problems.push({ field, message });

  const fromProblem = subjectProblem(definition.from, { wildcards: true }) ?? reservedProblem(definition.from);
  if (fromProblem) report('from', fromProblem);
  const filter = new SubjectFilter(definition.from);
  const wildcards = fromProblem ? Number.POSITIVE_INFINITY : filter.wildcards;

  let condition: Condition | undefined;
  if (definition.where !== undefined) {
    const compiled = compileCondition(definition.where);
    if (compiled.ok) condition = compiled.condition;
    else report('where', `${compiled.problem} at column ${compiled.column} of "${definition.where}"`);
  }

  const subjectTemplate = (field: 'to' | 'output', subject: string) => {
    const syntax = subjectProblem(withoutPlaceholders(subject), { wildcards: false }) ?? serverSubjectProblem(subject);
    if (syntax) report(field, syntax);
    const template = parseTargetTemplate(subject, wildcards);
    if (!template.ok) report(field, template.problem);
    return template.ok ? template.template.render : () => subject;
  };

  let target: CompiledTarget;
  const [, scheme, rest = ''] = /^([A-Za-z]+):(.*)$/.exec(definition.to) ?? [];
  if (scheme === 'cloud') {
    const topicProblem = cloudTopicProblem(rest);
    if (topicProblem) report('to', topicProblem);
    const subject = topicProblem ? () => cloudOutSubject(rest) : subjectTemplate('to', cloudOutSubject(rest));
    target = { kind: 'cloud', topic: rest, subject };
  } else if (scheme === 'model') {
    if (rest === '') report('to', 'model: needs a model name, e.g. model:bearing-anomaly');
    if (!definition.output) report('output', 'a model route needs the subject its answers are published on');
    target = { kind: 'model', model: rest, output: subjectTemplate('output', definition.output || 'unset') };
  } else if (scheme !== undefined) {
    report('to', `unknown target "${scheme}:"; use cloud:<topic>, model:<name> or a subject`);
    target = { kind: 'subject', subject: () => definition.to };
  } else {
    target = { kind: 'subject', subject: subjectTemplate('to', definition.to) };
  }
  if (definition.output && target.kind !== 'model') report('output', 'only a model: route publishes an output');

  if (!(definition.sample > 0 && definition.sample <= 1))
    report('sample', `must be more than 0 and at most 1, got ${definition.sample}`);
  let rateLimit: RateLimit | undefined;
  if (definition.rateLimit !== undefined) {
    const parsed = parseRateLimit(definition.rateLimit);
    if (parsed.ok) rateLimit = parsed.limit;
    else report('rateLimit', parsed.problem);
  }

  if (problems.length > 0) return { ok: false, problems };
  const key = JSON.stringify([
    definition.name,
    definition.from,
    definition.where,
    definition.to,
    definition.output,
    definition.sample,
    definition.rateLimit,
  ]);
  return { ok: true, route: { definition, key, filter, condition, target, sample: definition.sample, rateLimit } };
}

/**
 * Subjects a route may not read: every subject (`>`), reply inboxes and the server's own (`$JS`, `$SYS`, `$MQTT`):
 * a route there would read the replies and acknowledgements of its own deliveries.
 */
function reservedProblem(from: string): string | undefined {
  if (from === '>') return 'a route cannot read every subject (>): name the subjects it reads, e.g. data.>';
  return serverSubjectProblem(from) && `"${from}" is the server's or a reply inbox's: a route cannot read it`;
}

function serverSubjectProblem(subject: string): string | undefined {
  return isServerSubject(subject) ? `"${subject}" is the server's or a reply inbox's: a route cannot publish there` : undefined;
}
