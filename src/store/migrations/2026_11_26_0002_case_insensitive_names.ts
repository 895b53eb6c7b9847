import { sql, type Kysely } from 'kysely';

/**
 * Management resource names become case-insensitive, as in Azure Resource Manager: a unique index on
 * lower(name) (within the parent, for child resources) makes two names that differ only in case
 * impossible, and is the conflict target the repositories upsert on. Frozen: later changes go in
 * new migrations, never here.
 *
 * A database that already holds such a pair cannot get the index; rather than a bare constraint
 * error, the migration stops with a message naming the pairs, and changes nothing.
 */
const NAMES: readonly { table: string; parent?: string; kind: string }[] = [
  { table: 'users', kind: 'users' },
  { table: 'groups', kind: 'groups' },
  { table: 'products', kind: 'products' },
  { table: 'apis', kind: 'APIs' },
  { table: 'operations', parent: 'api_id', kind: 'operations' },
  { table: 'subscriptions', kind: 'subscriptions' },
  { table: 'client_applications', kind: 'client applications' },
  { table: 'product_links', parent: 'client_application_id', kind: 'product links' },
];

export async function up(db: Kysely<any>): Promise<void> {
  const clashes: string[] = [];
  for (const { table, parent, kind } of NAMES) clashes.push(...(await findClashes(db, table, parent, kind)));
  if (clashes.length > 0) {
    throw new Error(
      `resource names are now case-insensitive, but these names differ only in case: ${clashes.join('; ')}. ` +
        'Delete one of each pair with the previous Portico version, then start again.',
    );
  }
  for (const { table, parent } of NAMES) {
    const columns = parent === undefined ? sql`lower(id)` : sql`lower(${sql.ref(parent)}), lower(id)`;
    await db.schema.createIndex(`${table}_name_ci`).on(table).unique().expression(columns).execute();
  }
}

/** Groups names by the database's own lower(), the same function the index uses. */
async function findClashes(db: Kysely<any>, table: string, parent: string | undefined, kind: string): Promise<string[]> {
  const parentKey = parent === undefined ? sql`''` : sql`lower(${sql.ref(parent)})`;
  const { rows } = await sql<{ parent: string | null; id: string; key: string }>`
    select ${parent === undefined ? sql`null` : sql.ref(parent)} as parent, id, ${parentKey} || '/' || lower(id) as key
    from ${sql.table(table)}`.execute(db);
  const byKey = new Map<string, typeof rows>();
  for (const row of rows) byKey.set(row.key, [...(byKey.get(row.key) ?? []), row]);
  const clashes: string[] = [];
  for (const group of byKey.values()) {
    if (group.length < 2) continue;
    const names = group.map((r) => `'${r.id}'`).sort().join(', ');
    clashes.push(parent === undefined ? `${kind} ${names}` : `${kind} ${names} of '${group[0]!.parent}'`);
  }
  return clashes;
}
