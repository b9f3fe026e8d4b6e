// Which methods a path takes, for 405 answers (Allow) and CORS preflights (Allow-Methods): the
// router itself answers only whether a method and path match.
import type { Method, Route } from './route.ts';

export class RouteTable {
  private readonly exact = new Map<string, Method[]>();
  private readonly patterns: Array<{ regex: RegExp; path: string; methods: Method[] }> = [];

  constructor(routes: readonly Route[]) {
    for (const route of routes) this.add(route);
  }

  private add(route: Route): void {
    if (!route.path.includes('{')) {
      this.exact.set(route.path, [...(this.exact.get(route.path) ?? []), route.method]);
      return;
    }
    const existing = this.patterns.find((p) => p.path === route.path);
    if (existing) {
      existing.methods.push(route.method);
      return;
    }
    const source = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, '[^/]+');
    this.patterns.push({ regex: new RegExp(`^${source}$`), path: route.path, methods: [route.method] });
  }

  // The route's path (OpenAPI style) and its methods, or undefined for a path no route has.
  match(path: string): { path: string; methods: Method[] } | undefined {
    const methods = this.exact.get(path);
    if (methods) return { path, methods };
    const pattern = this.patterns.find((p) => p.regex.test(path));
    return pattern ? { path: pattern.path, methods: pattern.methods } : undefined;
  }
}

// The Allow header of a path: GET brings HEAD with it.
export function allowHeader(methods: readonly Method[]): string {
  return methods.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])).join(', ');
}
