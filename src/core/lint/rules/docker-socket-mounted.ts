import { defineRule, type Report } from '../rule.js';
import { isInterpolated, volumeSource } from '../values.js';

const SOCKETS = ['/var/run/docker.sock', '/run/docker.sock'];

export const dockerSocketMounted = defineRule({
  id: 'docker-socket-mounted',
  severity: 'warning',
  category: 'security',
  description:
    'The Docker socket is mounted into a Tailscale container: whoever controls that container over the tailnet is root on the host.',
  source: 'docker-socket-root',
  check({ model }) {
    const out: Report[] = [];
    for (const s of model.tailscaleServices()) {
      model.list(s, 'volumes').forEach((v, i) => {
        const src = volumeSource(v);
        if (src === undefined || isInterpolated(src)) return;
        const norm = src.replace(/\/+$/, '');
        if (!SOCKETS.includes(norm)) return;
        out.push({
          path: [...s.path, 'volumes', i],
          message: `service "${s.name}" mounts ${norm}: access to the Docker API is root on the host (\`docker run --privileged -v /:/host\`), and this container is reachable from the tailnet — anything that gets code execution in it (or via serve/SSH) owns the host; \`:ro\` does not help (it only protects the socket file, not the API). Remove the mount, or put a filtering proxy (e.g. a read-only docker-socket-proxy) in a separate container`,
        });
      });
    }
    return out;
  },
});
