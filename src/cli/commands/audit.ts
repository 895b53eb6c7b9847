import type { Command } from 'commander';
import { usageError } from '../cli-error.js';
import { asRecord, request } from '../http.js';
import { props, withQuery, type ArmResource, type CliContext } from '../context.js';
import { textOf } from '../output.js';
import { act, leaf, type Deps } from './shared.js';

const UNITS_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function registerAuditCommands(program: Command, deps: Deps): void {
  const audit = program.command('audit').description('read the audit log: who changed what, when, and what was refused');

  leaf(audit, 'list', 'list audit events, newest first', [
    'portico audit list --since 1h',
    'portico audit list --since 2026-11-30T06:00:00Z --until 2026-11-30T07:00:00Z',
    'portico audit list --target /clientApplications/contoso-billing --output json',
    'portico audit list --actor <client id or object id> --limit 500',
  ])
    .option('--since <when>', 'only events at or after: a duration back from now (30m, 1h, 7d) or an ISO 8601 time')
    .option('--until <when>', 'only events at or before: a duration back from now or an ISO 8601 time')
    .option('--actor <id>', "only events by this caller: its client id (appId) or its service principal's object id")
    .option('--target <id>', 'only events on this resource: /products/starter (under this service), a full ARM id, or a directory object id')
    .option('--operation <name>', 'only this operation, e.g. clientApplications.write, applications.addPassword, gateway.tokenRefused')
    .option('--limit <n>', 'at most this many events (default 100)', '100')
    .action(
      act(deps, async (ctx, _args, options) => {
        const limit = Number(options.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw usageError(`--limit must be a whole number from 1 to 100000, got "${String(options.limit)}".`);
        const now = Date.now();
        const clauses: string[] = [];
        if (options.since !== undefined) clauses.push(`timestamp ge '${timeOf(String(options.since), now, '--since')}'`);
        if (options.until !== undefined) clauses.push(`timestamp le '${timeOf(String(options.until), now, '--until')}'`);
        if (options.actor !== undefined) clauses.push(`actor eq '${quote(String(options.actor))}'`);
        if (options.target !== undefined) clauses.push(`target eq '${quote(targetId(ctx, String(options.target)))}'`);
        if (options.operation !== undefined) clauses.push(`operation eq '${quote(String(options.operation))}'`);
        const query: Record<string, string> = { $top: String(Math.min(limit, 1000)) };
        if (clauses.length > 0) query.$filter = clauses.join(' and ');
        const events = await readEvents(ctx, withQuery(ctx.armUrl('/auditEvents'), query), limit);
        ctx.out.result({ value: events }, () =>
          ctx.out.table(['TIME', 'ACTOR', 'OPERATION', 'TARGET', 'OUTCOME'], events.map((event) => row(ctx, event)), 'No audit events.'),
        );
      }),
    );
}

/** Follows nextLink until `limit` events are read (or the list ends). */
async function readEvents(ctx: CliContext, url: string, limit: number): Promise<ArmResource[]> {
  const bearer = await ctx.managementToken();
  const events: ArmResource[] = [];
  let next: string | undefined = url;
  while (next !== undefined && events.length < limit) {
    const response = await request(next, { bearer });
    const page: Record<string, unknown> = asRecord(response.body) ?? {};
    const value: unknown[] = Array.isArray(page.value) ? page.value : [];
    events.push(...value.map((item) => asRecord(item) ?? {}));
    next = typeof page.nextLink === 'string' && page.nextLink !== '' ? page.nextLink : undefined;
  }
  return events.slice(0, limit);
}

function row(ctx: CliContext, event: ArmResource): string[] {
  const p = props(event);
  const actor = asRecord(p.actor) ?? {};
  const status = textOf(p.status);
  const target = textOf(p.targetId) ?? '';
  return [
    textOf(p.timestamp) ?? '',
    textOf(actor.appId) ?? textOf(actor.objectId) ?? '(portico)',
    textOf(p.operation) ?? '',
    target.toLowerCase().startsWith(`${ctx.serviceId.toLowerCase()}/`) ? target.slice(ctx.serviceId.length) : target,
    `${textOf(p.outcome) ?? ''}${status ? ` ${status}` : ''}`,
  ];
}

/** A duration back from now (`90s`, `30m`, `1h`, `7d`) or an ISO 8601 time, as ISO 8601. */
export function timeOf(value: string, now: number, option: string): string {
  const duration = /^(\d+)([smhd])$/.exec(value.trim());
  if (duration) return new Date(now - Number(duration[1]) * UNITS_MS[duration[2]!]!).toISOString();
  const time = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) throw usageError(`${option} takes a duration such as 30m, 1h or 7d, or an ISO 8601 time such as 2026-11-30T06:00:00Z; got "${value}".`);
  return new Date(time).toISOString();
}

/** `/products/x` means a resource of this service; full ARM ids and directory object ids are used as given. */
function targetId(ctx: CliContext, value: string): string {
  return value.startsWith('/') && !value.toLowerCase().startsWith('/subscriptions/') ? `${ctx.serviceId}${value}` : value;
}

function quote(value: string): string {
  return value.replace(/'/g, "''");
}
