import type { Path } from '../compose-model.js';
import { defineRule, type Report } from '../rule.js';
import { composeArgv, shellCommands } from '../values.js';

/** Where a service runs commands of its own: command/entrypoint scripts, healthcheck, lifecycle hooks. */
function scripts(service: Record<string, unknown>): { at: Path; argv: string[] }[] {
  const out: { at: Path; argv: string[] }[] = [];
  for (const key of ['entrypoint', 'command'] as const) {
    const argv = composeArgv(service[key]);
    if (argv) out.push({ at: [key], argv });
  }
  for (const hook of ['post_start', 'pre_stop'] as const) {
    const list = service[hook];
    if (!Array.isArray(list)) continue;
    list.forEach((h, i) => {
      const argv =
        typeof h === 'object' && h !== null
          ? composeArgv((h as Record<string, unknown>)['command'])
          : undefined;
      if (argv) out.push({ at: [hook, i, 'command'], argv });
    });
  }
  return out;
}

export const serveCliWithServeConfig = defineRule({
  id: 'serve-cli-with-serve-config',
  severity: 'warning',
  category: 'tailscale',
  description:
    'A service with TS_SERVE_CONFIG also runs `tailscale serve`/`funnel` from its command, entrypoint or hooks; containerboot resets the serve config and applies the file, so one of the two setups is lost.',
  source: 'serve-config-reset',
  check({ model }) {
    const out: Report[] = [];
    for (const s of model.tailscaleServices()) {
      const cfg = model.lookup(s, 'TS_SERVE_CONFIG');
      if (cfg.kind !== 'inline' || !cfg.env.value) continue;
      for (const sc of scripts(s.value)) {
        const serve = shellCommands(sc.argv).find((c) => {
          const words = c.argv.filter((w) => !w.startsWith('-'));
          return /(^|\/)tailscale$/.test(words[0] ?? '') && (words[1] === 'serve' || words[1] === 'funnel');
        });
        if (!serve) continue;
        out.push({
          path: [...s.path, ...sc.at],
          message: `service "${s.name}" runs \`tailscale ${serve.argv.filter((w) => !w.startsWith('-'))[1]}\` here and also sets TS_SERVE_CONFIG=${cfg.env.value}: after login containerboot unsets the serve config and applies the file (and again whenever the file changes), so the CLI's handlers are wiped or wipe the file's — whichever runs last wins; put every handler in the serve config file and drop the CLI call`,
        });
      }
    }
    return out;
  },
});
