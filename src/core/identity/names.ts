/**
 * The machine name tailscale makes of a hostname: a lower-case DNS label (letters, digits, `-`, at
 * most 63 characters); `homelab` when nothing is left.
 */
export function dnsLabel(s: string): string {
  const label = s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return label || 'homelab';
}
