/**
 * Row types for raw D1 queries, derived from the drizzle schema (schema.ts), so a renamed or retyped column
 * fails the typecheck wherever a query reads it. Services read with `env.DB.prepare(sql).first<…>()`, which
 * answers snake_case column names and SQLite's storage types: a `{ mode: 'boolean' }` or timestamp column is an
 * integer, a `{ mode: 'json' }` column is its JSON text. `Row<typeof tips>` is that shape; pick the columns a
 * query selects: `Pick<Row<typeof tips>, 'id' | 'state'>`.
 */
import type { Column, Table } from 'drizzle-orm';

/** What D1 hands back for a column: its storage type, not drizzle's mapped one. */
type Stored<C extends Column> = C['_']['columnType'] extends 'SQLiteBoolean' | 'SQLiteTimestamp'
  ? number
  : C['_']['columnType'] extends 'SQLiteTextJson' | 'SQLiteBlobJson'
    ? string
    : C['_']['data'];

type Nullable<C extends Column> = C['_']['notNull'] extends true ? Stored<C> : Stored<C> | null;

/** A table's row as raw SQL returns it: snake_case names, storage types, null where the column allows it. */
export type Row<T extends Table> = {
  [K in keyof T['_']['columns'] as T['_']['columns'][K]['_']['name']]: Nullable<T['_']['columns'][K]>;
};
