import type { Express, Router } from 'express';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every "METHOD /path" an express app routes, including routers mounted at its root. */
export function expressRoutes(app: Express | Router): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) for (const m of Object.keys(layer.route.methods)) out.push(`${m.toUpperCase()} ${layer.route.path}`);
      else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  const stack = 'router' in app ? (app as unknown as { router: { stack: Layer[] } }).router.stack : (app as unknown as { stack: Layer[] }).stack;
  walk(stack);
  return out.sort();
}
