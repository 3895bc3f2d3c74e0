import type { ComposeModel, Service } from '../compose-model.js';
import { defineRule, type Report } from '../rule.js';
import {
  CONTAINERBOOT_UP_FLAGS,
  closestUpFlag,
  SET_ONLY_FLAGS,
  SUBCOMMANDS,
  TAILSCALED_FLAGS,
  UP_BOOL_FLAGS,
  UP_VALUE_FLAGS,
} from '../tailscale-cli.js';
import { parseGoBool } from '../values.js';
import { type ExtraArgs, extraArgs, flags } from './extra-args.js';

/** Why `tailscale up` would refuse these arguments, one sentence per problem; [] when it accepts them. */
export function upArgProblems(model: ComposeModel, s: Service, x: ExtraArgs): string[] {
  const out: string[] = [];
  const seen = new Map<string, number>();
  for (const a of x.args) {
    if (a.kind === 'word') {
      out.push(wordProblem(a.text, x));
      break; // everything after the first word is non-flag arguments too
    }
    const known = UP_BOOL_FLAGS.has(a.name) || UP_VALUE_FLAGS.has(a.name);
    if (!known) {
      out.push(unknownFlag(a.name));
      continue;
    }
    if (UP_VALUE_FLAGS.has(a.name) && a.value === undefined)
      out.push(`${a.written} needs a value ("flag needs an argument")`);
    if (UP_BOOL_FLAGS.has(a.name) && a.value !== undefined && parseGoBool(a.value) === undefined)
      out.push(`${a.written}=${a.value} is not a boolean`);
    seen.set(a.name, (seen.get(a.name) ?? 0) + 1);
  }
  for (const [name, n] of seen) {
    if (n > 1)
      out.push(`--${name} is given ${n} times ("flag provided multiple times" since Tailscale 1.84)`);
    const vars = CONTAINERBOOT_UP_FLAGS[name];
    if (!vars || name === 'advertise-routes') continue; // routes-duplicated reports that one
    const set = vars.find((v) => {
      const l = model.lookup(s, v);
      return l.kind === 'env_file' || (l.kind === 'inline' && (l.env.value ?? '') !== '');
    });
    if (set)
      out.push(
        `--${name} is also put on the line by containerboot from ${set}, so it is given twice ("flag provided multiple times" since Tailscale 1.84); keep only ${set}`,
      );
  }
  return out;
}

function wordProblem(word: string, x: ExtraArgs): string {
  const bools = flags(x).filter((f) => UP_BOOL_FLAGS.has(f.name) && f.value === undefined);
  if (parseGoBool(word) !== undefined && bools.length > 0)
    return `"${word}" after a boolean flag is not its value (Go flags take --flag=${word}, not --flag ${word}), so \`tailscale up\` stops reading flags there and fails with "too many non-flag arguments"`;
  if (SUBCOMMANDS.has(word))
    return `"${word}" is a tailscale subcommand, but TS_EXTRA_ARGS only appends flags to containerboot's \`tailscale up\` line, which fails with "too many non-flag arguments"; ${word === 'serve' || word === 'funnel' ? 'use TS_SERVE_CONFIG with a serve.json' : 'run it with docker exec, or use the matching TS_* variable'}`;
  const shown = /tskey-/i.test(word) ? 'a tskey-… value (not shown)' : `"${word}"`;
  return `${shown} is not a flag, so \`tailscale up\` fails with "too many non-flag arguments"`;
}

function unknownFlag(name: string): string {
  if (TAILSCALED_FLAGS.has(name))
    return `--${name} is a tailscaled flag, not a \`tailscale up\` flag ("flag provided but not defined"); put it in TS_TAILSCALED_EXTRA_ARGS`;
  if (SET_ONLY_FLAGS.has(name))
    return `--${name} exists only for \`tailscale set\`, and containerboot passes TS_EXTRA_ARGS to \`tailscale up\` ("flag provided but not defined", tailscale#18437); set it once with docker exec <container> tailscale set --${name}`;
  const near = closestUpFlag(name);
  return `--${name} is not a \`tailscale up\` flag ("flag provided but not defined")${near ? `; did you mean --${near}?` : ''}`;
}

export const extraArgsInvalid = defineRule({
  id: 'extra-args-invalid',
  severity: 'error',
  category: 'tailscale',
  description:
    'TS_EXTRA_ARGS holds something `tailscale up` refuses — a subcommand or other non-flag word, a flag it does not define (a tailscaled or `tailscale set` flag), a missing value, or a flag given twice — so containerboot exits at every start.',
  source: 'tailscale-up-flags',
  check({ model }) {
    const out: Report[] = [];
    for (const s of model.tailscaleServices()) {
      const x = extraArgs(model, s);
      if (!x) continue;
      const problems = upArgProblems(model, s, x);
      if (problems.length === 0) continue;
      out.push({
        path: x.env.path,
        message: `service "${s.name}": TS_EXTRA_ARGS is appended to containerboot's \`tailscale up\`, which then fails and containerboot exits (a restart loop): ${problems.join('; ')}`,
      });
    }
    return out;
  },
});
