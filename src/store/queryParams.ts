// Query parameters collected in the order their placeholders appear in the SQL, so one builder
// serves both backends: '?' for SQLite, '$1', '$2', ... for PostgreSQL.
export type Placeholder = (position: number) => string;

export const SQLITE_PLACEHOLDER: Placeholder = () => '?';
export const PG_PLACEHOLDER: Placeholder = (position) => `$${position}`;

export class QueryParams {
  readonly values: unknown[] = [];
  private readonly placeholder: Placeholder;

  constructor(placeholder: Placeholder) {
    this.placeholder = placeholder;
  }

  // Adds a value; returns its placeholder to put into the SQL at this point.
  add(value: unknown): string {
    this.values.push(value);
    return this.placeholder(this.values.length);
  }
}
