import { type ComposeModel, isRecord, type Path, type Service } from '../compose-model.js';
import { isInterpolated } from '../values.js';

/** Shared predicates for rules. Keep them small and pure; anything interpolated counts as "maybe". */

export const TUN = '/dev/net/tun';

/** cap_add entries, upper-cased without the CAP_ prefix, with their paths. */
export function capabilities(
  model: ComposeModel,
  service: Service,
): { name: string; raw: string; path: Path }[] {
  return model.list(service, 'cap_add').map((c, i) => {
    const raw = String(c);
    return { raw, name: raw.toUpperCase().replace(/^CAP_/, ''), path: [...service.path, 'cap_add', i] };
  });
}

/** True when cap_add grants `cap` (or ALL), or an entry is interpolated (unknown, so assume yes). */
export function grantsCap(model: ComposeModel, service: Service, cap: string): boolean {
  return capabilities(model, service).some(
    (c) => c.name === cap || c.name === 'ALL' || isInterpolated(c.raw),
  );
}

/** The container-side path of a `devices:` entry (short `host[:container[:perms]]` or long form). */
function deviceTarget(entry: unknown): string | undefined {
  if (typeof entry === 'string') {
    const parts = entry.split(':');
    return parts.length >= 2 ? parts[1] : parts[0];
  }
  if (isRecord(entry)) {
    const t = entry['target'] ?? entry['source'];
    return typeof t === 'string' ? t : undefined;
  }
  return undefined;
}

/** Index of the /dev/net/tun entry under devices:, or -1. Interpolated entries count as a match. */
export function tunDeviceIndex(model: ComposeModel, service: Service): number {
  return model.list(service, 'devices').findIndex((d) => {
    const t = deviceTarget(d);
    return t === TUN || (typeof d === 'string' && isInterpolated(d));
  });
}

/** True when device_cgroup_rules allow the tun char device (c 10:200), so a bind mount is enough. */
export function cgroupAllowsTun(model: ComposeModel, service: Service): boolean {
  return model
    .list(service, 'device_cgroup_rules')
    .some(
      (r) =>
        typeof r === 'string' &&
        (/^\s*a\b/.test(r) || /^\s*c\s+(10|\*):(200|\*)\b/.test(r) || isInterpolated(r)),
    );
}

/** Index of a /dev/net/tun bind mount under volumes:, or -1. */
export function tunVolumeIndex(model: ComposeModel, service: Service): number {
  return model.list(service, 'volumes').findIndex((v) => {
    if (typeof v === 'string') return v.split(':')[0] === TUN || v.split(':')[1] === TUN;
    if (isRecord(v)) return v['source'] === TUN || v['target'] === TUN;
    return false;
  });
}

/** The path of a variable in environment: when set inline, for positions; else the service key. */
export function envPath(model: ComposeModel, service: Service, name: string): { path: Path; key?: boolean } {
  const v = model.environment(service).get(name);
  return v ? { path: v.path } : { path: service.path, key: true };
}
