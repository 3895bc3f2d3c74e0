import { defineRule } from '../rule.js';
import { parseGoBool } from '../values.js';

/**
 * containerboot booleans read with strconv.ParseBool (an empty or unparsable value means the default),
 * with their defaults. TS_USERSPACE has its own rule (ts-userspace-invalid-bool).
 */
export const CONTAINERBOOT_BOOLS: Readonly<Record<string, { default: boolean; meaning: string }>> = {
  TS_ACCEPT_DNS: { default: false, meaning: 'containerboot passes --accept-dns=false' },
  TS_AUTH_ONCE: { default: false, meaning: '`tailscale up` runs with the auth key on every start' },
  TS_ENABLE_HEALTH_CHECK: { default: false, meaning: 'no /healthz endpoint is served' },
  TS_ENABLE_METRICS: { default: false, meaning: 'no /metrics endpoint is served' },
  TS_EXPERIMENTAL_ENABLE_FORWARDING_OPTIMIZATIONS: {
    default: false,
    meaning: 'UDP GRO forwarding is not configured',
  },
  TS_EXPERIMENTAL_SERVICE_AUTO_ADVERTISEMENT: {
    default: true,
    meaning: 'Tailscale Services in the serve config are advertised',
  },
};

export const tsBoolInvalid = defineRule({
  id: 'ts-bool-invalid',
  severity: 'warning',
  category: 'tailscale',
  description:
    "A containerboot boolean (TS_AUTH_ONCE, TS_ACCEPT_DNS, TS_ENABLE_HEALTH_CHECK, …) has a value Go's strconv.ParseBool rejects, so the default is used.",
  source: 'containerboot-env',
  check({ model }) {
    const out = [];
    for (const s of model.tailscaleServices()) {
      if (model.runsTailscaled(s)) continue;
      for (const [name, v] of model.environment(s)) {
        const known = CONTAINERBOOT_BOOLS[name];
        if (!known || v.value === undefined || v.value.trim() === '' || parseGoBool(v.value) !== undefined)
          continue;
        out.push({
          path: v.path,
          message: `${name}=${JSON.stringify(v.value)} is not a boolean Go's strconv.ParseBool accepts (1, t, T, true, TRUE, True, 0, f, F, false, FALSE, False): containerboot silently uses the default ${known.default} for service "${s.name}" (${known.meaning}); write ${!known.default} or ${known.default}`,
        });
      }
    }
    return out;
  },
});
