import { defineRule } from '../rule.js';
import { parseGoBool } from '../values.js';

export const tsUserspaceInvalidBool = defineRule({
  id: 'ts-userspace-invalid-bool',
  severity: 'warning',
  category: 'tailscale',
  description:
    "TS_USERSPACE is set to a value Go's strconv.ParseBool does not accept, so containerboot ignores it.",
  source: 'containerboot-env',
  check({ model }) {
    const out = [];
    for (const s of model.tailscaleServices()) {
      const v = model.environment(s).get('TS_USERSPACE');
      if (v?.value === undefined || v.value.trim() === '' || parseGoBool(v.value) !== undefined) continue;
      out.push({
        path: v.path,
        message: `TS_USERSPACE=${JSON.stringify(v.value)} is not a boolean Go's strconv.ParseBool accepts (1, t, T, true, TRUE, True, 0, f, F, false, FALSE, False): containerboot ignores it and uses the default true, so service "${s.name}" runs in userspace mode; write false for kernel mode or true for userspace`,
      });
    }
    return out;
  },
});
