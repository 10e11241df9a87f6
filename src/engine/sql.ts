/** Small SQL helpers shared by the engine's query builders. */

/** A SQL string literal. */
export function lit(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** A quoted SQL identifier. */
export function ident(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

/** A DuckDB list literal of strings. */
export function litList(values: readonly string[]): string {
  return `[${values.map(lit).join(', ')}]`;
}

/** A path for DuckDB table functions. */
export function pathLit(path: string): string {
  return lit(path);
}
